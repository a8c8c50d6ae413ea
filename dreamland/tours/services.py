"""Tour and departure writes. A departure's capacity may never drop below its seats taken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dreamland.lib.errors import Conflict, reject_unknown_fields
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


def tour_update(*, tour: Tour, **fields: Any) -> Tour:
    """Change a tour; lowering its capacity is refused when a departure that inherits it is fuller."""
    from dreamland.bookings.selectors import seats_taken

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
    return departure


def departure_update(*, departure: TourDeparture, **fields: Any) -> TourDeparture:
    """Change a departure under its row lock; capacity may not drop below the seats taken."""
    from dreamland.bookings.selectors import seats_taken

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
    return departure
