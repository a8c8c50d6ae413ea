"""A departure is deleted only while nobody booked it (cancelled bookings keep it too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dreamland.bookings.services import booking_cancel
from dreamland.lib.errors import Conflict
from dreamland.tours.models import TourDeparture
from dreamland.tours.services import departure_delete

pytestmark = pytest.mark.django_db


def test_an_unbooked_departure_is_deleted(make_departure: Callable[..., Any]) -> None:
    departure = make_departure()
    departure_delete(departure=departure)
    assert not TourDeparture.objects.filter(pk=departure.pk).exists()


@pytest.mark.parametrize("cancelled", [False, True])
def test_a_booked_departure_is_refused_and_kept(
    make_booking: Callable[..., Any], cancelled: bool
) -> None:
    booking = make_booking()
    if cancelled:
        booking_cancel(booking=booking)
    with pytest.raises(Conflict, match="has bookings and cannot be deleted") as exc:
        departure_delete(departure=booking.tour_departure)
    assert exc.value.code == "has_bookings"
    assert TourDeparture.objects.filter(pk=booking.tour_departure_id).exists()
    assert booking.tour_departure.bookings.count() == 1
