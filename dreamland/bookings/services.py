"""Booking and payment writes: the seat rule, prices, and the paid/confirmed status.

Concurrency: the seat check locks the departure row (`SELECT … FOR UPDATE` on PostgreSQL; on
SQLite every transaction is `BEGIN IMMEDIATE`, see settings) before summing its seats, so two
requests for the last seat cannot both pass. Locks are always taken in the same order —
departures by id, then the booking — so concurrent moves between departures cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dreamland.audit.services import audit_record, audit_value
from dreamland.bookings.models import (
    Booking,
    BookingStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from dreamland.bookings.selectors import booking_money, seats_taken
from dreamland.bookings.travellers import check_travellers_fit
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.lib.changes import SALES, reports_changed
from dreamland.lib.choices import Currency, choice_name, choose_one_of
from dreamland.lib.errors import Conflict, RuleViolation, reject_unknown_fields
from dreamland.lib.money import quantize, to_decimal
from dreamland.money.selectors import convert
from dreamland.tours.models import Tour, TourDeparture

ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.PAID)
# Which payment status may follow which. A refund is recorded on the completed payment.
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.COMPLETED, PaymentStatus.FAILED}),
    PaymentStatus.COMPLETED: frozenset({PaymentStatus.REFUNDED}),
    PaymentStatus.FAILED: frozenset({PaymentStatus.PENDING}),
    PaymentStatus.REFUNDED: frozenset(),
}


class NoSeatsLeft(Conflict):
    code = "no_seats"


# --- helpers ------------------------------------------------------------------------------------


def _lock_departures(ids: Iterable[int]) -> dict[int, TourDeparture]:
    """Lock departures in id order (the one global lock order) and return them with their tour.

    The tours are read after the lock is held (not joined into the locking query), so a tour
    capacity changed by a transaction that held the lock before us is seen.
    """
    rows = list(
        TourDeparture.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
    )
    tours = Tour.objects.in_bulk({d.tour_id for d in rows})
    for d in rows:
        d.tour = tours[d.tour_id]
    return {d.pk: d for d in rows}


def _check_participants(num_participants: Any) -> int:
    if isinstance(num_participants, bool) or not isinstance(num_participants, int):
        raise ValidationError({"num_participants": _("Enter a whole number of participants.")})
    if num_participants < 1:
        raise ValidationError({"num_participants": _("At least one participant is needed.")})
    return num_participants


def _check_currency(currency: str, field: str = "currency") -> str:
    if currency not in Currency.values:
        raise ValidationError(
            {field: _("Unknown currency %(currency)s.") % {"currency": repr(currency)}}
        )
    return currency


def _check_seats(
    departure: TourDeparture, wanted: int, *, exclude_booking_id: int | None = None
) -> None:
    """Call while holding the departure's row lock."""
    capacity = departure.effective_capacity
    taken = seats_taken(departure, exclude_booking_id=exclude_booking_id)
    left = max(capacity - taken, 0)
    if wanted > left:
        where = {"tour": departure.tour, "date": departure.departure_date}
        if left == 0:
            message = _("No seats left on %(tour)s, %(date)s.") % where
        else:
            message = ngettext(
                "Only %(left)s seat left on %(tour)s, %(date)s; %(wanted)s requested.",
                "Only %(left)s seats left on %(tour)s, %(date)s; %(wanted)s requested.",
                left,
            ) % {**where, "left": left, "wanted": wanted}
        raise NoSeatsLeft(message, field="num_participants")


def _default_total(departure: TourDeparture, num_participants: int) -> Decimal:
    price = departure.effective_price
    if price is None:
        raise ValidationError(
            {
                "total_amount": _("%(departure)s has no price; enter the booking's total.")
                % {"departure": departure}
            }
        )
    return quantize(price * num_participants)


def _refresh_status(booking: Booking, actor: Any = None) -> None:
    """`paid` once converted completed payments cover the total; back to `confirmed` otherwise.

    Call while holding the booking's row lock. Cancelled and completed bookings keep their status.
    """
    if booking.status not in ACTIVE_STATUSES:
        return
    wanted = BookingStatus.PAID if booking_money(booking).is_covered else BookingStatus.CONFIRMED
    if booking.status != wanted:
        audit_record(obj=booking, changes={"status": (booking.status, wanted)}, actor=actor)
        booking.status = wanted
        booking.save(update_fields=["status", "updated_at"])


# --- bookings -----------------------------------------------------------------------------------


