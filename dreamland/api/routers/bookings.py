"""/bookings and /payments through `dreamland.bookings.services`; visible with their client."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from dreamland.api.access import get_or_404, visible_bookings, visible_clients, visible_leads
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS
from dreamland.api.filters import PHONE_HELP, filter_phone
from dreamland.api.pagination import Page, paginate
from dreamland.api.schemas import (
    BookingIn,
    BookingOut,
    BookingPatch,
    BookingStatusCode,
    CurrencyCode,
    Id,
    body_fields,
    page_schema,
)
from dreamland.bookings.models import Booking
from dreamland.bookings.selectors import bookings_with_payments, with_balances
from dreamland.bookings.services import booking_cancel, booking_create, booking_update
from dreamland.tours.models import TourDeparture

router = Router(tags=["bookings"])
BookingPage = page_schema(BookingOut, "BookingPage")


class BookingFilters(Page):
    tour_departure_id: Id | None = None
    client_id: Id | None = None
    status: BookingStatusCode | None = None
    lead_id: Id | None = None
    currency: CurrencyCode | None = None
    phone: str | None = Field(None, max_length=64, description=PHONE_HELP)


@router.get("", response={200: BookingPage, **ERRORS})
def booking_list(request: HttpRequest, filters: Query[BookingFilters]) -> dict[str, Any]:
    qs = visible_bookings(current_user(request)).order_by("-created_at", "-pk")
    for name in ("tour_departure_id", "client_id", "status", "lead_id", "currency"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    qs = filter_phone(qs, filters.phone, "client__phone")
    items, count = paginate(bookings_with_payments(qs), filters)
    return {"items": with_balances(items), "count": count}


@router.post("", response={201: BookingOut, **ERRORS})
def booking_post(request: HttpRequest, payload: BookingIn) -> tuple[int, Booking]:
    """Book seats (409 `no_seats` when the departure is full). Total defaults to price x seats."""
    user = current_user(request)
    client = visible_clients(user).filter(pk=payload.client_id).first()
    if client is None:
        raise ValidationError({"client_id": _("No client with this id.")})
    departure = TourDeparture.objects.filter(pk=payload.tour_departure_id).first()
    if departure is None:
        raise ValidationError({"tour_departure_id": _("No departure with this id.")})
    lead = None
    if payload.lead_id is not None:
        lead = visible_leads(user).filter(pk=payload.lead_id, client=client).first()
        if lead is None:
            raise ValidationError({"lead_id": _("No lead of this client with this id.")})
    booking = booking_create(
        client=client,
        tour_departure=departure,
        num_participants=payload.num_participants,
        lead=lead,
        total_amount=payload.total_amount,
        currency=payload.currency,
    )
    return 201, with_balances([booking])[0]


def _booking(request: HttpRequest, booking_id: int) -> Booking:
    qs = bookings_with_payments(visible_bookings(current_user(request)))
    return with_balances([get_or_404(qs, booking_id)])[0]


@router.get("/{booking_id}", response={200: BookingOut, **ERRORS})
def booking_get(request: HttpRequest, booking_id: Id) -> Booking:
    return _booking(request, booking_id)


@router.patch("/{booking_id}", response={200: BookingOut, **ERRORS})
def booking_patch(request: HttpRequest, booking_id: Id, payload: BookingPatch) -> Booking:
    """Resize or re-price a booking; `{"status": "cancelled"}` cancels it (frees the seats)."""
    booking = _booking(request, booking_id)
    fields = body_fields(payload, "num_participants", "total_amount", "status")
    status = fields.pop("status", None)
    if fields:
        booking_update(booking=booking, **fields)
    if status == "cancelled":
        booking_cancel(booking=booking)
    return _booking(request, booking_id)
