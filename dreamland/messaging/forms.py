"""Forms of the inbox pages: the filters, the reply box, the template picker, a logged call and
the lead's tour interest. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dreamland.leads.models import LeadSource
from dreamland.messaging.journal import LOGGABLE
from dreamland.messaging.models import CommunicationType, Direction, WhatsAppTemplate
from dreamland.messaging.page_actions import MAX_TEXT_LENGTH
from dreamland.messaging.selectors import SCOPES, InboxFilters
from dreamland.messaging.services import template_variables
from dreamland.tours.selectors import active_tours


class InboxFilterForm(forms.Form):
    """GET filters; anything unknown falls back to the default rather than failing the page."""

    scope = forms.ChoiceField(choices=[(s, s) for s in SCOPES], required=False)
    unread = forms.BooleanField(required=False, label=_("Unread only"))
    closing = forms.BooleanField(required=False, label=_("Window closing within 2 h"))
    source = forms.ChoiceField(
        choices=[("", _("Any source")), *LeadSource.choices], required=False, label=_("Source")
    )
    tour = forms.ModelChoiceField(
        queryset=active_tours(),
        required=False,
        empty_label=_("Any tour"),
        label=_("Tour"),
    )
    q = forms.CharField(required=False, max_length=100, label=_("Search"))

    def filters(self, *, manager: bool) -> InboxFilters:
        data = self.cleaned_data if self.is_valid() else {}
        scope = data.get("scope") or "all"
        tour = data.get("tour")
        return InboxFilters(
            scope=scope,
            unread=bool(data.get("unread")),
            closing=bool(data.get("closing")),
            source=data.get("source") or "",
            tour_id=tour.pk if tour else None,
            q=(data.get("q") or "").strip(),
        )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-reply-body": ""}),
    )


class LogForm(forms.Form):
    communication_type = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in CommunicationType if c in LOGGABLE],
        initial=CommunicationType.PHONE,
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND
    )
    subject = forms.CharField(label=_("Subject"), max_length=255, required=False)
    # Not "body": the page's one `<textarea name="body">` is the reply box (SPEC §6).
    note = forms.CharField(
        label=_("Note"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TourInterestForm(forms.Form):
    tour = forms.ModelChoiceField(
        queryset=active_tours(),
        required=False,
        empty_label=_("No tour"),
        label=_("Tour interest"),
    )


class TemplateForm(forms.Form):
    """One field per variable of the chosen template, pre-filled with what the system knows."""

    def __init__(
        self,
        *args: Any,
        template: WhatsAppTemplate,
        known: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        self.names = template_variables(template)
        known = known or {}
        for index, name in enumerate(self.names, start=1):
            self.fields[f"var_{index}"] = forms.CharField(
                label=name.replace("_", " "),
                max_length=1000,
                initial=known.get(name, ""),
                widget=forms.TextInput(attrs={"data-placeholder": str(index)}),
                error_messages={"required": _("Give a value for this variable.")},
            )

    def values(self) -> list[str]:
        return [self.cleaned_data[f"var_{i}"] for i in range(1, len(self.names) + 1)]
