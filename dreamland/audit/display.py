"""The audit trail as a page shows it: fields and values labelled in the active language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from dreamland.audit.models import AuditEntity, AuditEntry
from dreamland.audit.selectors import audit_entries_for
from dreamland.bookings.models import BookingStatus, PaymentStatus
from dreamland.leads.models import LeadStatus
from dreamland.lib.money import format_money

FIELD_LABELS = {
    "status": _("status"),
    "assigned_agent": _("agent"),
    "lost_reason": _("lost reason"),
    "num_participants": _("participants"),
    "total_amount": _("total"),
    "tour_departure": _("departure"),
    "amount": _("amount"),
}
STATUSES: dict[str, type[models.TextChoices]] = {
    AuditEntity.LEAD: LeadStatus,
    AuditEntity.BOOKING: BookingStatus,
    AuditEntity.PAYMENT: PaymentStatus,
}


@dataclass(frozen=True)
class TrailRow:
    when: datetime
    who: str | None
    what: str
    object_id: int | None
    field: str
    before: str
    after: str


def _label(entity: str, field: str, value: str, language: str) -> str:
    if not value:
        return "—"
    if field == "status":
        return str(dict(STATUSES[entity].choices).get(value, value))
    if field in ("total_amount", "amount"):
        amount, _sep, currency = value.partition(" ")
        try:
            return format_money(Decimal(amount), currency or "KZT", language)
        except (InvalidOperation, ValueError):
            return value
    return value


def _row(e: AuditEntry, language: str) -> TrailRow:
    ids = {"lead": e.lead_id, "booking": e.booking_id, "payment": e.payment_id}
    return TrailRow(
        when=e.created_at,
        who=e.actor.name if e.actor else None,
        what=str(dict(AuditEntity.choices)[e.entity]),
        object_id=ids[e.entity],
        field=str(FIELD_LABELS.get(e.field, e.field)),
        before=_label(e.entity, e.field, e.before, language),
        after=_label(e.entity, e.field, e.after, language),
    )


def trail_rows(obj: Any, *, language: str = "ru") -> list[TrailRow]:
    lang = "en" if language.startswith("en") else "ru"
    return [_row(e, lang) for e in audit_entries_for(obj)]
