"""Tour and departure writes.

Changing a capacity (`tour_update`, `departure_update`) is checked against the seats booked, so
those two live in `dreamland.bookings.capacity` (bookings depend on tours, never the reverse).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from dreamland.lib.changes import SALES, reports_changed
from dreamland.lib.errors import Conflict
from dreamland.tours.models import Tour, TourDeparture

TOUR_FIELDS = (
    "name",
    "description",
    "base_price",
    "currency",
    "capacity",
    "duration_days",
    "active",
    "aliases",
)
DEPARTURE_FIELDS = ("departure_date", "price", "currency", "capacity")


def tour_create(
    *,
    name: str,
    base_price: Decimal | None = None,
    currency: str | None = "KZT",
    capacity: int | None = None,
    duration_days: int | None = None,
    description: str | None = None,
    active: bool = True,
    aliases: str = "",
) -> Tour:
    tour = Tour(
        aliases=aliases or "",
        name=name,
        base_price=base_price,
        currency=currency,
        capacity=capacity,
        duration_days=duration_days,
        description=description,
        active=active,
    )
    tour.full_clean()
    tour.save()
    return tour


def departure_create(
    *,
    tour: Tour,
    departure_date: date,
    price: Decimal | None = None,
    currency: str | None = None,
    capacity: int | None = None,
) -> TourDeparture:
    departure = TourDeparture(
        tour=tour, departure_date=departure_date, price=price, currency=currency, capacity=capacity
    )
    departure.full_clean()
    departure.save()
    reports_changed(SALES)  # occupancy
    return departure


def departure_delete(*, departure: TourDeparture) -> None:
    """Delete a departure nobody booked; `Conflict` (code `has_bookings`) otherwise.

    Bookings protect their departure (`on_delete=PROTECT`), cancelled ones included (their
    history stays), so the ORM refuses before anything is deleted.
    """
    try:
        with transaction.atomic():
            departure.delete()
    except (ProtectedError, IntegrityError):
        raise Conflict(
            _("%(departure)s has bookings and cannot be deleted.") % {"departure": departure},
            code="has_bookings",
        ) from None
    reports_changed(SALES)
