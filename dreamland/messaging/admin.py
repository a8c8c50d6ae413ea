"""Communications (a read-only record of what was said) and WhatsApp templates (admins edit)."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from dreamland.lib import admin as _site  # noqa: F401  (site header)
from dreamland.messaging.models import Communication, WhatsAppTemplate

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
# Marked here, translated where the form error is raised.
JSON_LIST_OF_NAMES = gettext_noop('Enter a JSON list of names, e.g. ["customer_name"].')


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


class WhatsAppTemplateForm(forms.ModelForm):
    class Meta:
        model = WhatsAppTemplate
        fields = ("name", "language", "category", "content", "variables", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = data.get("variables") or "[]"
        try:
            names = json.loads(raw)
        except ValueError:
            self.add_error("variables", gettext(JSON_LIST_OF_NAMES))
            return data
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.add_error("variables", gettext(JSON_LIST_OF_NAMES))
            return data
        numbers = {int(n) for n in PLACEHOLDER.findall(data.get("content") or "")}
        if numbers != set(range(1, len(names) + 1)):
            message = ngettext(
                "The text uses %(count)s placeholder(s) {{1}}…; list one name for each.",
                "The text uses %(count)s placeholder(s) {{1}}…; list one name for each.",
                len(numbers),
            )
            self.add_error("variables", message % {"count": len(numbers)})
        data["variables"] = json.dumps(names, ensure_ascii=False)
        return data


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(admin.ModelAdmin):
    form = WhatsAppTemplateForm
    list_display = ("name", "language", "category", "active", "updated_at")
    list_filter = ("language", "category", "active")
    search_fields = ("name", "content")
