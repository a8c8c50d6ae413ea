"""`/reminders/`: what the reminders found for the user — conversations waiting for an answer
and the payment reminders due now or within a week (with what was sent, or why not)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dreamland.accounts.models import User
from dreamland.reminders.models import ReminderKind
from dreamland.reminders.selectors import (
    UPCOMING_DAYS,
    reminder_settings,
    unanswered_flags,
    upcoming_payment_reminders,
)

MAX_FLAGS = 200  # the page lists the longest waits; the inbox counts them all


@login_required
@require_GET
def reminder_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    settings_by_kind = reminder_settings()
    payment = settings_by_kind[ReminderKind.PAYMENT_DUE]
    return render(
        request,
        "reminders/list.html",
        {
            "flags": list(unanswered_flags(user)[:MAX_FLAGS]),
            "unanswered": settings_by_kind[ReminderKind.UNANSWERED],
            "payment": payment,
            "payments": upcoming_payment_reminders(user, setting=payment),
            "upcoming_days": UPCOMING_DAYS,
            "today": timezone.localdate(),
        },
    )
