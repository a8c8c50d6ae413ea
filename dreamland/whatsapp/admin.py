"""Admins see every stored webhook, above all the unmatched and failed ones, and can replay."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dreamland.lib.choices import choice_name
from dreamland.whatsapp.inbound import event_run
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tasks import webhook_event_schedule_retry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class NeedsAttentionFilter(admin.SimpleListFilter):
    """Events an admin must look at, whatever their status: an unmatched message in a processed
    event is listed with the wholly unmatched ones."""

    title = _("needs attention")
    parameter_name = "needs_attention"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[WebhookEvent]
    ) -> list[tuple[str, StrOrPromise]]:
        return [
            ("unmatched", _("Unmatched messages")),
            ("failed", pgettext_lazy("webhook status", "Failed")),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[WebhookEvent]
    ) -> QuerySet[WebhookEvent]:
        if self.value() == "unmatched":
            return queryset.filter(Q(status=EventStatus.UNMATCHED) | Q(unmatched_messages__gt=0))
        if self.value() == "failed":
            return queryset.filter(status=EventStatus.FAILED)
        return queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin[WebhookEvent]):
    list_display = (
        "id",
        "received_at",
        "status",
        "unmatched_messages",
        "attempts",
        "short_error",
    )
    list_filter = (NeedsAttentionFilter, "status")
    date_hierarchy = "received_at"
    readonly_fields = (
        "received_at",
        "status",
        "attempts",
        "last_error",
        "processed_at",
        "unmatched_messages",
        "signature",
        "pretty_notes",
        "pretty_body",
    )
    exclude = ("raw_body", "notes")
    actions = ["replay"]

    @admin.display(description=_("error"))
    def short_error(self, event: WebhookEvent) -> str:
        return (event.last_error or "")[:80]

    @admin.display(description=_("notes"))
    def pretty_notes(self, event: WebhookEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.notes, ensure_ascii=False, indent=2))

    @admin.display(description=_("body"))
    def pretty_body(self, event: WebhookEvent) -> str:
        try:
            text = json.dumps(json.loads(bytes(event.raw_body)), ensure_ascii=False, indent=2)
        except (ValueError, RecursionError):  # RecursionError: valid JSON, too deep for Python
            text = event.body_text
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Process the selected events again"))
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        statuses = []
        for event in queryset:
            event_run(event=event)
            if event.status == EventStatus.FAILED:
                webhook_event_schedule_retry(event)
            statuses.append(event.status)
        message = ngettext(
            "Replayed %(count)s event(s): %(statuses)s",
            "Replayed %(count)s event(s): %(statuses)s",
            len(statuses),
        ) % {
            "count": len(statuses),
            "statuses": ", ".join(choice_name(EventStatus, status) for status in statuses),
        }
        self.message_user(request, message, messages.INFO)
