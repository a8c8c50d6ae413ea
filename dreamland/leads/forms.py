"""Forms of the pipeline pages: they parse and validate; the lead services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.models import User
from dreamland.leads.board import BoardFilters
from dreamland.leads.models import Lead, LeadSource, LeadStatus, LostReason
from dreamland.leads.selectors import lead_assignable_users
from dreamland.tours.models import Tour

UNASSIGNED = "none"


class PrintedField(TypedDict):
    """A filter field as the board writes it out."""

    name: str
    label: Any  # a lazy translation
    value: str  # as typed
    errors: Sequence[str]
    options: Sequence[tuple[Any, Any]] | None  # a select's (value, label); None: a date


class BoardFilterForm(forms.Form):
    """The board's filters (GET); a bad value is reported beside its field and ignored."""

    agent = forms.ChoiceField(label=_("Agent"), required=False)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *LeadSource.choices]
    )
    tour = forms.ModelChoiceField(
        label=_("Tour"), required=False, queryset=Tour.objects.none(), empty_label=_("All tours")
    )
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, agents: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = agents if agents is not None else list(lead_assignable_users())
        self.fields["agent"].choices = [  # type: ignore[attr-defined]
            ("", _("All agents")),
            (UNASSIGNED, _("Unassigned")),
            *((str(u.pk), u.name) for u in people),
        ]
        self.fields["tour"].queryset = Tour.objects.order_by("name")  # type: ignore[attr-defined]

    def fields_to_print(self) -> list[PrintedField]:
        """Each field as the board writes it out (name, label, the value as typed, the errors,
        and a select's (value, label) options; None for a date): rendering the five widgets
        through the form renderer's templates cost ~5 ms a board. Call after `filters()`."""
        tours = [(str(t.pk), str(t)) for t in self.fields["tour"].queryset]  # type: ignore[attr-defined]
        options: dict[str, Any] = {
            "agent": self.fields["agent"].choices,  # type: ignore[attr-defined]
            "source": self.fields["source"].choices,  # type: ignore[attr-defined]
            "tour": [("", self.fields["tour"].empty_label), *tours],  # type: ignore[attr-defined]
        }
        printed: list[PrintedField] = []
        for name, field in self.fields.items():
            value = self.data.get(name, "") if self.is_bound else ""
            printed.append(
                PrintedField(
                    name=name,
                    label=field.label,
                    value=str(value),
                    errors=[str(e) for e in self.errors.get(name, [])] if self.is_bound else [],
                    options=options.get(name),
                )
            )
        return printed

    def filters(self) -> BoardFilters:
        self.is_valid()  # the valid fields stay in cleaned_data, a bad one is left out
        data = self.cleaned_data
        agent = data.get("agent") or ""
        tour = data.get("tour")
        return BoardFilters(
            agent_id=int(agent) if agent.isdigit() else None,
            unassigned=agent == UNASSIGNED,
            source=data.get("source") or None,
            tour_id=tour.pk if tour is not None else None,
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
        )


def active_lost_reasons() -> QuerySet[LostReason]:
    return LostReason.objects.filter(active=True).order_by("position", "name")


class MoveForm(forms.Form):
    """Move a card to another column; `lost` needs a reason from the list."""

    status = forms.ChoiceField(label=_("Status"), choices=LeadStatus.choices)
    lost_reason = forms.ModelChoiceField(
        label=_("Reason"), required=False, queryset=LostReason.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].queryset = active_lost_reasons()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == LeadStatus.LOST and not data.get("lost_reason"):
            self.add_error("lost_reason", _("Choose why the lead was lost."))
        return data


class AssignForm(forms.Form):
    """Give one lead or several to an agent (managers), or take them from everyone."""

    leads = forms.ModelMultipleChoiceField(
        label=_("Leads"),
        queryset=Lead.objects.none(),
        error_messages={"required": _("Select at least one card.")},
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody —"),
    )

    def __init__(self, *args: Any, leads: QuerySet[Lead], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = leads  # type: ignore[attr-defined]
        self.fields["agent"].queryset = lead_assignable_users()  # type: ignore[attr-defined]


class LostReasonForm(forms.ModelForm):
    class Meta:
        model = LostReason
        fields = ["name", "position", "active"]
        widgets = {"position": forms.NumberInput(attrs={"min": 0})}
