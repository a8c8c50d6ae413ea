"""Exchange rates to KZT (admins edit; `manage.py import_rates` loads the National Bank's file)."""

from __future__ import annotations

from django.contrib import admin

from dreamland.lib import admin as _site  # noqa: F401  (site header)
from dreamland.money.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("date", "currency", "rate", "source", "updated_at")
    list_filter = ("currency", "source")
    date_hierarchy = "date"
    search_fields = ("currency",)
    readonly_fields = ("created_at", "updated_at")
