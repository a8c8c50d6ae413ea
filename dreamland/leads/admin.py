"""Leads in the back office; adds and status changes go through the pipeline rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dreamland.leads.models import Lead, LeadStatus
from dreamland.leads.selectors import lead_assignable_users
from dreamland.leads.services import lead_create, lead_transition, lead_update
from dreamland.lib.admin import LastRowsFormSet, ReadOnlyInline, ServiceModelAdmin, changed
from dreamland.messaging.models import Communication


class LeadCommunicationInline(ReadOnlyInline):
    model = Communication
    fk_name = "lead"
    formset = LastRowsFormSet
    verbose_name_plural = _("conversation (newest 20)")
    fields = ("created_at", "direction", "communication_type", "body", "whatsapp_status")
    readonly_fields = fields
    ordering = ("-created_at",)


@admin.register(Lead)
class LeadAdmin(ServiceModelAdmin):
    list_display = (
        "id",
        "client",
        "status",
        "source",
        "assigned_agent",
        "tour_interest",
        "unread_messages_count",
        "last_message_at",
        "created_at",
    )
    list_filter = ("status", "source", "assigned_agent", "tour_interest")
    search_fields = ("client__name", "client__phone")
    list_select_related = ("client", "assigned_agent", "tour_interest")
    autocomplete_fields = ("client", "tour_interest")
    readonly_fields = ("unread_messages_count", "last_message_at", "created_at", "updated_at")
    fields = ("client", "status", "source", "assigned_agent", "tour_interest", *readonly_fields)
    inlines = (LeadCommunicationInline,)
    date_hierarchy = "created_at"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "assigned_agent":
            kwargs["queryset"] = lead_assignable_users()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The client of a lead never changes; a won lead was converted (booking side).
        return (*self.readonly_fields, "client") if obj is not None else self.readonly_fields

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        data = form.cleaned_data
        if not change:
            lead = lead_create(
                client=data["client"],
                source=data["source"],
                assigned_agent=data.get("assigned_agent"),
                tour_interest=data.get("tour_interest"),
            )
            if data["status"] != LeadStatus.NEW:
                lead = lead_transition(lead=lead, status=data["status"], actor=request.user)  # type: ignore[arg-type]
            return lead
        fields = changed(form, ("tour_interest", "source", "status", "assigned_agent"))
        return lead_update(lead=Lead.objects.get(pk=obj.pk), actor=request.user, **fields)  # type: ignore[arg-type]
