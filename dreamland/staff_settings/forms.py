"""Settings forms: they parse and label; accounts, messaging and money services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.models import Role, User
from dreamland.lib.choices import Currency, Language
from dreamland.messaging.models import TemplateCategory, WhatsAppTemplate
from dreamland.money.services import SUPPORTED

MAX_RATES_FILE = 1_000_000  # bytes: an NBK daily file is a few kilobytes


def read_only(form: forms.BaseForm) -> forms.BaseForm:
    """What a manager sees: the same form, every field disabled (they read, admins edit)."""
    for field in form.fields.values():
        field.disabled = True
    return form


class _PasswordFields(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2", "")
        if first and first != second:
            raise forms.ValidationError(_("The two passwords differ."), code="password_mismatch")
        return second

    def _validate_password(self, user: User | None) -> None:
        password = self.cleaned_data.get("password2")
        if password and not self.has_error("password2"):
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)


class UserCreateForm(_PasswordFields):
    name = forms.CharField(label=_("Name"), max_length=255)
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, initial=Language.RU
    )
    field_order = ["name", "email", "role", "preferred_language", "password1", "password2"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._validate_password(None)
        return data


class UserEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("An inactive user cannot log in.")
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    preferred_currency = forms.ChoiceField(label=_("Reporting currency"), choices=Currency.choices)

    def __init__(self, *args: Any, user: User, actor: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {name: getattr(user, name) for name in self.base_fields},
        )
        super().__init__(*args, **kwargs)
        self.user, self.actor = user, actor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.user.pk == self.actor.pk:
            # An admin cannot lock themselves out of the settings.
            if "role" in data and data["role"] != Role.ADMIN:
                self.add_error("role", _("You cannot take away your own admin role."))
            if "is_active" in data and not data["is_active"]:
                self.add_error("is_active", _("You cannot deactivate yourself."))
        return data

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class PasswordResetForm(_PasswordFields):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._validate_password(self.user)
        return data


class TemplateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=512,
        help_text=_("As approved by Meta: lowercase letters, digits and underscores."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.RU)
    category = forms.ChoiceField(
        label=_("Category"), choices=TemplateCategory.choices, initial=TemplateCategory.UTILITY
    )
    content = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Placeholders {{1}}, {{2}}, … are filled in when the message is sent."),
    )
    variables = forms.CharField(
        label=_("Variables"),
        required=False,
        max_length=2000,
        help_text=_("The names of {{1}}, {{2}}, … in order, separated by commas."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_variables(self) -> list[str]:
        raw = self.cleaned_data.get("variables") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]


class RateForm(forms.Form):
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[c for c in Currency.choices if c[0] in SUPPORTED]
    )
    on_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.DecimalField(
        label=_("Tenge for 1 unit"),
        max_digits=18,
        decimal_places=6,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.000001", "min": "0"}),
    )


class RatesFileForm(forms.Form):
    file = forms.FileField(
        label=_("National Bank rates file (XML)"),
        help_text=_("The daily rates XML from nationalbank.kz (get_rates.cfm or its RSS)."),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RATES_FILE:
            raise forms.ValidationError(_("The file is too large for a rates file."))
        return bytes(upload.read())


class RoundRobinForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("on", _("On")), ("off", _("Off"))], coerce=lambda v: v == "on"
    )


WEEKDAYS = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]


class ReminderSettingForm(forms.Form):
    """One reminder kind's setting (/settings/reminders/): on/off, when, and its template or
    the working hours. The form is prefixed with the kind, so the three share one page."""

    enabled = forms.BooleanField(label=_("On"), required=False)
    offset = forms.IntegerField(min_value=1)

    def __init__(self, *args: Any, kind: str, sending: bool, **kwargs: Any) -> None:
        kwargs["prefix"] = kind
        super().__init__(*args, **kwargs)
        self.kind = kind
        offset = self.fields["offset"]
        assert isinstance(offset, forms.IntegerField)
        if sending:
            offset.label = _("Days before the departure")
            offset.max_value = 365
            offset.widget.attrs.update({"min": "1", "max": "365"})
            self.fields["template"] = forms.ModelChoiceField(
                label=_("Template to send"),
                queryset=WhatsAppTemplate.objects.filter(active=True).order_by("name", "language"),
                required=False,
                empty_label=_("No template"),
                to_field_name="pk",
                help_text=_(
                    "Sent in the client's language when the template has that translation."
                ),
            )
        else:
            offset.label = _("Working minutes without an answer")
            offset.max_value = 10_080
            offset.widget.attrs.update({"min": "1", "max": "10080"})
            self.fields["work_days"] = forms.MultipleChoiceField(
                label=_("Working days"),
                choices=WEEKDAYS,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "weekdays"}),
                required=False,
            )
            self.fields["work_start"] = forms.TimeField(
                label=_("Working day starts"), widget=forms.TimeInput(attrs={"type": "time"})
            )
            self.fields["work_end"] = forms.TimeField(
                label=_("Working day ends"), widget=forms.TimeInput(attrs={"type": "time"})
            )

    def values(self) -> dict[str, Any]:
        """The cleaned data as `reminder_setting_save` takes it."""
        data = dict(self.cleaned_data)
        if "work_days" in data:
            data["work_days"] = "".join(data["work_days"])
        return data
