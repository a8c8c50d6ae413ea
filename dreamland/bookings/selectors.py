"""Booking reads: seats, money owed, a client's history and lifetime value."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from dreamland.bookings.models import Booking, BookingStatus, Payment, PaymentStatus
from dreamland.clients.models import Client
from dreamland.lib.money import quantize
from dreamland.money.selectors import RateBook
from dreamland.tours.models import TourDeparture

ZERO = Decimal("0.00")


def seats_taken(departure: TourDeparture, *, exclude_booking_id: int | None = None) -> int:
    """SUM(num_participants) of the departure's bookings that are not cancelled."""
    qs = Booking.objects.filter(tour_departure_id=departure.pk).exclude(
        status=BookingStatus.CANCELLED
    )
    if exclude_booking_id is not None:
        qs = qs.exclude(pk=exclude_booking_id)
    return int(qs.aggregate(n=Sum("num_participants"))["n"] or 0)


def seats_left(departure: TourDeparture) -> int:
    return max(departure.effective_capacity - seats_taken(departure), 0)


def occupancy(departure: TourDeparture) -> Decimal:
    """Share of the capacity taken, 0..1 (0 for a departure without capacity)."""
    capacity = departure.effective_capacity
    if capacity <= 0:
        return Decimal(0)
    return (Decimal(seats_taken(departure)) / capacity).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class BookingMoney:
    """What a booking costs, what was paid (completed payments, converted) and what remains."""

    currency: str
    total: Decimal
    paid: Decimal
    balance_due: Decimal  # negative when overpaid

    @property
    def overpayment(self) -> Decimal:
        return -self.balance_due if self.balance_due < 0 else ZERO

    @property
    def is_covered(self) -> bool:
        """Fully paid: something was paid and nothing remains (a free booking stays confirmed)."""
        return self.paid > 0 and self.balance_due <= 0


def _completed(payments: list[Payment]) -> list[Payment]:
    return [p for p in payments if p.status == PaymentStatus.COMPLETED]


def booking_money(booking: Booking, *, payments: list[Payment] | None = None) -> BookingMoney:
    """Each completed payment converted to the booking's currency at its payment date's rate.

    Raises `MissingExchangeRate` when a foreign-currency payment has no rate for its date.
    """
    if payments is None:
        payments = list(booking.payments.filter(status=PaymentStatus.COMPLETED))
    currency = booking.currency or "KZT"
    done = _completed(payments)
    paid = ZERO
    if done:
        dates = [p.payment_date or timezone.localdate() for p in done]
        book = RateBook([currency, *(p.currency or currency for p in done)], min(dates), max(dates))
        for p, on_date in zip(done, dates, strict=True):
            paid += book.convert(p.amount, p.currency or currency, currency, on_date)
    total = quantize(booking.total_amount or 0)
    return BookingMoney(
        currency=currency, total=total, paid=quantize(paid), balance_due=total - paid
    )


def booking_paid_amount(booking: Booking) -> Decimal:
    return booking_money(booking).paid


def booking_balance_due(booking: Booking) -> Decimal:
    """Total minus converted completed payments; negative means overpaid."""
    return booking_money(booking).balance_due


def client_bookings(client: Client) -> QuerySet[Booking]:
    """A client's bookings, newest first, with departure, tour and payments loaded (no N+1)."""
    return (
        Booking.objects.filter(client=client)
        .select_related("tour_departure__tour", "lead")
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("payment_date", "pk"))
        )
        .order_by("-created_at", "-pk")
    )


def client_payments(client: Client) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(booking__client=client)
        .select_related("booking__tour_departure__tour")
        .order_by("-payment_date", "-pk")
    )


def client_lifetime_value(*, client: Client, currency: str = "KZT") -> Decimal:
    """What the client paid over all bookings, in `currency`.

    Completed payments only (refunded, failed and pending ones do not count). Each payment is
    converted directly at the rates of its own payment date: the value when the money came in,
    so the figure does not move with today's exchange rate. Rates are loaded in one query.
    """
    payments = list(
        Payment.objects.filter(booking__client=client, status=PaymentStatus.COMPLETED).values_list(
            "amount", "currency", "payment_date", "booking__currency"
        )
    )
    if not payments:
        return ZERO
    today = timezone.localdate()
    dates = [d or today for _, _, d, _ in payments]
    currencies = {currency, *(c or bc or "KZT" for _, c, _, bc in payments)}
    book = RateBook(currencies, min(dates), max(dates))
    total = ZERO
    for (amount, cur, _, booking_cur), on_date in zip(payments, dates, strict=True):
        total += book.convert(amount, cur or booking_cur or "KZT", currency, on_date)
    return quantize(total)
