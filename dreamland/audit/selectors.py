"""Reading the audit trail (no imports of the apps it records: it sits below them)."""

from __future__ import annotations

from typing import Any

from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from dreamland.audit.models import AuditEntity, AuditEntry

TRAIL_LIMIT = 100
# Which column ties an entry to the object a page shows (a booking's trail has its payments).
_LINK = {"leads.lead": "lead", "bookings.booking": "booking", "clients.client": "client"}


def audit_entries_for(obj: Any, *, limit: int = TRAIL_LIMIT) -> list[AuditEntry]:
    """The newest changes of a lead, a booking (its payments included) or a client (all of
    theirs), with who made them: one query."""
    link = _LINK.get(obj._meta.label_lower)
    if link is None:
        return []
    entries: QuerySet[AuditEntry] = AuditEntry.objects.select_related("actor").filter(**{link: obj})
    return list(entries.order_by("-created_at", "-pk")[:limit])


def status_changed_at_expression() -> Coalesce:
    """When a lead entered its current status: its latest status entry, else its creation
    (one index lookup per row on `audit_lead_idx`). For annotating a Lead queryset."""
    latest = (
        AuditEntry.objects.filter(lead=OuterRef("pk"), entity=AuditEntity.LEAD, field="status")
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Coalesce(Subquery(latest, output_field=DateTimeField()), F("created_at"))
