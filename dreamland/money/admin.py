"""Exchange rates to KZT (admins edit; `manage.py import_rates` loads the National Bank's file)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dreamland.lib import admin as _site  # noqa: F401  (site header)
from dreamland.lib.changes import SALES, reports_changed
from dreamland.money.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("date", "currency", "rate", "source", "updated_at")
    list_filter = ("currency", "source")
    date_hierarchy = "date"
    search_fields = ("currency",)
    readonly_fields = ("created_at", "updated_at")

    # Rates convert the reports' money: an edit here makes them recompute (`reports.freshness`).
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        reports_changed(SALES)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        reports_changed(SALES)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        reports_changed(SALES)
