"""Clients in the back office: phone normalised to E.164, with their leads, bookings and messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dreamland.bookings.models import Booking
from dreamland.clients.models import Client
from dreamland.clients.services import (
    EDITABLE_FIELDS,
    client_create,
    client_delete,
    client_update,
)
from dreamland.leads.models import Lead
from dreamland.lib.admin import LastRowsFormSet, ReadOnlyInline, ServiceModelAdmin, changed
from dreamland.lib.phones import normalize_phone
from dreamland.messaging.models import Communication


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = EDITABLE_FIELDS

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone"))
        except ValidationError as exc:
            raise ValidationError(
                gettext("%(error)s Type it as +7 701 123 4567 or 8 701 123 45 67.")
                % {"error": exc.messages[0]}
            ) from None


class LeadInline(ReadOnlyInline):
    model = Lead
    fields = (
        "status",
        "source",
        "assigned_agent",
        "tour_interest",
        "last_message_at",
        "created_at",
    )
    readonly_fields = fields
    ordering = ("-created_at",)


class BookingInline(ReadOnlyInline):
    model = Booking
    fields = ("tour_departure", "num_participants", "total_amount", "currency", "status")
    readonly_fields = fields
    ordering = ("-created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        return super().get_queryset(request).select_related("tour_departure__tour")


class CommunicationInline(ReadOnlyInline):
    model = Communication
    fk_name = "client"
    formset = LastRowsFormSet
    verbose_name_plural = _("communications (newest 20)")
    fields = ("created_at", "direction", "communication_type", "body", "whatsapp_status")
    readonly_fields = fields
    ordering = ("-created_at",)


def _count(model: Any) -> Coalesce:
    rows = (
        model.objects.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@admin.register(Client)
class ClientAdmin(ServiceModelAdmin):
    """Adds, edits and deletes through `dreamland.clients.services` (phone identity, no delete of
    a client who booked)."""

    form = ClientForm
    list_display = (
        "name",
        "phone",
        "email",
        "preferred_language",
        "lead_count",
        "booking_count",
        "created_at",
    )
    list_filter = ("preferred_language", "created_at")
    search_fields = ("name", "phone", "email")
    date_hierarchy = "created_at"
    # The WhatsApp user id comes from Meta's webhooks, never typed.
    readonly_fields = ("whatsapp_user_id", "created_at", "updated_at")
    inlines = (LeadInline, BookingInline, CommunicationInline)
    list_per_page = 50

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        if not change:
            return client_create(**{name: form.cleaned_data[name] for name in EDITABLE_FIELDS})
        return client_update(client=Client.objects.get(pk=obj.pk), **changed(form, EDITABLE_FIELDS))

    def service_delete(self, *, request: HttpRequest, obj: Client) -> None:
        client_delete(client=obj)  # announces its leads' removal too

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        return (
            super()
            .get_queryset(request)
            .annotate(lead_count=_count(Lead), booking_count=_count(Booking))
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Client], search_term: str
    ) -> tuple[QuerySet[Client], bool]:
        """A phone in any spelling finds its client."""
        qs, distinct = super().get_search_results(request, queryset, search_term)
        try:
            e164 = normalize_phone(search_term)
        except ValidationError:
            return qs, distinct
        return qs | queryset.filter(phone=e164), distinct

    @admin.display(description=_("leads"), ordering="lead_count")
    def lead_count(self, obj: Any) -> int:
        return int(obj.lead_count)

    @admin.display(description=_("bookings"), ordering="booking_count")
    def booking_count(self, obj: Any) -> int:
        return int(obj.booking_count)
