"""Exchange-rate reads and currency conversion.

Rates are "KZT per 1 unit" of a currency on a date (National Bank of Kazakhstan convention), so
any conversion goes through tenge: amount x rate(from) / rate(to).

Which rate applies on a date: that date's rate, else the most recent earlier one within
`RATE_LOOKBACK_DAYS` (the NBK publishes nothing on weekends and holidays). Older than that the
conversion fails with `MissingExchangeRate`: never a silent 1:1.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from dreamland.lib.choices import Currency
from dreamland.lib.errors import RuleViolation
from dreamland.lib.money import quantize, to_decimal
from dreamland.money.models import ExchangeRate

RATE_LOOKBACK_DAYS = 7


class MissingExchangeRate(RuleViolation):
    """No rate for the currency on (or shortly before) the date: add one or import the NBK file."""

    code = "missing_exchange_rate"

    def __init__(self, currency: str, on_date: date) -> None:
        super().__init__(
            _(
                "No exchange rate for %(currency)s on %(date)s or in the %(days)s days before;"
                " add it under exchange rates."
            )
            % {"currency": currency, "date": on_date.isoformat(), "days": RATE_LOOKBACK_DAYS},
            field="currency",
        )
        self.currency = currency
        self.on_date = on_date


def rate_on(currency: str, on_date: date) -> Decimal:
    """KZT per 1 unit of `currency` on `on_date` (1 for KZT)."""
    if currency == Currency.KZT:
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(
            currency=currency,
            date__lte=on_date,
            date__gte=on_date - timedelta(days=RATE_LOOKBACK_DAYS),
        )
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingExchangeRate(currency, on_date)
    return rate


class RateBook:
    """Rates loaded in one query for many conversions (a client's history, a report)."""

    def __init__(self, currencies: Iterable[str], start: date, end: date) -> None:
        wanted = {c for c in currencies if c != Currency.KZT}
        self._rates: dict[str, list[tuple[date, Decimal]]] = {c: [] for c in wanted}
        if wanted:
            rows = ExchangeRate.objects.filter(
                currency__in=wanted,
                date__gte=start - timedelta(days=RATE_LOOKBACK_DAYS),
                date__lte=end,
            ).order_by("currency", "-date")
            for row in rows.values_list("currency", "date", "rate"):
                self._rates[row[0]].append((row[1], row[2]))

    def rate_on(self, currency: str, on_date: date) -> Decimal:
        if currency == Currency.KZT:
            return Decimal(1)
        oldest = on_date - timedelta(days=RATE_LOOKBACK_DAYS)
        for day, rate in self._rates.get(currency, ()):
            if day <= on_date:
                if day >= oldest:
                    return rate
                break
        raise MissingExchangeRate(currency, on_date)

    def convert(
        self, amount: object, from_currency: str, to_currency: str, on_date: date
    ) -> Decimal:
        return _convert_with(self.rate_on, amount, from_currency, to_currency, on_date)


def _convert_with(
    rate: object, amount: object, from_currency: str, to_currency: str, on_date: date
) -> Decimal:
    value = to_decimal(amount)
    if from_currency == to_currency:
        return quantize(value)
    assert callable(rate)
    return quantize(value * rate(from_currency, on_date) / rate(to_currency, on_date))


def convert(amount: object, from_currency: str, to_currency: str, on_date: date) -> Decimal:
    """`amount` of `from_currency` in `to_currency` at the rates of `on_date`, rounded to cents."""
    return _convert_with(rate_on, amount, from_currency, to_currency, on_date)