def booking_create(
    *,
    client: Client,
    tour_departure: TourDeparture,
    num_participants: int,
    lead: Lead | None = None,
    total_amount: Decimal | None = None,
    currency: str | None = None,
    actor: Any = None,
) -> Booking:
    """Book seats on a departure; `NoSeatsLeft` (409, code `no_seats`) when they are not there.

    Defaults: total = (departure price, else tour base price) x participants, in the departure's
    (else the tour's) currency. The booking starts `confirmed`.
    """
    num_participants = _check_participants(num_participants)
    if lead is not None and lead.client_id != client.pk:
        raise ValidationError({"lead": _("This lead belongs to another client.")})
    if total_amount is not None:
        total_amount = quantize(total_amount)
        if total_amount < 0:
            raise ValidationError({"total_amount": _("The total cannot be negative.")})
    if currency is not None:
        _check_currency(currency)
    with transaction.atomic():
        departure = _lock_departures([tour_departure.pk]).get(tour_departure.pk)
        if departure is None:
            raise ValidationError({"tour_departure": _("This departure does not exist.")})
        _check_seats(departure, num_participants)
        if total_amount is None:
            total_amount = _default_total(departure, num_participants)
            currency = departure.effective_currency
        booking = Booking.objects.create(
            client=client,
            lead=lead,
            tour_departure=departure,
            num_participants=num_participants,
            total_amount=total_amount,
            currency=currency or departure.effective_currency,
            status=BookingStatus.CONFIRMED,
        )
        audit_record(obj=booking, changes={"status": (None, booking.status)}, actor=actor)
        reports_changed(SALES)
        return booking


def _lock_booking(booking: Booking) -> Booking:
    return Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)


def booking_update(
    *,
    booking: Booking,
    num_participants: int | None = None,
    tour_departure: TourDeparture | None = None,
    total_amount: Decimal | None = None,
    currency: str | None = None,
    actor: Any = None,
) -> Booking:
    """Resize a booking or move it to another departure, re-checking seats on the target.

    A total that was the default (unit price x participants in the departure's currency) is
    recomputed for the new participants/departure; a negotiated total is kept unless a new
    `total_amount` is given.
    """
    if num_participants is not None:
        num_participants = _check_participants(num_participants)
    if total_amount is not None:
        total_amount = quantize(total_amount)
        if total_amount < 0:
            raise ValidationError({"total_amount": _("The total cannot be negative.")})
    if currency is not None:
        _check_currency(currency)
    with transaction.atomic():
        current_departure_id = Booking.objects.values_list("tour_departure_id", flat=True).get(
            pk=booking.pk
        )
        target_id = tour_departure.pk if tour_departure is not None else current_departure_id
        departures = _lock_departures([current_departure_id, target_id])
        locked = _lock_booking(booking)
        if locked.tour_departure_id != current_departure_id:  # moved meanwhile: lock again
            return booking_update(
                booking=locked,
                num_participants=num_participants,
                tour_departure=tour_departure,
                total_amount=total_amount,
                currency=currency,
                actor=actor,
            )
        if locked.status not in ACTIVE_STATUSES:
            raise RuleViolation(
                _("A %(status)s booking cannot be changed.")
                % {"status": choice_name(BookingStatus, locked.status)},
                code="booking_closed",
            )
        old_departure = departures[current_departure_id]
        target = departures.get(target_id)
        if target is None:
            raise ValidationError({"tour_departure": _("This departure does not exist.")})
        new_count = num_participants if num_participants is not None else locked.num_participants
        assert new_count is not None
        seats_change = new_count != locked.num_participants or target.pk != old_departure.pk
        if new_count < (locked.num_participants or 0):
            check_travellers_fit(booking_id=locked.pk, num_participants=new_count)
        if seats_change:
            _check_seats(target, new_count, exclude_booking_id=locked.pk)

        was_default = (
            old_departure.effective_price is not None
            and locked.total_amount
            == quantize(old_departure.effective_price * (locked.num_participants or 0))
            and locked.currency == old_departure.effective_currency
        )
        before = {
            "num_participants": locked.num_participants,
            "tour_departure": str(old_departure),
            "total_amount": audit_value(locked.total_amount, locked.currency),
        }
        fields = ["updated_at"]
        if seats_change:
            locked.num_participants = new_count
            locked.tour_departure = target
            fields += ["num_participants", "tour_departure"]
        if total_amount is not None:
            locked.total_amount = total_amount
            locked.currency = currency or locked.currency
            fields += ["total_amount", "currency"]
        elif currency is not None:
            locked.currency = currency
            fields.append("currency")
        elif seats_change and was_default and target.effective_price is not None:
            locked.total_amount = _default_total(target, new_count)
            locked.currency = target.effective_currency
            fields += ["total_amount", "currency"]
        locked.save(update_fields=fields)
        after = {
            "num_participants": locked.num_participants,
            "tour_departure": str(target),
            "total_amount": audit_value(locked.total_amount, locked.currency),
        }
        audit_record(obj=locked, changes={k: (before[k], after[k]) for k in before}, actor=actor)
        _refresh_status(locked, actor)
        reports_changed(SALES)
        return locked


def booking_cancel(*, booking: Booking, actor: Any = None) -> Booking:
    """Cancel a booking, freeing its seats. Cancelling twice is harmless; a completed trip stays."""
    with transaction.atomic():
        locked = _lock_booking(booking)
        if locked.status == BookingStatus.CANCELLED:
            return locked
        if locked.status == BookingStatus.COMPLETED:
            raise RuleViolation(
                _("A completed booking cannot be cancelled."), code="booking_closed"
            )
        audit_record(
            obj=locked, changes={"status": (locked.status, BookingStatus.CANCELLED)}, actor=actor
        )
        locked.status = BookingStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        reports_changed(SALES)
        return locked


