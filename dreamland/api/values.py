"""Read-only figures computed for whole pages at once (no N+1): lifetime value, seats, balances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from dreamland.bookings.models import Booking, BookingStatus, Payment, PaymentStatus
from dreamland.bookings.selectors import booking_money
from dreamland.clients.models import Client
from dreamland.lib.money import quantize
from dreamland.money.selectors import MissingExchangeRate, RateBook
from dreamland.tours.models import TourDeparture

ZERO = Decimal("0.00")


def with_lifetime_values(clients: Sequence[Client], currency: str) -> Sequence[Client]:
    """Set `lifetime_value` (None when a rate is missing) and its currency on each client.

    Same rule as `bookings.selectors.client_lifetime_value`, for a page of clients in two queries.
    """
    rows = list(
        Payment.objects.filter(
            booking__client__in=[c.pk for c in clients], status=PaymentStatus.COMPLETED
        ).values_list(
            "booking__client_id", "amount", "currency", "payment_date", "booking__currency"
        )
    )
    today = timezone.localdate()
    totals: dict[int, Decimal | None] = defaultdict(lambda: ZERO)
    if rows:
        dates = [d or today for _, _, _, d, _ in rows]
        book = RateBook(
            {currency, *(c or bc or "KZT" for _, _, c, _, bc in rows)}, min(dates), max(dates)
        )
        for (client_id, amount, cur, _, booking_cur), on_date in zip(rows, dates, strict=True):
            current = totals[client_id]
            if current is None:
                continue
            try:
                totals[client_id] = current + book.convert(
                    amount, cur or booking_cur or "KZT", currency, on_date
                )
            except MissingExchangeRate:
                totals[client_id] = None
    for client in clients:
        value = totals[client.pk]
        client.lifetime_value = quantize(value) if value is not None else None  # type: ignore[attr-defined]
        client.lifetime_value_currency = currency  # type: ignore[attr-defined]
    return clients


def departures_with_seats(qs: QuerySet[TourDeparture]) -> QuerySet[TourDeparture]:
    return qs.select_related("tour").annotate(
        seats_taken_sum=Sum(
            "bookings__num_participants", filter=~Q(bookings__status=BookingStatus.CANCELLED)
        )
    )


def with_seats(departures: Sequence[TourDeparture]) -> Sequence[TourDeparture]:
    for departure in departures:
        taken = int(getattr(departure, "seats_taken_sum", 0) or 0)
        departure.seats_taken = taken  # type: ignore[attr-defined]
        departure.seats_left = max(departure.effective_capacity - taken, 0)  # type: ignore[attr-defined]
    return departures


def bookings_with_payments(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    return qs.prefetch_related(
        Prefetch(
            "payments",
            queryset=Payment.objects.filter(status=PaymentStatus.COMPLETED),
            to_attr="completed_payments",
        )
    )


def with_balances(bookings: Sequence[Booking]) -> Sequence[Booking]:
    """`paid_amount`, `balance_due` (never negative) and `overpayment` on each booking."""
    for booking in bookings:
        payments = getattr(booking, "completed_payments", None)
        try:
            money = booking_money(booking, payments=payments)
            paid, due, over = money.paid, max(money.balance_due, ZERO), money.overpayment
        except MissingExchangeRate:
            paid, due, over = ZERO, quantize(booking.total_amount or 0), ZERO
        booking.paid_amount = paid  # type: ignore[attr-defined]
        booking.balance_due = due  # type: ignore[attr-defined]
        booking.overpayment = over  # type: ignore[attr-defined]
    return bookings
