"""Tours and their departures in the back office, with seats taken per departure.

Writes go through `dreamland.tours.services`, so a capacity can never drop below the seats
already booked (the inline departures are checked the same way before anything is saved).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dreamland.bookings.capacity import departure_update, tour_update
from dreamland.bookings.selectors import departures_with_seats, occupancy, seats_taken
from dreamland.lib.admin import ServiceModelAdmin, add_service_errors, changed
from dreamland.lib.dryrun import dry_run
from dreamland.lib.errors import DomainError
from dreamland.tours.models import Tour, TourDeparture
from dreamland.tours.services import (
    DEPARTURE_FIELDS,
    TOUR_FIELDS,
    departure_create,
    departure_delete,
    tour_create,
)


class DepartureFormSet(forms.BaseInlineFormSet):
    """Dry-runs each changed departure through `departure_update` so refusals show on the row."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        for form in self.forms:
            if form.instance.pk is None or not form.has_changed() or form in self.deleted_forms:
                continue
            try:
                with dry_run():
                    departure_update(departure=form.instance, **changed(form, DEPARTURE_FIELDS))
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)


class TourDepartureInline(admin.TabularInline):
    model = TourDeparture
    formset = DepartureFormSet
    extra = 1
    fields = ("departure_date", "price", "currency", "capacity")
    ordering = ("departure_date",)
    show_change_link = True


@admin.register(Tour)
class TourAdmin(ServiceModelAdmin):
    list_display = ("name", "base_price", "currency", "capacity", "duration_days", "active")
    list_filter = ("active", "currency", "duration_days")
    search_fields = ("name", "description")
    fields = TOUR_FIELDS
    inlines = (TourDepartureInline,)

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        if not change:
            return tour_create(**{name: form.cleaned_data[name] for name in TOUR_FIELDS})
        return tour_update(tour=Tour.objects.get(pk=obj.pk), **changed(form, TOUR_FIELDS))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # The admin's change message reads these three lists, as `formset.save()` would set them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if row in formset.deleted_forms:
                if row.instance.pk is not None:
                    departure_delete(departure=row.instance)
                    formset.deleted_objects.append(row.instance)
            elif row.instance.pk is None:
                if row.has_changed():
                    formset.new_objects.append(
                        departure_create(
                            tour=formset.instance,
                            **{name: row.cleaned_data.get(name) for name in DEPARTURE_FIELDS},
                        )
                    )
            elif row.has_changed():
                fields = changed(row, DEPARTURE_FIELDS)
                departure = departure_update(departure=row.instance, **fields)
                formset.changed_objects.append((departure, list(fields)))


@admin.register(TourDeparture)
class TourDepartureAdmin(ServiceModelAdmin):
    list_display = ("tour", "departure_date", "price", "currency", "capacity", "seats")
    list_filter = ("tour", "departure_date")
    search_fields = ("tour__name",)
    date_hierarchy = "departure_date"
    list_select_related = ("tour",)
    autocomplete_fields = ("tour",)
    fields = ("tour", *DEPARTURE_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("tour",) if obj is not None else ()

    def service_save(
        self, *, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> models.Model:
        data = form.cleaned_data
        if not change:
            return departure_create(
                tour=data["tour"],
                departure_date=data["departure_date"],
                price=data.get("price"),
                currency=data.get("currency") or None,
                capacity=data.get("capacity"),
            )
        return departure_update(
            departure=TourDeparture.objects.get(pk=obj.pk), **changed(form, DEPARTURE_FIELDS)
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[TourDeparture]:
        return departures_with_seats(super().get_queryset(request))

    @admin.display(description=_("seats taken / capacity"))
    def seats(self, obj: TourDeparture) -> str:
        return f"{seats_taken(obj)} / {obj.effective_capacity} ({occupancy(obj):.0%})"

    def service_delete(self, *, request: HttpRequest, obj: TourDeparture) -> None:
        departure_delete(departure=obj)
