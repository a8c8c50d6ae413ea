"""The reports' filters: a date range, an agent (managers only), the currency to report in."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.models import Role, User
from dreamland.lib.choices import Currency
from dreamland.reports.selectors import ReportFilter

MAX_DAYS = 366 * 5  # five years: enough for a trend, bounded for the database


def default_start(today: date) -> date:
    """The first day of the month eleven months back: the last twelve calendar months."""
    month = today.replace(day=1)
    for _i in range(11):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("All agents"),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_manager:
            agents = self.fields["agent"]
            assert isinstance(agents, forms.ModelChoiceField)
            agents.queryset = User.objects.filter(role__in=[Role.AGENT, Role.MANAGER]).order_by(
                "name"
            )
        else:
            del self.fields["agent"]  # an agent's figures are their own

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start = data.get("start") or default_start(today)
        end = data.get("end") or today
        if start > end:
            self.add_error("end", _("The end date must not be before the start date."))
        elif (end - start).days > MAX_DAYS:
            self.add_error("start", _("Choose a range of at most five years."))
        data["start"], data["end"] = start, end
        return data

    def report_filter(self) -> ReportFilter:
        data = self.cleaned_data
        agent = data.get("agent") if self.user.is_manager else self.user
        return ReportFilter(
            start=data["start"],
            end=data["end"],
            currency=data.get("currency") or self.user.preferred_currency or Currency.KZT,
            agent=agent,
        )
