"""Forms of the client pages: they parse; the services in clients/leads decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.models import User
from dreamland.leads.models import LeadStatus
from dreamland.leads.selectors import lead_assignable_users
from dreamland.lib.choices import Language
from dreamland.lib.phones import normalize_phone
from dreamland.tours.models import Tour
from dreamland.tours.selectors import active_tours


class ClientProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    # Any spelling; `client_update` normalises it to E.164 and refuses another client's number.
    phone = forms.CharField(label=_("Phone"), max_length=64)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=[("", "—"), *Language.choices], required=False
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_phone(self) -> str:
        """E.164 here already, so a bad number is reported beside the other fields' errors."""
        return normalize_phone(self.cleaned_data["phone"])


class ClientFilterForm(forms.Form):
    """The list's search and filters (GET); anything invalid is ignored rather than refused."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Lead status"), choices=[("", _("Any status")), *LeadStatus.choices], required=False
    )
    owner = forms.ChoiceField(label=_("Agent"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [
            ("", _("Everyone")),
            ("mine", _("My leads")),
            ("unassigned", _("Unassigned leads")),
            ("none", _("No lead")),
        ]
        if user.is_manager:
            choices += [(str(u.pk), u.name) for u in lead_assignable_users()]
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]


class LeadStatusForm(forms.Form):
    # `won` is reached by converting to a booking; the rules themselves are lead_transition's.
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in LeadStatus.choices if c[0] != LeadStatus.WON]
    )


class LeadAssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=_("Agent"), queryset=User.objects.none(), required=False, empty_label=_("Unassigned")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = lead_assignable_users()  # type: ignore[attr-defined]


class LeadTourForm(forms.Form):
    tour_interest = forms.ModelChoiceField(
        label=_("Tour interest"), queryset=Tour.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tour_interest"].queryset = active_tours()  # type: ignore[attr-defined]
