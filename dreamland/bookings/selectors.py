"""Booking reads, each rule once: seats on a departure, what a booking owes, a client's value.

Each figure has a page-level version (a queryset annotation, or one pass over a page of rows
with the data loaded in a fixed number of queries) and a single-object version built on it, so
a list and a detail page can never disagree:

| figure | page | one object |
| --- | --- | --- |
| seats taken / left, occupancy | `departures_with_seats(qs)` (+ `with_seats(rows)`) | `seats_taken`, `seats_left`, `occupancy` |
| paid, balance due, overpayment | `bookings_with_payments(qs)` + `with_balances(rows)` | `booking_money` |
| lifetime value | `with_lifetime_values(clients, currency)` | `client_lifetime_value` |
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dreamland.bookings.models import Booking, BookingStatus, Payment, PaymentStatus
from dreamland.clients.models import Client
from dreamland.lib.money import quantize
from dreamland.money.selectors import MissingExchangeRate, RateBook
from dreamland.tours.models import TourDeparture

ZERO = Decimal("0.00")

# --- seats --------------------------------------------------------------------------------------


def _seats_taken_expression(*, exclude_booking_id: int | None = None) -> Coalesce:
    """SUM(num_participants) of the departure's bookings that are not cancelled (0 for none)."""
    rows = Booking.objects.filter(tour_departure=OuterRef("pk")).exclude(
        status=BookingStatus.CANCELLED
    )
    if exclude_booking_id is not None:
        rows = rows.exclude(pk=exclude_booking_id)
    total = rows.order_by().values("tour_departure").annotate(n=Sum("num_participants")).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def departures_with_seats(qs: QuerySet[TourDeparture] | None = None) -> QuerySet[TourDeparture]:
    """Departures annotated with `seats_taken`, their tour joined (for the effective capacity).

    A correlated subquery rather than a JOIN + GROUP BY: filters, ordering and the page's
    COUNT compose with it unchanged.
    """
    qs = TourDeparture.objects.all() if qs is None else qs
    return qs.select_related("tour").annotate(seats_taken=_seats_taken_expression())


def seats_taken(departure: TourDeparture, *, exclude_booking_id: int | None = None) -> int:
    """Seats booked on the departure: its `seats_taken` annotation, else one query.

    `exclude_booking_id` leaves one booking out (resizing or moving it re-checks the others).
    """
    annotated = getattr(departure, "seats_taken", None)
    if annotated is not None and exclude_booking_id is None:
        return int(annotated)
    return int(
        TourDeparture.objects.filter(pk=departure.pk)
        .annotate(n=_seats_taken_expression(exclude_booking_id=exclude_booking_id))
        .values_list("n", flat=True)
        .get()
    )


def seats_left(departure: TourDeparture) -> int:
    """Seats still bookable (never negative)."""
    return max(departure.effective_capacity - seats_taken(departure), 0)


def occupancy(departure: TourDeparture) -> Decimal:
    """Share of the capacity taken, 0..1 (0 for a departure without capacity)."""
    capacity = departure.effective_capacity
    if capacity <= 0:
        return Decimal(0)
    return (Decimal(seats_taken(departure)) / capacity).quantize(Decimal("0.0001"))


def with_seats(departures: Sequence[TourDeparture]) -> Sequence[TourDeparture]:
    """Set `seats_left` on each row of a `departures_with_seats` page (no query)."""
    for departure in departures:
        departure.seats_left = seats_left(departure)  # type: ignore[attr-defined]
    return departures


# --- what a booking owes ------------------------------------------------------------------------


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


