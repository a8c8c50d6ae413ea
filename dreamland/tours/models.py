"""Tours and their dated departures."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dreamland.lib.choices import Currency
from dreamland.lib.models import TimestampedModel, enum_check

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Tour(TimestampedModel):
    """`tours`: what is sold; price, currency and capacity are defaults for its departures."""

    name = models.CharField(pgettext_lazy("of a thing", "name"), max_length=255, null=True)
    description = models.TextField(_("description"), null=True, blank=True)
    base_price = models.DecimalField(
        _("base price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency, null=True, blank=True, default=Currency.KZT
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    duration_days = models.PositiveIntegerField(_("duration (days)"), null=True, blank=True)
    active = models.BooleanField(_("active"), null=True, default=True, db_default=True)
    # Beyond the ERD: other names clients write for the tour (Russian, Kazakh, English), one per
    # line or comma-separated; a new lead's first message is matched against them (SPEC §2).
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Other names clients use, one per line or separated by commas."),
    )

    class Meta:
        db_table = "tours"
        verbose_name = _("tour")
        verbose_name_plural = _("tours")
        ordering = ["name"]
        constraints = [
            enum_check("tours", "currency", Currency.values),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=0), name="tours_capacity_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name or gettext("Tour #%(id)s") % {"id": self.pk}

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in re.split(r"[,\n;]", self.aliases or "") if a.strip()]


class TourDeparture(TimestampedModel):
    """`tour_departures`: a dated run of a tour; empty price/currency/capacity fall back to the tour."""

    tour = models.ForeignKey(
        Tour, on_delete=models.PROTECT, related_name="departures", verbose_name=_("tour")
    )
    departure_date = models.DateField(_("departure date"), null=True)
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency, null=True, blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        db_table = "tour_departures"
        verbose_name = _("tour departure")
        verbose_name_plural = _("tour departures")
        ordering = ["departure_date", "pk"]
        indexes = [
            # Departures of a tour by date (tour page, departure pickers).
            models.Index(fields=["tour", "departure_date"], name="tour_departures_tour_date_idx"),
            # Upcoming departures across all tours.
            models.Index(fields=["departure_date"], name="tour_departures_date_idx"),
        ]
        constraints = [
            enum_check("tour_departures", "currency", Currency.values),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=0), name="tour_departures_capacity_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tour} — {self.departure_date}"

    @property
    def effective_capacity(self) -> int:
        """The departure's capacity, else the tour's; 0 when neither says (nothing bookable)."""
        if self.capacity is not None:
            return self.capacity
        return self.tour.capacity or 0

    @property
    def effective_price(self) -> Decimal | None:
        return self.price if self.price is not None else self.tour.base_price

    @property
    def effective_currency(self) -> str:
        return self.currency or self.tour.currency or Currency.KZT
