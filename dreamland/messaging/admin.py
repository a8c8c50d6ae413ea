"""Communications (a read-only record of what was said) and WhatsApp templates (admins edit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dreamland.lib.admin import ServiceModelAdmin, changed
from dreamland.messaging.models import Communication, WhatsAppTemplate
from dreamland.messaging.services import template_create, template_delete, template_update


@admin.register(Communication)
class CommunicationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "client",
        "direction",
        "communication_type",
        "short_body",
        "whatsapp_status",
        "lead",
    )
    # Built for millions of rows: newest first by primary key (indexed), filters on fixed
    # choices only (no DISTINCT scans), search by client or exact wamid, no full count.
    list_filter = ("communication_type", "direction", "whatsapp_status")
    search_fields = ("client__name", "client__phone", "=whatsapp_message_id")
    list_select_related = ("client", "lead")
    ordering = ("-pk",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("text"))
    def short_body(self, obj: Communication) -> str:
        body = obj.body or obj.message_type or ""
        return body if len(body) <= 80 else body[:79] + "…"


TEMPLATE_FIELDS = ("name", "language", "category", "content", "variables", "active")


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(ServiceModelAdmin):
    """Templates are checked by `template_create`/`template_update`, as through the API."""

    fields = TEMPLATE_FIELDS
    list_display = ("name", "language", "category", "active", "updated_at")
    list_filter = ("language", "category", "active")
    search_fields = ("name", "content")

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        if not change:
            return template_create(**{name: form.cleaned_data[name] for name in TEMPLATE_FIELDS})
        return template_update(
            template=WhatsAppTemplate.objects.get(pk=obj.pk), **changed(form, TEMPLATE_FIELDS)
        )

    def service_delete(self, *, request: HttpRequest, obj: WhatsAppTemplate) -> None:
        template_delete(template=obj)
