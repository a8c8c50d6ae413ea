"""Bookings (seats on a departure) and their instalment payments."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dreamland.lib.choices import Currency
from dreamland.lib.models import TimestampedModel, enum_check


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("booking status", "Confirmed")
    PAID = "paid", pgettext_lazy("booking status", "Paid")
    COMPLETED = "completed", pgettext_lazy("booking status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("booking status", "Cancelled")


class Booking(TimestampedModel):
    """`bookings`: seats, total and status change only through `dreamland.bookings.services`."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("client"),
    )
    # One-to-one: a lead converts to at most one booking (unique index on bookings.lead_id).
    lead = models.OneToOneField(
        "leads.Lead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booking",
        verbose_name=_("lead"),
    )
    tour_departure = models.ForeignKey(
        "tours.TourDeparture",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("departure"),
    )
    num_participants = models.PositiveIntegerField(
        _("participants"), null=True, validators=[MinValueValidator(1)]
    )
    total_amount = models.DecimalField(
        _("total"),
        max_digits=12,
        decimal_places=2,
        null=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, null=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=BookingStatus,
        null=True,
        default=BookingStatus.CONFIRMED,
        db_default=BookingStatus.CONFIRMED,
    )

    class Meta:
        db_table = "bookings"
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at"]
        indexes = [
            # Seats taken on a departure: SUM(num_participants) of its bookings not cancelled.
            models.Index(fields=["tour_departure", "status"], name="bookings_departure_status_idx"),
            # Daily job: confirmed/paid bookings whose departure has passed.
            models.Index(fields=["status"], name="bookings_status_idx"),
            # API /bookings newest first and its keyset cursor.
            models.Index(
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="bookings_created_id_idx",
            ),
            # Reports' acquisition (`reports.selectors`): "has the client an earlier booking not
            # cancelled?", an index-only probe per booking of the range.
            models.Index(
                fields=["client", "created_at", "status"], name="bookings_client_created_idx"
            ),
        ]
        constraints = [
            enum_check("bookings", "status", BookingStatus.values),
            enum_check("bookings", "currency", Currency.values),
            models.CheckConstraint(
                condition=models.Q(num_participants__gte=1),
                name="bookings_num_participants_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=0), name="bookings_total_amount_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return gettext("Booking #%(id)s") % {"id": self.pk}


class PaymentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("payment status", "Pending")
    COMPLETED = "completed", pgettext_lazy("payment status", "Completed")
    FAILED = "failed", pgettext_lazy("payment status", "Failed")
    REFUNDED = "refunded", pgettext_lazy("payment status", "Refunded")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    KASPI = "kaspi", "Kaspi"
    OTHER = "other", _("Other")


class Payment(TimestampedModel):
    """`payments`: one instalment; only `completed` payments count towards the booking's total."""

    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, related_name="payments", verbose_name=_("booking")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        null=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, null=True)
    payment_date = models.DateField(_("payment date"), null=True)
    payment_method = models.CharField(_("method"), max_length=16, choices=PaymentMethod, null=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PaymentStatus,
        null=True,
        default=PaymentStatus.PENDING,
    )

    class Meta:
        db_table = "payments"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["payment_date", "pk"]
        constraints = [
            enum_check("payments", "status", PaymentStatus.values),
            enum_check("payments", "payment_method", PaymentMethod.values),
            enum_check("payments", "currency", Currency.values),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payments_amount_positive"
            ),
        ]
        indexes = [
            # Reports (`reports.selectors`): the payments dated in a range.
            models.Index(fields=["payment_date"], name="payments_date_idx"),
        ]

    def __str__(self) -> str:
        return gettext("Payment #%(id)s") % {"id": self.pk}


class Traveller(TimestampedModel):
    """`travellers`: a person a booking covers (SPEC §2), at most one per participant.

    Only the name is required; the birth date and the travel document with its expiry are
    filled in when the trip needs them. Written by `dreamland.bookings.travellers`.
    """

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="travellers", verbose_name=_("booking")
    )
    full_name = models.CharField(_("full name"), max_length=255)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    document_number = models.CharField(
        _("document number"), max_length=64, blank=True, default="", db_default=""
    )
    document_expiry = models.DateField(_("document valid until"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, db_default=0)

    class Meta:
        db_table = "travellers"
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        ordering = ["booking", "position", "pk"]
        # The booking's travellers in order (booking page, the departure's manifest).
        indexes = [models.Index(fields=["booking", "position"], name="travellers_booking_idx")]

    def __str__(self) -> str:
        return self.full_name