def bookings_with_payments(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    """Bookings with their completed payments prefetched (`completed_payments`) for `with_balances`."""
    return qs.prefetch_related(
        Prefetch(
            "payments",
            queryset=Payment.objects.filter(status=PaymentStatus.COMPLETED),
            to_attr="completed_payments",
        )
    )


def booking_money(
    booking: Booking,
    *,
    payments: Iterable[Payment] | None = None,
    rates: RateBook | None = None,
) -> BookingMoney:
    """Each completed payment converted to the booking's currency at its payment date's rate.

    Uses `payments`, else the `completed_payments` a `bookings_with_payments` page prefetched,
    else one query. Raises `MissingExchangeRate` when a foreign-currency payment has no rate for
    its date. `rates` (a page's `RateBook`, see `page_rates`) saves the rates query.
    """
    if payments is None:
        payments = getattr(booking, "completed_payments", None)
    if payments is None:
        payments = booking.payments.filter(status=PaymentStatus.COMPLETED)
    currency = booking.currency or "KZT"
    done = [p for p in payments if p.status == PaymentStatus.COMPLETED]
    paid = ZERO
    if done:
        dates = [p.payment_date or timezone.localdate() for p in done]
        book = rates or RateBook(
            [currency, *(p.currency or currency for p in done)], min(dates), max(dates)
        )
        for p, on_date in zip(done, dates, strict=True):
            paid += book.convert(p.amount, p.currency or currency, currency, on_date)
    total = quantize(booking.total_amount or 0)
    return BookingMoney(
        currency=currency, total=total, paid=quantize(paid), balance_due=total - paid
    )


def page_rates(rows: Iterable[tuple[str | None, Iterable[Payment]]]) -> RateBook:
    """One `RateBook` for the payments of a page of bookings (`(booking currency, payments)`)."""
    currencies: set[str] = set()
    dates = []
    for currency, payments in rows:
        currencies.add(currency or "KZT")
        for p in payments:
            currencies.add(p.currency or currency or "KZT")
            dates.append(p.payment_date or timezone.localdate())
    today = timezone.localdate()
    return RateBook(currencies, min(dates, default=today), max(dates, default=today))


def with_balances(bookings: Sequence[Booking]) -> Sequence[Booking]:
    """Set `paid_amount`, `balance_due` (never negative) and `overpayment` on each booking.

    A payment without a rate for its date leaves the whole total due (shown, never a 500).
    The rates of the whole page are read in one query.
    """
    rates = page_rates(
        [(b.currency, getattr(b, "completed_payments", None) or []) for b in bookings]
    )
    for booking in bookings:
        try:
            money = booking_money(booking, rates=rates)
            paid, due, over = money.paid, max(money.balance_due, ZERO), money.overpayment
        except MissingExchangeRate:
            paid, due, over = ZERO, quantize(booking.total_amount or 0), ZERO
        booking.paid_amount = paid  # type: ignore[attr-defined]
        booking.balance_due = due  # type: ignore[attr-defined]
        booking.overpayment = over  # type: ignore[attr-defined]
    return bookings


# --- a client's history and lifetime value ------------------------------------------------------


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


def _lifetime_values(
    client_ids: Iterable[int], currency: str, *, strict: bool
) -> dict[int, Decimal | None]:
    """What each client paid over all bookings, in `currency`; two queries for any number.

    Completed payments only (refunded, failed and pending ones do not count). Each payment is
    converted at the rates of its own payment date: the value when the money came in, so the
    figure does not move with today's exchange rate. A missing rate raises with `strict`, else
    makes that client's value None.
    """
    rows = list(
        Payment.objects.filter(
            booking__client__in=list(client_ids), status=PaymentStatus.COMPLETED
        ).values_list(
            "booking__client_id", "amount", "currency", "payment_date", "booking__currency"
        )
    )
    totals: dict[int, Decimal | None] = defaultdict(lambda: ZERO)
    if not rows:
        return totals
    today = timezone.localdate()
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
            if strict:
                raise
            totals[client_id] = None
    return totals


def with_lifetime_values(clients: Sequence[Client], currency: str) -> Sequence[Client]:
    """Set `lifetime_value` (None when a rate is missing) and `lifetime_value_currency` on each
    client of a page, in two queries."""
    totals = _lifetime_values([c.pk for c in clients], currency, strict=False)
    for client in clients:
        value = totals[client.pk]
        client.lifetime_value = quantize(value) if value is not None else None  # type: ignore[attr-defined]
        client.lifetime_value_currency = currency  # type: ignore[attr-defined]
    return clients


def client_lifetime_value(*, client: Client, currency: str = "KZT") -> Decimal:
    """What the client paid over all bookings, in `currency` (`MissingExchangeRate` without a rate)."""
    value = _lifetime_values([client.pk], currency, strict=True)[client.pk]
    assert value is not None  # strict: a missing rate raised
    return quantize(value)
