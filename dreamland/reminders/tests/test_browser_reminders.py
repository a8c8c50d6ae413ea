"""In Chromium: an admin turns the payment reminder on with a template and sets the working
hours; the agent's /reminders/ page and the inbox show a conversation waiting for an answer.
Screenshots under var/screenshots/ (English and Russian)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dreamland.accounts.models import User
from dreamland.reminders.models import ReminderKind, ReminderSetting
from dreamland.reminders.services import reminders_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _enter(page: Any, log_in: Any, user: User) -> None:
    log_in(page, user, expect="")
    page.wait_for_load_state()
    page.failures.clear()


def test_an_admin_sets_up_the_reminders(
    page: Any, log_in: Any, screenshot: Any, admin_user: User, payment_template: Any
) -> None:
    _enter(page, log_in, admin_user)
    page.goto("/settings/reminders/")
    card = page.locator("#payment_due")
    card.locator("input[name='payment_due-enabled']").check()
    card.locator("input[name='payment_due-offset']").fill("5")
    card.locator("select[name='payment_due-template']").select_option(str(payment_template.pk))
    card.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Payment due saved.")
    setting = ReminderSetting.objects.get(kind=ReminderKind.PAYMENT_DUE)
    assert (setting.enabled, setting.offset, setting.template_id) == (True, 5, payment_template.pk)
    hours = page.locator("#unanswered")
    hours.get_by_label("Sat").check()
    hours.locator("input[name='unanswered-work_start']").fill("10:00")
    hours.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Unanswered message saved.")
    row = ReminderSetting.objects.get(kind=ReminderKind.UNANSWERED)
    assert (row.work_days, row.work_start) == ("123456", time(10))
    screenshot(page, "settings-reminders")
    assert page.failures == [] and page.foreign == []


def test_the_agent_sees_who_waits_for_an_answer(
    page: Any,
    log_in: Any,
    screenshot: Any,
    agent: User,
    make_lead: Any,
    message_at: Any,
    settings: Any,
) -> None:
    settings.LEAD_ROUND_ROBIN = False
    ReminderSetting.objects.create(
        kind=ReminderKind.UNANSWERED,
        enabled=True,
        offset=1,
        work_days="1234567",
        work_start=time(0),
        work_end=time(23, 59, 59),
    )
    from dreamland.clients.models import Client

    lead = make_lead(
        client=Client.objects.create(name="Айгерим Сапарова", phone="+77015550001"),
        assigned_agent=agent,
    )
    message_at(lead, timezone.now() - timedelta(hours=3))
    reminders_run()
    _enter(page, log_in, agent)
    page.goto("/inbox/")
    page.locator(".chip-unanswered").wait_for()
    assert page.get_by_text("1 unanswered").is_visible()
    screenshot(page, "inbox-unanswered")
    page.goto("/reminders/")
    page.get_by_role("link", name="Айгерим Сапарова").wait_for()
    screenshot(page, "reminders")
    User.objects.filter(pk=agent.pk).update(preferred_language="ru")
    page.goto("/reminders/")
    page.get_by_text("Ждут ответа").wait_for()
    screenshot(page, "reminders-ru")
    assert page.failures == [] and page.foreign == []


def test_a_manager_reads_the_reminder_settings_in_russian(
    page: Any, log_in: Any, screenshot: Any, manager: User
) -> None:
    User.objects.filter(pk=manager.pk).update(preferred_language="ru")
    _enter(page, log_in, manager)
    page.goto("/settings/reminders/")
    page.get_by_text("Срок оплаты").first.wait_for()
    assert page.locator("input[name='payment_due-offset']").is_disabled()
    screenshot(page, "settings-reminders-ru")
    assert page.failures == [] and page.foreign == []
