"""/settings/reminders/ (admins edit, managers read, agents 403), /reminders/ and the inbox's
unanswered badge and count."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dreamland.reminders.models import ReminderKind, ReminderSetting
from dreamland.reminders.services import reminders_run

pytestmark = pytest.mark.django_db
URL = "/settings/reminders/"


def test_agents_get_403_and_managers_read_the_forms_disabled(
    login: Any, agent: Any, manager: Any
) -> None:
    assert login(agent).get(URL).status_code == 403
    html = login(manager).get(URL).content.decode()
    assert "Payment due" in html and "Before departure" in html and "Unanswered message" in html
    assert 'name="payment_due-offset"' in html and "disabled" in html
    assert ">Save</button>" not in html
    assert login(manager).post(URL, {"kind": "payment_due"}).status_code == 403
    assert not ReminderSetting.objects.exists()


def test_an_admin_turns_on_the_payment_reminder_with_a_template(
    login: Any, admin_user: Any, payment_template: Any
) -> None:
    response = login(admin_user).post(
        URL,
        {
            "kind": "payment_due",
            "payment_due-enabled": "on",
            "payment_due-offset": "5",
            "payment_due-template": str(payment_template.pk),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#payment_due")
    row = ReminderSetting.objects.get(kind=ReminderKind.PAYMENT_DUE)
    assert (row.enabled, row.offset, row.template, row.updated_by) == (
        True,
        5,
        payment_template,
        admin_user,
    )


def test_turning_a_send_on_without_a_template_is_refused_beside_the_field(
    login: Any, admin_user: Any
) -> None:
    response = login(admin_user).post(
        URL, {"kind": "pre_departure", "pre_departure-enabled": "on", "pre_departure-offset": "2"}
    )
    assert response.status_code == 422
    assert "Choose an active template to send." in response.content.decode()
    assert not ReminderSetting.objects.exists()


def test_an_admin_sets_the_working_hours_and_a_bad_day_is_refused(
    login: Any, admin_user: Any
) -> None:
    http = login(admin_user)
    good = {
        "kind": "unanswered",
        "unanswered-enabled": "on",
        "unanswered-offset": "45",
        "unanswered-work_days": ["1", "2", "3", "4", "5", "6"],
        "unanswered-work_start": "10:00",
        "unanswered-work_end": "19:30",
    }
    assert http.post(URL, good).status_code == 302
    row = ReminderSetting.objects.get(kind=ReminderKind.UNANSWERED)
    assert (row.offset, row.work_days, row.work_start, row.work_end) == (
        45,
        "123456",
        time(10),
        time(19, 30),
    )
    backwards = {**good, "unanswered-work_start": "20:00"}
    response = http.post(URL, backwards)
    assert response.status_code == 422
    assert "The working day must end after it starts." in response.content.decode()
    assert http.post(URL, {**good, "unanswered-offset": "0"}).status_code == 422
    assert http.post(URL, {"kind": "nonsense"}).status_code == 400
    assert ReminderSetting.objects.get(kind=ReminderKind.UNANSWERED).work_start == time(10)


def test_the_settings_page_is_in_the_settings_navigation(login: Any, manager: Any) -> None:
    html = login(manager).get("/settings/").content.decode()
    assert f'href="{URL}"' in html
    assert 'href="/reminders/"' in html  # the main navigation


@pytest.fixture
def waiting(make_lead: Any, message_at: Any, agent: Any, other_agent: Any, settings: Any) -> Any:
    """Two conversations waiting two hours: the agent's and another agent's."""
    settings.LEAD_ROUND_ROBIN = False
    ReminderSetting.objects.create(
        kind=ReminderKind.UNANSWERED,
        enabled=True,
        offset=1,
        work_days="1234567",
        work_start=time(0),
        work_end=time(23, 59, 59),
    )
    mine = make_lead(assigned_agent=agent)
    theirs = make_lead(assigned_agent=other_agent)
    for lead in (mine, theirs):
        message_at(lead, timezone.now() - timedelta(hours=2))
    reminders_run()
    return mine, theirs


def test_the_inbox_shows_the_agent_their_unanswered_rows_and_count(
    waiting: Any, login: Any, agent: Any, manager: Any, message_at: Any
) -> None:
    mine, _theirs = waiting
    html = login(agent).get("/inbox/").content.decode()
    assert html.count("chip-unanswered") == 1
    assert "1 unanswered" in html
    html = login(manager).get("/inbox/").content.decode()
    assert html.count("chip-unanswered") == 2 and "2 unanswered" in html
    # the agent answers: gone at once
    from dreamland.messaging.models import Direction

    message_at(mine, timezone.now(), Direction.OUTBOUND)
    html = login(agent).get("/inbox/").content.decode()
    assert "chip-unanswered" not in html and "unanswered</a>" not in html


def test_the_reminders_page_lists_the_users_waits_and_payments(
    waiting: Any,
    login: Any,
    agent: Any,
    turn_on: Any,
    payment_template: Any,
    make_booking: Any,
    make_departure: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mine, theirs = waiting
    turn_on(ReminderKind.PAYMENT_DUE, 7, template=payment_template)
    soon = make_departure(departure_date=timezone.localdate() + timedelta(days=3))
    later = make_departure(departure_date=timezone.localdate() + timedelta(days=12))
    sent = make_booking(client=mine.client, tour_departure=soon)
    upcoming = make_booking(client=mine.client, tour_departure=later)
    hidden = make_booking(client=theirs.client, tour_departure=soon)
    with django_capture_on_commit_callbacks():
        reminders_run()
    html = login(agent).get("/reminders/").content.decode()
    assert mine.client.name in html and theirs.client.name not in html
    assert f"#{sent.pk}</a>" in html and f"#{upcoming.pk}</a>" in html
    assert f"#{hidden.pk}</a>" not in html
    assert "sent " in html and "due " in html


@pytest.mark.parametrize("bookings", [1, 8])
def test_the_reminders_page_costs_the_same_queries_for_1_and_8_bookings(
    bookings: int,
    login: Any,
    manager: Any,
    make_booking: Any,
    make_departure: Any,
    django_assert_num_queries: Any,
) -> None:
    departure = make_departure(departure_date=timezone.localdate() + timedelta(days=3))
    for _ in range(bookings):
        make_booking(tour_departure=departure)
    http = login(manager)
    http.get("/reminders/")
    # session, user, settings, flags, bookings, their payments, rates, deliveries
    with django_assert_num_queries(8):
        response = http.get("/reminders/")
    assert len(response.context["payments"]) == bookings
