"""A departure's manifest: who travels, how to reach them, what they still owe.

One read for the page and the CSV, so both list the same people: the departure's bookings the
user may see (`visible_bookings`: managers all, agents their clients'), the client joined, the
completed payments and the travellers prefetched — a fixed number of queries for any number of
bookings. Cancelled bookings are kept apart: they free their seats and are shown struck through.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import ForeignObjectRel, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from dreamland.accounts.models import User
from dreamland.api.access import visible_bookings
from dreamland.bookings.models import Booking, BookingStatus
from dreamland.bookings.selectors import bookings_with_payments, with_balances
from dreamland.lib.spreadsheet import spreadsheet_response
from dreamland.tours.models import TourDeparture


def _travellers_relation() -> str | None:
    """The reverse accessor of `bookings.Traveller` on Booking, when that model exists.

    The travellers model comes with another branch; until it is merged the manifest shows the
    client alone, and once it is, the same code prefetches and lists the travellers.
    """
    for rel in Booking._meta.related_objects:
        if isinstance(rel, ForeignObjectRel) and rel.related_model.__name__ == "Traveller":
            return rel.get_accessor_name()
    return None


def traveller_names(booking: Booking) -> list[str]:
    """Names of the people a booking covers (empty before travellers are recorded)."""
    accessor = _travellers_relation()
    if accessor is None:
        return []
    names = []
    for traveller in getattr(booking, accessor).all():
        name = getattr(traveller, "full_name", None) or getattr(traveller, "name", None)
        names.append(str(name) if name else str(traveller))
    return names


@dataclass
class Manifest:
    departure: TourDeparture
    active: list[Booking]  # confirmed, paid, completed: they hold seats
    cancelled: list[Booking]
    participants: int = 0
    balance_due: dict[str, Decimal] = field(default_factory=dict)  # per currency


def manifest_bookings(*, user: User, departure: TourDeparture) -> QuerySet[Booking]:
    qs = (
        visible_bookings(user)
        .filter(tour_departure=departure)
        .select_related("client")
        .order_by("client__name", "pk")
    )
    qs = bookings_with_payments(qs)
    accessor = _travellers_relation()
    if accessor is not None:
        qs = qs.prefetch_related(accessor)
    return qs


def departure_manifest(*, user: User, departure: TourDeparture) -> Manifest:
    rows: Sequence[Booking] = with_balances(list(manifest_bookings(user=user, departure=departure)))
    manifest = Manifest(
        departure=departure,
        active=[b for b in rows if b.status != BookingStatus.CANCELLED],
        cancelled=[b for b in rows if b.status == BookingStatus.CANCELLED],
    )
    due: dict[str, Decimal] = defaultdict(Decimal)
    for booking in manifest.active:
        booking.traveller_names = traveller_names(booking)  # type: ignore[attr-defined]
        manifest.participants += booking.num_participants or 0
        due[booking.currency or "KZT"] += booking.balance_due  # type: ignore[attr-defined]
    for booking in manifest.cancelled:
        booking.traveller_names = traveller_names(booking)  # type: ignore[attr-defined]
    manifest.balance_due = dict(sorted(due.items()))
    return manifest


# --- CSV ------------------------------------------------------------------------------------------


def manifest_csv(manifest: Manifest) -> HttpResponse:
    """The manifest as a spreadsheet download (`lib.spreadsheet`: UTF-8 with BOM for Excel,
    formula-looking text neutralised); cancelled bookings last."""
    departure = manifest.departure
    columns = [
        _("Booking"),
        _("Client"),
        _("Travellers"),
        _("Phone"),
        _("Participants"),
        _("Status"),
        _("Balance due"),
        _("Currency"),
    ]
    rows = [
        [
            booking.pk,
            booking.client.name,
            "; ".join(booking.traveller_names),  # type: ignore[attr-defined]
            booking.client.phone,
            booking.num_participants,
            booking.get_status_display(),
            booking.balance_due,  # type: ignore[attr-defined]
            booking.currency,
        ]
        for booking in [*manifest.active, *manifest.cancelled]
    ]
    filename = f"manifest-{departure.pk}-{departure.departure_date or ''}"
    return spreadsheet_response(rows, columns, filename, "csv")
