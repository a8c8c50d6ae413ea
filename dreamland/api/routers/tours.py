"""/tours and /tour-departures: everyone reads; only admins write (`dreamland.tours.services`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from dreamland.api.access import get_or_404, require_admin
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS
from dreamland.api.pagination import Page, paginate
from dreamland.api.schemas import (
    DepartureIn,
    DepartureOut,
    DeparturePatch,
    Id,
    TourIn,
    TourOut,
    TourPatch,
    body_fields,
    page_schema,
)
from dreamland.bookings.capacity import departure_update, tour_update
from dreamland.bookings.selectors import departures_with_seats, with_seats
from dreamland.tours.models import Tour, TourDeparture
from dreamland.tours.services import departure_create, tour_create

router = Router(tags=["tours"])
departures_router = Router(tags=["tour-departures"])
TourPage = page_schema(TourOut, "TourPage")
DeparturePage = page_schema(DepartureOut, "DeparturePage")


class TourFilters(Page):
    active: bool | None = None


@router.get("", response={200: TourPage, **ERRORS})
def tour_list(request: HttpRequest, filters: Query[TourFilters]) -> dict[str, Any]:
    qs = Tour.objects.order_by("name", "pk")
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    items, count = paginate(qs, filters)
    return {"items": items, "count": count}


@router.post("", response={201: TourOut, **ERRORS})
def tour_post(request: HttpRequest, payload: TourIn) -> tuple[int, Tour]:
    require_admin(current_user(request))
    return 201, tour_create(**payload.model_dump())


@router.get("/{tour_id}", response={200: TourOut, **ERRORS})
def tour_get(request: HttpRequest, tour_id: Id) -> Tour:
    return get_or_404(Tour.objects.all(), tour_id)


@router.patch("/{tour_id}", response={200: TourOut, **ERRORS})
def tour_patch(request: HttpRequest, tour_id: Id, payload: TourPatch) -> Tour:
    """Change a tour (`active: false` retires it; tours are never deleted: bookings refer to them)."""
    require_admin(current_user(request))
    tour = get_or_404(Tour.objects.all(), tour_id)
    fields = body_fields(payload, "name", "currency", "active")
    return tour_update(tour=tour, **fields)


class DepartureFilters(Page):
    tour_id: Id | None = None
    departure_date: date | None = None
    departure_date_from: date | None = Field(None, description="departure_date >= this day.")
    departure_date_to: date | None = Field(None, description="departure_date <= this day.")


@departures_router.get("", response={200: DeparturePage, **ERRORS})
def departure_list(request: HttpRequest, filters: Query[DepartureFilters]) -> dict[str, Any]:
    qs = departures_with_seats(TourDeparture.objects.order_by("departure_date", "pk"))
    if filters.tour_id is not None:
        qs = qs.filter(tour_id=filters.tour_id)
    if filters.departure_date is not None:
        qs = qs.filter(departure_date=filters.departure_date)
    if filters.departure_date_from is not None:
        qs = qs.filter(departure_date__gte=filters.departure_date_from)
    if filters.departure_date_to is not None:
        qs = qs.filter(departure_date__lte=filters.departure_date_to)
    items, count = paginate(qs, filters)
    return {"items": with_seats(items), "count": count}


def _departure(departure_id: int) -> TourDeparture:
    departure = get_or_404(departures_with_seats(TourDeparture.objects.all()), departure_id)
    with_seats([departure])
    return departure


@departures_router.post("", response={201: DepartureOut, **ERRORS})
def departure_post(request: HttpRequest, payload: DepartureIn) -> tuple[int, TourDeparture]:
    require_admin(current_user(request))
    tour = Tour.objects.filter(pk=payload.tour_id).first()
    if tour is None:
        raise ValidationError({"tour_id": _("No tour with this id.")})
    fields = payload.model_dump(exclude={"tour_id"})
    departure = departure_create(tour=tour, **fields)
    return 201, _departure(departure.pk)


@departures_router.get("/{departure_id}", response={200: DepartureOut, **ERRORS})
def departure_get(request: HttpRequest, departure_id: Id) -> TourDeparture:
    return _departure(departure_id)


@departures_router.patch("/{departure_id}", response={200: DepartureOut, **ERRORS})
def departure_patch(
    request: HttpRequest, departure_id: Id, payload: DeparturePatch
) -> TourDeparture:
    require_admin(current_user(request))
    departure = get_or_404(TourDeparture.objects.all(), departure_id)
    fields = body_fields(payload, "departure_date")
    departure_update(departure=departure, **fields)
    return _departure(departure_id)
