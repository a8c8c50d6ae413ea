"""Back-office plumbing: admin pages whose writes go through the domain services.

Django's admin saves a model directly; for leads, bookings and payments that would skip the
pipeline, seat and payment rules. A `ServiceModelAdmin` instead calls `service_save`, and runs
it once beforehand as a dry run (`dreamland.lib.dryrun`) while validating the form, so a rule
the service refuses becomes a form error instead of a 500. Deletes go through `service_delete`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dreamland.lib.dryrun import dry_run
from dreamland.lib.errors import DomainError

admin.site.site_header = "Dreamland PRO"
admin.site.site_title = "Dreamland PRO"
admin.site.index_title = _("Back office")


def add_service_errors(form: forms.BaseForm, exc: Exception) -> None:
    """Put a service's refusal on the form: on its field when the form has it, else on top."""
    if isinstance(exc, DomainError):
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class ServiceModelAdmin(admin.ModelAdmin):
    """A ModelAdmin that adds and changes rows only through `service_save`, and deletes them
    only through `service_delete`: a subclass that does not define it offers no delete."""

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        raise NotImplementedError

    def service_delete(self, *, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if type(self).service_delete is ServiceModelAdmin.service_delete:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            self.service_delete(request=request, obj=obj)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Each row through `service_delete`; the refused ones stay, each with its reason."""
        for obj in queryset:
            self.delete_model(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(base):  # type: ignore[valid-type,misc]
            def _post_clean(self) -> None:
                super()._post_clean()
                if self._errors:
                    return
                try:
                    with dry_run():
                        model_admin.service_save(
                            request=request, obj=self.instance, form=self, change=change
                        )
                except (ValidationError, DomainError) as exc:
                    add_service_errors(self, exc)

        return ServiceForm

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> None:
        saved = self.service_save(request=request, obj=obj, form=form, change=change)
        obj.pk = saved.pk
        obj.refresh_from_db()


def changed(form: forms.ModelForm[Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The cleaned values of the listed fields the user actually changed."""
    return {name: form.cleaned_data[name] for name in names if name in form.changed_data}


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown for context; they are edited on their own pages."""

    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LastRowsFormSet(forms.BaseInlineFormSet):
    """An inline that shows only the newest `max_rows` rows (a client may have thousands)."""

    max_rows = 20

    def get_queryset(self) -> Any:
        if not hasattr(self, "_last_rows"):
            qs = super().get_queryset()
            ids = list(qs.values_list("pk", flat=True)[: self.max_rows])
            self._last_rows = qs.filter(pk__in=ids)
        return self._last_rows
