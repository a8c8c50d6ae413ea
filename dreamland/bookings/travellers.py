"""The travellers of a booking: who the seats are for (SPEC §2), one per participant at most.

`travellers_set` replaces the whole list in one transaction (the form shows all rows at once);
`document_warnings` is the one rule for "the passport expires too soon": within six months of
the departure, as most border crossings ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dreamland.bookings.models import Booking, Traveller

DOCUMENT_VALID_MONTHS = 6


@dataclass(frozen=True)
class TravellerData:
    full_name: str
    birth_date: date | None = None
    document_number: str = ""
    document_expiry: date | None = None


def check_travellers_fit(*, booking_id: int, num_participants: int) -> None:
    """Refuse fewer participants than travellers already named (remove a traveller first)."""
    named = Traveller.objects.filter(booking_id=booking_id).count()
    if named > num_participants:
        raise ValidationError(
            {
                "num_participants": ngettext(
                    "%(named)s traveller is named on this booking; remove one first.",
                    "%(named)s travellers are named on this booking; remove some first.",
                    named,
                )
                % {"named": named}
            }
        )


def travellers_set(
    *, booking: Booking, travellers: Sequence[TravellerData], actor: Any = None
) -> list[Traveller]:
    """Replace the booking's travellers; at most one per participant, each with a name."""
    rows = [t for t in travellers if t.full_name.strip()]
    with transaction.atomic():
        locked = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
        capacity = locked.num_participants or 0
        if len(rows) > capacity:
            raise ValidationError(
                {
                    "travellers": ngettext(
                        "The booking is for %(n)s participant: name at most %(n)s traveller.",
                        "The booking is for %(n)s participants: name at most %(n)s travellers.",
                        capacity,
                    )
                    % {"n": capacity}
                }
            )
        for t in rows:
            if t.birth_date and t.document_expiry and t.document_expiry < t.birth_date:
                raise ValidationError(
                    {"travellers": _("A document cannot expire before its holder was born.")}
                )
        Traveller.objects.filter(booking=locked).delete()
        return Traveller.objects.bulk_create(
            Traveller(
                booking=locked,
                full_name=t.full_name.strip(),
                birth_date=t.birth_date,
                document_number=t.document_number.strip(),
                document_expiry=t.document_expiry,
                position=i,
            )
            for i, t in enumerate(rows)
        )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def document_expires_too_soon(traveller: Traveller, departure_date: date | None) -> bool:
    """The document runs out before six months after the departure (or already has)."""
    if traveller.document_expiry is None or departure_date is None:
        return False
    return traveller.document_expiry < _add_months(departure_date, DOCUMENT_VALID_MONTHS)


def with_document_warnings(
    travellers: Sequence[Traveller], departure_date: date | None
) -> Sequence[Traveller]:
    """Set `document_warning` on each traveller of a page (no query)."""
    for t in travellers:
        t.document_warning = document_expires_too_soon(t, departure_date)  # type: ignore[attr-defined]
    return travellers
