"""The login form: email and password, with the account lockout that guards the API too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.models import User
from dreamland.accounts.services import AccountLocked, user_authenticate


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if email and password:
            try:
                self.user = user_authenticate(email=email, password=password)
            except AccountLocked as locked:
                raise forms.ValidationError(str(locked), code="locked") from None
            if self.user is None:
                raise forms.ValidationError(_("Wrong email or password."), code="invalid_login")
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("ru", "Русский"), ("en", "English")])
    next = forms.CharField(required=False, max_length=2000)
