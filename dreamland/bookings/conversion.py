"""Converting a lead: the booking and the lead's `won` status in one transaction.

It lives with bookings because it books (bookings depend on leads, never the reverse);
`dreamland.leads.services.lead_transition` refuses `won` so that this is the only way there.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.audit.services import audit_record
from dreamland.bookings.models import Booking
from dreamland.bookings.services import booking_create
from dreamland.leads.board import board_counts_changed
from dreamland.leads.models import OPEN_STATUSES, Lead, LeadStatus
from dreamland.lib.choices import choice_name
from dreamland.lib.errors import Conflict, RuleViolation
from dreamland.tours.models import TourDeparture


def lead_convert(
    *,
    lead: Lead,
    tour_departure: TourDeparture,
    num_participants: int,
    actor: User | None = None,
    total_amount: Decimal | None = None,
    currency: str | None = None,
) -> Booking:
    """Book the lead's client on a departure and mark the lead `won`, in one transaction.

    A lead converts once (`Conflict`, code `already_converted`); a lost lead cannot convert
    (`RuleViolation`). No seats → `NoSeatsLeft` and the lead stays as it was.
    """
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if locked.status == LeadStatus.WON or Booking.objects.filter(lead=locked).exists():
            raise _already_converted(locked)
        if locked.status not in OPEN_STATUSES:
            raise RuleViolation(
                _(
                    "Lead #%(id)s is %(status)s and cannot be converted;"
                    " create a new lead for the client."
                )
                % {"id": locked.pk, "status": choice_name(LeadStatus, locked.status)},
                code="illegal_transition",
            )
        try:
            with transaction.atomic():
                booking = booking_create(
                    client=locked.client,
                    tour_departure=tour_departure,
                    num_participants=num_participants,
                    lead=locked,
                    total_amount=total_amount,
                    currency=currency,
                    actor=actor,
                )
        except IntegrityError:
            raise _already_converted(locked) from None
        before = locked.status
        locked.status = LeadStatus.WON
        locked.save(update_fields=["status", "updated_at"])
        audit_record(obj=locked, changes={"status": (before, LeadStatus.WON)}, actor=actor)
        board_counts_changed()
        lead.status = LeadStatus.WON
        return booking


def _already_converted(lead: Lead) -> Conflict:
    return Conflict(
        _("Lead #%(id)s was already converted to a booking.") % {"id": lead.pk},
        code="already_converted",
    )
