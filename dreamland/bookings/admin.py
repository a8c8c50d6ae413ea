"""Bookings and payments in the back office, written only through the booking services.

Status, seats and totals are the services' business: a booking is added with `booking_create`
(seat check), changed with `booking_update`, cancelled with `booking_cancel`; payments with
`payment_create` / `payment_update`, which keep the booking's paid status right.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from dreamland.bookings.conversion import lead_convert
from dreamland.bookings.models import Booking, Payment
from dreamland.bookings.services import (
    booking_cancel,
    booking_create,
    booking_update,
    payment_create,
    payment_update,
)
from dreamland.lib.admin import ReadOnlyInline, ServiceModelAdmin, changed
from dreamland.lib.errors import DomainError


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("payment_date", "amount", "currency", "payment_method", "status")
    readonly_fields = fields


class BookingForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("total_amount", "currency"):
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = _("Empty: the departure's price times participants.")


@admin.register(Booking)
class BookingAdmin(ServiceModelAdmin):
    form = BookingForm
    list_display = (
        "id",
        "client",
        "tour_departure",
        "num_participants",
        "total_amount",
        "currency",
        "status",
        "created_at",
    )
    list_filter = ("status", "currency", "tour_departure__tour")
    search_fields = ("client__name", "client__phone", "tour_departure__tour__name")
    list_select_related = ("client", "tour_departure__tour")
    autocomplete_fields = ("client", "tour_departure", "lead")
    fields = (
        "client",
        "lead",
        "tour_departure",
        "num_participants",
        "total_amount",
        "currency",
        "status",
        "created_at",
    )
    inlines = (PaymentInline,)
    actions = ("cancel",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("status", "created_at")
        return ("client", "lead", "status", "created_at")

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        data = form.cleaned_data
        if not change:
            lead = data.get("lead")
            if lead is not None:
                if lead.client_id != data["client"].pk:
                    raise ValidationError({"lead": gettext("This lead belongs to another client.")})
                # Booking a lead is converting it: the lead turns won in the same transaction.
                return lead_convert(
                    lead=lead,
                    tour_departure=data["tour_departure"],
                    num_participants=data["num_participants"],
                    actor=request.user,  # type: ignore[arg-type]
                    total_amount=data.get("total_amount"),
                    currency=data.get("currency") or None,
                )
            return booking_create(
                client=data["client"],
                lead=data.get("lead"),
                tour_departure=data["tour_departure"],
                num_participants=data["num_participants"],
                total_amount=data.get("total_amount"),
                currency=data.get("currency") or None,
            )
        fields = changed(form, ("num_participants", "tour_departure", "total_amount", "currency"))
        return booking_update(booking=Booking.objects.get(pk=obj.pk), **fields)

    @admin.action(description=_("Cancel selected bookings (frees their seats)"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        done = 0
        for booking in queryset:
            try:
                booking_cancel(booking=booking)
                done += 1
            except DomainError as exc:
                message = gettext("Booking #%(id)s: %(error)s") % {"id": booking.pk, "error": exc}
                self.message_user(request, message, messages.ERROR)
        message = ngettext(
            "%(count)s booking(s) cancelled.", "%(count)s booking(s) cancelled.", done
        )
        self.message_user(request, message % {"count": done}, messages.SUCCESS)


@admin.register(Payment)
class PaymentAdmin(ServiceModelAdmin):
    list_display = (
        "id",
        "booking",
        "payment_date",
        "amount",
        "currency",
        "payment_method",
        "status",
    )
    list_filter = ("status", "payment_method", "currency", "payment_date")
    search_fields = ("booking__client__name", "booking__client__phone", "booking__id")
    list_select_related = ("booking",)
    autocomplete_fields = ("booking",)
    fields = ("booking", "amount", "currency", "payment_date", "payment_method", "status")
    date_hierarchy = "payment_date"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("booking",) if obj is not None else ()

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        data = form.cleaned_data
        if not change:
            return payment_create(
                booking=data["booking"],
                amount=data["amount"],
                payment_method=data["payment_method"],
                currency=data.get("currency") or None,
                payment_date=data.get("payment_date"),
                status=data["status"],
            )
        fields = changed(form, ("amount", "currency", "payment_date", "payment_method", "status"))
        return payment_update(payment=Payment.objects.get(pk=obj.pk), **fields)
