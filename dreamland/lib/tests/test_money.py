from __future__ import annotations

from decimal import Decimal

import pytest

from dreamland.lib.money import format_money, quantize

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


def test_a_negative_zero_reads_as_zero_whichever_is_formatted_first() -> None:
    assert format_money("-0.001", "USD", "en") == "$0.00"
    assert format_money("0", "USD", "en") == "$0.00"
