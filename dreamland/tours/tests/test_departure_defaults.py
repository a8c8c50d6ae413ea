"""A departure without its own price, currency or capacity takes the tour's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


@pytest.mark.django_db
def test_an_empty_departure_inherits_price_currency_and_capacity_from_its_tour(
    make_tour: Any, make_departure: Any
) -> None:
    tour = make_tour(base_price=Decimal("65000"), currency="KZT", capacity=16)
    departure = make_departure(tour=tour)
    assert (departure.effective_price, departure.effective_currency) == (Decimal("65000"), "KZT")
    assert departure.effective_capacity == 16


@pytest.mark.django_db
def test_a_departure_own_values_win_over_the_tour(make_tour: Any, make_departure: Any) -> None:
    tour = make_tour(base_price=Decimal("65000"), currency="KZT", capacity=16)
    departure = make_departure(tour=tour, price=Decimal("120"), currency="USD", capacity=0)
    assert (departure.effective_price, departure.effective_currency) == (Decimal("120"), "USD")
    assert departure.effective_capacity == 0


@pytest.mark.django_db
def test_a_departure_of_a_tour_without_capacity_has_no_seats(
    make_tour: Any, make_departure: Any
) -> None:
    departure = make_departure(tour=make_tour(capacity=None, currency=None))
    assert departure.effective_capacity == 0
    assert departure.effective_currency == "KZT"
