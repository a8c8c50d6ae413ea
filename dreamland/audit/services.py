"""Recording the audit trail: the one write path of `audit_entries`.

The lead, booking and payment services call `audit_record` inside their own transaction with
what changed; nothing else writes the table (no signals, no scattered saves).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import models

from dreamland.audit.models import AuditEntity, AuditEntry


def audit_value(value: Any, currency: str | None = None) -> str:
    """A value as the trail stores it: amounts as `123.00 KZT`, objects by their name."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f} {currency}" if currency else f"{value:.2f}"
    if isinstance(value, models.Model):
        return str(getattr(value, "name", None) or value)
    return str(value)


def audit_record(
    *,
    obj: models.Model,
    changes: Mapping[str, tuple[Any, Any]],
    actor: Any = None,
) -> list[AuditEntry]:
    """One entry per field whose value changed (`{field: (before, after)}`, already text or
    passed through `audit_value`). `obj` is a Lead, Booking or Payment; its client, and for a
    payment its booking, are stored beside it so each page reads its trail with one query."""
    # By model label, not by import: audit sits below leads and bookings (no import cycle).
    label = obj._meta.label_lower
    links: dict[str, Any]
    if label == "leads.lead":
        entity, links = AuditEntity.LEAD, {"lead": obj, "client_id": obj.client_id}  # type: ignore[attr-defined]
    elif label == "bookings.booking":
        entity = AuditEntity.BOOKING
        links = {"booking": obj, "lead_id": obj.lead_id, "client_id": obj.client_id}  # type: ignore[attr-defined]
    elif label == "bookings.payment":
        booking = obj.booking  # type: ignore[attr-defined]
        entity = AuditEntity.PAYMENT
        links = {
            "payment": obj,
            "booking": booking,
            "lead_id": booking.lead_id,
            "client_id": booking.client_id,
        }
    else:  # pragma: no cover - a programming error
        raise TypeError(f"no audit trail for {type(obj).__name__}")
    user = actor if getattr(actor, "is_authenticated", False) else None
    rows = [
        AuditEntry(
            entity=entity,
            field=field,
            before=audit_value(before),
            after=audit_value(after),
            actor=user,
            **links,
        )
        for field, (before, after) in changes.items()
        if audit_value(before) != audit_value(after)
    ]
    return AuditEntry.objects.bulk_create(rows) if rows else []
