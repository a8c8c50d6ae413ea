"""Conversion through tenge at the rate of the day (`dreamland.money.selectors.convert`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dreamland.money.models import ExchangeRate
from dreamland.money.selectors import MissingExchangeRate, convert


@pytest.mark.django_db
def test_convert_goes_through_tenge_at_the_dates_rate():
    on = date(2026, 11, 25)
    ExchangeRate.objects.create(currency="USD", date=on, rate=Decimal("512.34"))
    ExchangeRate.objects.create(currency="RUB", date=on, rate=Decimal("6.48"))
    assert convert(Decimal("100"), "USD", "KZT", on) == Decimal("51234.00")
    assert convert(Decimal("51234"), "KZT", "USD", on) == Decimal("100.00")
    assert convert(Decimal("1"), "USD", "RUB", on) == Decimal("79.06")
    assert convert(Decimal("7"), "KZT", "KZT", on) == Decimal("7.00")


@pytest.mark.django_db
def test_convert_uses_the_last_rate_within_a_week_and_no_older():
    ExchangeRate.objects.create(currency="EUR", date=date(2026, 11, 20), rate=Decimal("600"))
    assert convert(Decimal("1"), "EUR", "KZT", date(2026, 11, 27)) == Decimal("600.00")
    with pytest.raises(MissingExchangeRate) as exc:
        convert(Decimal("1"), "EUR", "KZT", date(2026, 11, 28))
    assert (exc.value.status_code, exc.value.code) == (422, "missing_exchange_rate")
    assert str(exc.value).startswith("No exchange rate for EUR on 2026-11-28")
    with pytest.raises(MissingExchangeRate):
        convert(Decimal("1"), "EUR", "KZT", date(2026, 11, 19))
