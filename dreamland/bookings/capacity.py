"""Capacity changes of tours and departures, checked against the seats already booked.

The seat count is a bookings rule (`dreamland.bookings.selectors.seats_taken`), and bookings
depend on tours, never the reverse: so the two writes that can lower a capacity live here.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dreamland.bookings.selectors import seats_taken
from dreamland.lib.changes import SALES, reports_changed
from dreamland.lib.errors import Conflict, reject_unknown_fields
from dreamland.tours.models import Tour, TourDeparture
from dreamland.tours.services import DEPARTURE_FIELDS, TOUR_FIELDS


def _capacity_conflict(departure: TourDeparture, capacity: int, taken: int) -> Conflict:
    return Conflict(
        _(
            "Capacity %(capacity)s is below the %(taken)s seats already booked on %(tour)s, %(date)s."
        )
        % {
            "capacity": capacity,
            "taken": taken,
            "tour": departure.tour,
            "date": departure.departure_date,
        },
        field="capacity",
        code="capacity_below_booked",
    )


def tour_update(*, tour: Tour, **fields: Any) -> Tour:
    """Change a tour; lowering its capacity is refused when a departure that inherits it is fuller."""
    reject_unknown_fields(fields, TOUR_FIELDS)
    with transaction.atomic():
        tour = Tour.objects.select_for_update().get(pk=tour.pk)
        for name, value in fields.items():
            setattr(tour, name, value)
        tour.full_clean()
        if "capacity" in fields:
            inheriting = (
                TourDeparture.objects.select_for_update()
                .filter(tour=tour, capacity__isnull=True)
                .order_by("pk")
            )
            for departure in inheriting:
                departure.tour = tour
                taken = seats_taken(departure)
                if taken > departure.effective_capacity:
                    raise _capacity_conflict(departure, departure.effective_capacity, taken)
        tour.save(update_fields=[*fields, "updated_at"])
        reports_changed(SALES)  # names and capacities in revenue, occupancy, balances
    return tour


def departure_update(*, departure: TourDeparture, **fields: Any) -> TourDeparture:
    """Change a departure under its row lock; capacity may not drop below the seats taken."""
    reject_unknown_fields(fields, DEPARTURE_FIELDS)
    with transaction.atomic():
        departure = TourDeparture.objects.select_for_update().get(pk=departure.pk)
        departure.tour = Tour.objects.get(pk=departure.tour_id)  # read after the lock
        for name, value in fields.items():
            setattr(departure, name, value)
        departure.full_clean()
        if "capacity" in fields:
            taken = seats_taken(departure)
            if taken > departure.effective_capacity:
                raise _capacity_conflict(departure, departure.effective_capacity, taken)
        departure.save(update_fields=[*fields, "updated_at"])
        reports_changed(SALES)
    return departure