def bookings_complete_past(*, today: date | None = None) -> int:
    """Mark confirmed/paid bookings whose departure date has passed as `completed`; the count."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(
            Booking.objects.select_for_update()
            .filter(status__in=ACTIVE_STATUSES, tour_departure__departure_date__lt=today)
            .only("pk", "status", "client_id", "lead_id")
        )
        for booking in due:
            audit_record(obj=booking, changes={"status": (booking.status, BookingStatus.COMPLETED)})
        if due:
            reports_changed(SALES)
        return Booking.objects.filter(pk__in=[b.pk for b in due]).update(
            status=BookingStatus.COMPLETED, updated_at=timezone.now()
        )


# --- payments -----------------------------------------------------------------------------------


def _clean_payment(payment: Payment, booking: Booking) -> None:
    amount = payment.amount
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    if payment.payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": choose_one_of(PaymentMethod.values)})
    if payment.status not in PaymentStatus.values:
        raise ValidationError({"status": choose_one_of(PaymentStatus.values)})
    _check_currency(payment.currency or "")
    if not isinstance(payment.payment_date, date):
        raise ValidationError({"payment_date": _("Enter the payment's date.")})
    # Refuse now rather than on every later balance: a foreign payment needs its date's rate.
    convert(amount, payment.currency or "", booking.currency or Currency.KZT, payment.payment_date)


def payment_create(
    *,
    booking: Booking,
    amount: Decimal,
    payment_method: str,
    currency: str | None = None,
    payment_date: date | None = None,
    status: str = PaymentStatus.COMPLETED,
    actor: Any = None,
) -> Payment:
    """Record an instalment; the booking turns `paid` once completed payments cover its total.

    A payment in another currency is converted at its `payment_date`'s rate
    (`MissingExchangeRate` when there is none).
    """
    try:
        amount = quantize(to_decimal(amount))
    except ValueError:
        raise ValidationError({"amount": _("Enter an amount.")}) from None
    with transaction.atomic():
        locked = _lock_booking(booking)
        if locked.status == BookingStatus.CANCELLED and status == PaymentStatus.COMPLETED:
            raise RuleViolation(
                _("A cancelled booking takes no payments; record a refund instead."),
                code="booking_closed",
            )
        payment = Payment(
            booking=locked,
            amount=amount,
            currency=currency or locked.currency or Currency.KZT,
            payment_date=payment_date or timezone.localdate(),
            payment_method=payment_method,
            status=status,
        )
        _clean_payment(payment, locked)
        payment.save()
        audit_record(
            obj=payment,
            changes={
                "amount": (None, audit_value(payment.amount, payment.currency)),
                "status": (None, payment.status),
            },
            actor=actor,
        )
        _refresh_status(locked, actor)
        reports_changed(SALES)
        return payment


def payment_update(*, payment: Payment, actor: Any = None, **fields: Any) -> Payment:
    """Edit a payment (amount, currency, payment_date, payment_method, status) and the booking's status."""
    allowed = {"amount", "currency", "payment_date", "payment_method", "status"}
    reject_unknown_fields(fields, allowed)
    new_status = fields.pop("status", None)
    with transaction.atomic():
        booking = _lock_booking(payment.booking)
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        before = {
            "amount": audit_value(locked.amount, locked.currency),
            "status": locked.status,
        }
        if "amount" in fields:
            try:
                fields["amount"] = quantize(to_decimal(fields["amount"]))
            except ValueError:
                raise ValidationError({"amount": _("Enter an amount.")}) from None
        if "currency" in fields and not fields["currency"]:
            fields["currency"] = booking.currency or Currency.KZT
        for name, value in fields.items():
            setattr(locked, name, value)
        if new_status is not None and new_status != locked.status:
            _check_payment_transition(locked.status or "", new_status)
            locked.status = new_status
        _clean_payment(locked, booking)
        locked.save()
        locked.booking = booking
        after = {"amount": audit_value(locked.amount, locked.currency), "status": locked.status}
        audit_record(obj=locked, changes={k: (before[k], after[k]) for k in before}, actor=actor)
        _refresh_status(booking, actor)
        reports_changed(SALES)
        return locked


def _check_payment_transition(current: str, new: str) -> None:
    if new not in PaymentStatus.values:
        raise ValidationError({"status": choose_one_of(PaymentStatus.values)})
    if new not in PAYMENT_TRANSITIONS.get(current, frozenset()):
        raise RuleViolation(
            _("A %(current)s payment cannot become %(new)s.")
            % {
                "current": choice_name(PaymentStatus, current),
                "new": choice_name(PaymentStatus, new),
            },
            field="status",
            code="illegal_transition",
        )


def payment_set_status(*, payment: Payment, status: str, actor: Any = None) -> Payment:
    """pending → completed|failed, failed → pending, completed → refunded; refunded is final."""
    return payment_update(payment=payment, status=status, actor=actor)
