"""Tours and their departures in the back office, with seats taken per departure."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from dreamland.bookings.models import Booking, BookingStatus
from dreamland.lib import admin as _site  # noqa: F401  (site header)
from dreamland.tours.models import Tour, TourDeparture


class TourDepartureInline(admin.TabularInline):
    model = TourDeparture
    extra = 1
    fields = ("departure_date", "price", "currency", "capacity")
    ordering = ("departure_date",)
    show_change_link = True


@admin.register(Tour)
class TourAdmin(admin.ModelAdmin):
    list_display = ("name", "base_price", "currency", "capacity", "duration_days", "active")
    list_filter = ("active", "currency", "duration_days")
    search_fields = ("name", "description")
    readonly_fields = ("created_at", "updated_at")
    inlines = (TourDepartureInline,)


def _seats_taken() -> Coalesce:
    rows = (
        Booking.objects.filter(tour_departure=OuterRef("pk"))
        .exclude(status=BookingStatus.CANCELLED)
        .order_by()
        .values("tour_departure")
        .annotate(n=Sum("num_participants"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@admin.register(TourDeparture)
class TourDepartureAdmin(admin.ModelAdmin):
    list_display = ("tour", "departure_date", "price", "currency", "capacity", "seats")
    list_filter = ("tour", "departure_date")
    search_fields = ("tour__name",)
    date_hierarchy = "departure_date"
    list_select_related = ("tour",)
    autocomplete_fields = ("tour",)
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TourDeparture]:
        return super().get_queryset(request).annotate(seats_taken=_seats_taken())

    @admin.display(description="seats taken / capacity")
    def seats(self, obj: TourDeparture) -> str:
        return f"{getattr(obj, 'seats_taken', 0)} / {obj.effective_capacity}"
