"""Exchange rates to tenge, by date: payments in another currency are converted with them."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dreamland.lib.choices import Currency
from dreamland.lib.models import TimestampedModel, enum_check


class ExchangeRate(TimestampedModel):
    """`exchange_rates`: how many KZT one unit of `currency` was worth on `date`."""

    date = models.DateField(_("date"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency)
    rate = models.DecimalField(
        _("rate to KZT"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    source = models.CharField(_("source"), max_length=32, default="manual", db_default="manual")

    class Meta:
        db_table = "exchange_rates"
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-date", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"], name="exchange_rates_currency_date_uniq"
            ),
            enum_check("exchange_rates", "currency", Currency.values),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0), name="exchange_rates_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} KZT ({self.date})"
