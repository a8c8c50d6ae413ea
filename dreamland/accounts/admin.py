"""Users in the back office (admins only): create with a password, set role and active; no hash shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dreamland.accounts.models import User
from dreamland.accounts.services import user_create, user_update, users_unlock
from dreamland.lib.admin import ServiceModelAdmin, changed

USER_FIELDS = ("email", "name", "role", "is_active", "preferred_language", "preferred_currency")


class UserCreationForm(forms.ModelForm):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput, strip=False
    )

    class Meta:
        model = User
        fields = USER_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, self.instance)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserChangeForm(forms.ModelForm):
    new_password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput,
        strip=False,
        required=False,
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = USER_FIELDS

    def clean_new_password(self) -> str:
        password = self.cleaned_data.get("new_password") or ""
        if password:
            validate_password(password, self.instance)
        return password


@admin.register(User)
class UserAdmin(ServiceModelAdmin):
    """Writes through `dreamland.accounts.services` (one email rule); users are deactivated,
    never deleted (their leads and messages keep their name)."""

    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email", "name", "role", "is_active", "last_login", "locked_until")
    list_filter = ("role", "is_active", "preferred_language")
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("last_login", "failed_login_attempts", "locked_until", "created_at")
    actions = ("unlock",)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": (*USER_FIELDS, "password1", "password2")})]
        return [
            (None, {"fields": (*USER_FIELDS, "new_password")}),
            (_("Sign-in"), {"fields": self.readonly_fields}),
        ]

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        data = form.cleaned_data
        if not change:
            fields = {name: data[name] for name in USER_FIELDS}
            return user_create(password=data["password1"], **fields)
        fields = changed(form, USER_FIELDS)
        if data.get("new_password"):
            fields["password"] = data["new_password"]
        return user_update(user=User.objects.get(pk=obj.pk), **fields)

    @admin.action(description=_("Unlock selected users (reset failed logins)"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = users_unlock(users=queryset)
        message = ngettext("%(count)s user(s) unlocked.", "%(count)s user(s) unlocked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
