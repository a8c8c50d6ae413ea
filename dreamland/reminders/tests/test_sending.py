"""Payment-due and pre-departure reminders: who is due when, sent once, refusals recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dreamland.bookings.models import Booking
from dreamland.bookings.services import booking_cancel
from dreamland.messaging.models import Communication, Direction, WhatsAppStatus
from dreamland.reminders.models import ReminderDelivery, ReminderKind
from dreamland.reminders.services import reminders_run

pytestmark = pytest.mark.django_db


def _departing_in(make_departure: Any, days: int) -> Any:
    return make_departure(departure_date=timezone.localdate() + timedelta(days=days))


def _sent_to(kind: str) -> list[int]:
    return sorted(
        ReminderDelivery.objects.filter(kind=kind, communication__isnull=False).values_list(
            "booking_id", flat=True
        )
    )


@pytest.fixture
def payment_due_on(turn_on: Any, payment_template: Any) -> Any:
    return turn_on(ReminderKind.PAYMENT_DUE, 7, template=payment_template)


def test_a_booking_that_owes_money_seven_days_before_departure_gets_the_template(
    payment_due_on: Any,
    make_booking: Any,
    make_departure: Any,
    make_client: Any,
    make_payment: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    client = make_client(name="Айгерим", preferred_language="ru")
    owing = make_booking(client=client, tour_departure=_departing_in(make_departure, 7))
    make_payment(booking=owing, amount="15000")
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        result = reminders_run()
    # then
    assert result.sent == {ReminderKind.PAYMENT_DUE: 1}
    assert len(callbacks) == 1  # the send is queued after the commit
    comm = Communication.objects.get(direction=Direction.OUTBOUND)
    assert comm.client == client
    assert comm.whatsapp_status == WhatsAppStatus.PENDING
    assert comm.message_type == "template"
    assert "осталось оплатить 30\xa0000\xa0₸." in (comm.body or "")
    delivery = ReminderDelivery.objects.get()
    assert (delivery.booking, delivery.communication) == (owing, comm)
    assert delivery.due_date == owing.tour_departure.departure_date


def test_only_confirmed_bookings_with_a_balance_within_n_days_are_due(
    payment_due_on: Any,
    make_booking: Any,
    make_departure: Any,
    make_payment: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    in_seven = _departing_in(make_departure, 7)
    due_today = make_booking(tour_departure=in_seven)
    caught_up = make_booking(tour_departure=_departing_in(make_departure, 3))  # a missed day
    make_booking(tour_departure=_departing_in(make_departure, 8))  # not yet
    make_booking(tour_departure=_departing_in(make_departure, 0))  # leaves today: too late
    paid = make_booking(tour_departure=in_seven)
    make_payment(booking=paid, amount="45000")
    cancelled = make_booking(tour_departure=in_seven)
    booking_cancel(booking=cancelled)
    free = make_booking(tour_departure=in_seven, total_amount=0)
    with django_capture_on_commit_callbacks():
        reminders_run()
    assert Booking.objects.get(pk=paid.pk).status == "paid"
    assert Booking.objects.get(pk=free.pk).status == "confirmed"
    assert _sent_to(ReminderKind.PAYMENT_DUE) == sorted([due_today.pk, caught_up.pk])


def test_a_second_pass_sends_nothing_and_a_moved_booking_is_reminded_again(
    payment_due_on: Any,
    make_booking: Any,
    make_departure: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    booking = make_booking(tour_departure=_departing_in(make_departure, 5))
    with django_capture_on_commit_callbacks():
        assert reminders_run().sent == {ReminderKind.PAYMENT_DUE: 1}
    with django_capture_on_commit_callbacks() as callbacks:
        assert reminders_run().sent == {}
    assert callbacks == []
    assert Communication.objects.filter(direction=Direction.OUTBOUND).count() == 1
    # moved to another departure (same tour), also within the 7 days: a new due date
    from dreamland.bookings.services import booking_update

    later = make_departure(
        tour=booking.tour_departure.tour, departure_date=timezone.localdate() + timedelta(days=6)
    )
    booking_update(booking=booking, tour_departure=later)
    with django_capture_on_commit_callbacks():
        assert reminders_run().sent == {ReminderKind.PAYMENT_DUE: 1}
    assert ReminderDelivery.objects.count() == 2


def test_a_refused_send_is_recorded_with_its_reason_and_not_retried(
    turn_on: Any,
    make_booking: Any,
    make_departure: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from dreamland.messaging.services import template_create

    needs_more = template_create(
        name="needs_passport", content="{{1}}: {{2}}", variables=["customer_name", "passport"]
    )
    turn_on(ReminderKind.PAYMENT_DUE, 7, template=needs_more)
    make_booking(tour_departure=_departing_in(make_departure, 2))
    with django_capture_on_commit_callbacks() as callbacks:
        result = reminders_run()
        again = reminders_run()
    assert result.refused == {ReminderKind.PAYMENT_DUE: 1}
    assert again.refused == {}
    assert callbacks == []
    delivery = ReminderDelivery.objects.get()
    assert delivery.communication is None
    assert "passport" in delivery.error
    assert not Communication.objects.exists()


def test_nothing_is_sent_or_recorded_while_off_or_whatsapp_is_not_configured(
    turn_on: Any,
    payment_template: Any,
    make_booking: Any,
    make_departure: Any,
    settings: Any,
) -> None:
    make_booking(tour_departure=_departing_in(make_departure, 2))
    setting = turn_on(ReminderKind.PAYMENT_DUE, 7, template=payment_template, enabled=False)
    assert reminders_run().sent == {}
    setting.enabled = True
    setting.save()
    settings.WHATSAPP_ACCESS_TOKEN = ""
    result = reminders_run()
    assert result.skipped_not_configured
    assert not ReminderDelivery.objects.exists()  # sent once WhatsApp is set up


def test_pre_departure_reminds_confirmed_and_paid_bookings_m_days_ahead(
    turn_on: Any,
    trip_template: Any,
    make_booking: Any,
    make_departure: Any,
    make_payment: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    turn_on(ReminderKind.PRE_DEPARTURE, 2, template=trip_template)
    in_two = _departing_in(make_departure, 2)
    confirmed = make_booking(tour_departure=in_two)
    paid = make_booking(tour_departure=in_two)
    make_payment(booking=paid, amount="45000")
    cancelled = make_booking(tour_departure=in_two)
    booking_cancel(booking=cancelled)
    make_booking(tour_departure=_departing_in(make_departure, 3))
    with django_capture_on_commit_callbacks():
        result = reminders_run()
        reminders_run()
    assert result.sent == {ReminderKind.PRE_DEPARTURE: 2}
    assert _sent_to(ReminderKind.PRE_DEPARTURE) == sorted([confirmed.pk, paid.pk])
    body = Communication.objects.filter(client=paid.client).get().body or ""
    assert in_two.departure_date.strftime("%d.%m.%Y") in body


def test_a_pass_reads_a_fixed_number_of_queries_whatever_the_bookings(
    payment_due_on: Any,
    make_booking: Any,
    make_departure: Any,
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """With nothing new to send, a pass costs the same for 2 or 12 due bookings."""
    departure = _departing_in(make_departure, 3)

    def quiet_pass_queries() -> int:
        with django_capture_on_commit_callbacks():
            reminders_run()  # sends what is new
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            reminders_run()
        return len(ctx.captured_queries)

    for _ in range(2):
        make_booking(tour_departure=departure)
    few = quiet_pass_queries()
    for _ in range(10):
        make_booking(tour_departure=departure)
    assert quiet_pass_queries() == few
