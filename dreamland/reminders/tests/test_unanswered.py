"""A lead whose inbound message waits longer than N working minutes is flagged, once, and a
reply clears the flag at once (read time) and for good (the next pass)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dreamland.messaging.models import Direction
from dreamland.reminders.models import ReminderDelivery, ReminderKind
from dreamland.reminders.selectors import unanswered_count, unanswered_flags
from dreamland.reminders.services import reminders_run

pytestmark = pytest.mark.django_db


def _since(user: Any, lead: Any) -> dict[int | None, Any]:
    """The lead's open flag as the user is shown it: {lead id: waiting since}, or {}."""
    return {f.lead_id: f.waiting_since for f in unanswered_flags(user) if f.lead_id == lead.pk}


ALMATY = ZoneInfo("Asia/Almaty")
FRIDAY_1750 = datetime(2026, 12, 4, 17, 50, tzinfo=ALMATY)
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=ALMATY)


@pytest.fixture
def thirty_minutes(turn_on: Any) -> Any:
    return turn_on(ReminderKind.UNANSWERED, 30)


def test_a_message_from_friday_evening_is_flagged_on_monday_after_thirty_working_minutes(
    thirty_minutes: Any, make_lead: Any, message_at: Any, agent: Any
) -> None:
    lead = make_lead(assigned_agent=agent)
    inbound = message_at(lead, FRIDAY_1750)
    assert reminders_run(now=MONDAY + timedelta(minutes=19)).flagged == 0
    assert reminders_run(now=MONDAY + timedelta(minutes=20)).flagged == 1
    flag = ReminderDelivery.objects.get()
    assert (flag.kind, flag.object_id, flag.lead, flag.waiting_since) == (
        ReminderKind.UNANSWERED,
        inbound.pk,
        lead,
        FRIDAY_1750,
    )
    assert reminders_run(now=MONDAY + timedelta(hours=2)).flagged == 0  # once
    assert ReminderDelivery.objects.count() == 1


def test_an_answered_message_is_not_flagged(
    thirty_minutes: Any, make_lead: Any, message_at: Any
) -> None:
    lead = make_lead()
    message_at(lead, MONDAY + timedelta(minutes=5))
    message_at(lead, MONDAY + timedelta(minutes=6), Direction.OUTBOUND)
    assert reminders_run(now=MONDAY + timedelta(hours=3)).flagged == 0


def test_a_reply_clears_the_flag_at_once_and_the_next_pass_marks_it_answered(
    thirty_minutes: Any, make_lead: Any, message_at: Any, agent: Any
) -> None:
    lead = make_lead(assigned_agent=agent)
    message_at(lead, MONDAY)
    reminders_run(now=MONDAY + timedelta(hours=1))
    assert _since(agent, lead) == {lead.pk: MONDAY}
    assert unanswered_count(agent) == 1
    # the agent replies
    message_at(lead, MONDAY + timedelta(hours=1, minutes=5), Direction.OUTBOUND)
    assert _since(agent, lead) == {}
    assert unanswered_count(agent) == 0
    result = reminders_run(now=MONDAY + timedelta(hours=1, minutes=6))
    assert result.answered == 1
    assert ReminderDelivery.objects.get().resolved_at is not None
    # the client writes again and waits again: a new flag for the new message
    message_at(lead, MONDAY + timedelta(hours=2))
    assert reminders_run(now=MONDAY + timedelta(hours=3)).flagged == 1
    assert _since(agent, lead) == {lead.pk: MONDAY + timedelta(hours=2)}


def test_a_lead_waiting_on_several_messages_has_one_flag_since_the_first(
    thirty_minutes: Any, make_lead: Any, message_at: Any, agent: Any
) -> None:
    lead = make_lead()
    message_at(lead, MONDAY)
    reminders_run(now=MONDAY + timedelta(hours=1))
    message_at(lead, MONDAY + timedelta(hours=1, minutes=10))
    assert reminders_run(now=MONDAY + timedelta(hours=3)).flagged == 0
    assert _since(agent, lead) == {lead.pk: MONDAY}


def test_old_history_and_the_off_switch_flag_nothing(
    turn_on: Any, make_lead: Any, message_at: Any
) -> None:
    message_at(make_lead(), MONDAY - timedelta(days=30))
    setting = turn_on(ReminderKind.UNANSWERED, 30)
    assert reminders_run(now=MONDAY + timedelta(hours=1)).flagged == 0
    message_at(make_lead(), MONDAY)
    setting.enabled = False
    setting.save()
    assert reminders_run(now=MONDAY + timedelta(hours=1)).flagged == 0


def test_the_flag_is_shown_to_its_agent_and_managers_not_to_another_agent(
    thirty_minutes: Any,
    make_lead: Any,
    message_at: Any,
    agent: Any,
    other_agent: Any,
    manager: Any,
    settings: Any,
) -> None:
    settings.LEAD_ROUND_ROBIN = False
    mine = make_lead(assigned_agent=agent)
    unassigned = make_lead()
    message_at(mine, MONDAY)
    message_at(unassigned, MONDAY)
    reminders_run(now=MONDAY + timedelta(hours=1))
    assert {f.lead_id for f in unanswered_flags(agent)} == {mine.pk, unassigned.pk}
    assert {f.lead_id for f in unanswered_flags(other_agent)} == {unassigned.pk}
    assert unanswered_count(manager) == 2


def test_the_default_is_on_at_thirty_working_minutes(make_lead: Any, message_at: Any) -> None:
    lead = make_lead()
    message_at(lead, MONDAY)
    assert reminders_run(now=MONDAY + timedelta(minutes=29)).flagged == 0
    assert reminders_run(now=MONDAY + timedelta(minutes=30)).flagged == 1


def test_the_command_makes_one_pass_and_a_second_one_adds_nothing(
    turn_on: Any, make_lead: Any, message_at: Any
) -> None:
    from datetime import time
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    turn_on(
        ReminderKind.UNANSWERED,
        30,
        work_days="1234567",
        work_start=time(0),
        work_end=time(23, 59, 59),
    )
    message_at(make_lead(), timezone.now() - timedelta(hours=2))
    out = StringIO()
    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)
    assert "unanswered flagged" in out.getvalue()
    assert ReminderDelivery.objects.count() == 1


def test_enqueue_hands_the_pass_to_the_task_worker(
    turn_on: Any, make_lead: Any, message_at: Any
) -> None:
    """The tests' task backend runs the task at once, as the worker would."""
    from datetime import time
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    turn_on(
        ReminderKind.UNANSWERED, 1, work_days="1234567", work_start=time(0), work_end=time(23, 59)
    )
    message_at(make_lead(), timezone.now() - timedelta(days=1))
    out = StringIO()
    call_command("send_reminders", "--enqueue", stdout=out)
    assert "Enqueued task" in out.getvalue()
    assert ReminderDelivery.objects.count() == 1
