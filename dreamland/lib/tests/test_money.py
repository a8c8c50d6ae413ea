from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dreamland.lib.money import convert, format_money, quantize
from dreamland.money.models import ExchangeRate
from dreamland.money.selectors import MissingExchangeRate

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (Decimal("1250000"), "KZT", "ru", f"1{NBSP}250{NBSP}000{NBSP}₸"),
        (Decimal("1250000.5"), "KZT", "ru", f"1{NBSP}250{NBSP}000,50{NBSP}₸"),
        (Decimal("1250"), "USD", "en", "$1,250.00"),
        (Decimal("1250"), "EUR", "en", "€1,250.00"),
        (Decimal("99.999"), "USD", "en", "$100.00"),
        (Decimal("1250"), "RUB", "ru", f"1{NBSP}250,00{NBSP}₽"),
    ],
)
def test_money_is_shown_per_locale_and_currency(amount, currency, locale, expected):
    assert format_money(amount, currency, locale) == expected


def test_rounding_is_half_up_to_cents():
    assert quantize(Decimal("0.005")) == Decimal("0.01")
    assert quantize(Decimal("2.675")) == Decimal("2.68")
    assert quantize(0.1) == Decimal("0.10")


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
    assert exc.value.status_code == 422
    assert str(exc.value).startswith("No exchange rate for EUR on 2026-11-28")
    with pytest.raises(MissingExchangeRate):
        convert(Decimal("1"), "EUR", "KZT", date(2026, 11, 19))
