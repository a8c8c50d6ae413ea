"""/payments: instalments through `dreamland.bookings.services`; visible with their booking."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from dreamland.api.access import get_or_404, visible_bookings, visible_payments
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS
from dreamland.api.pagination import Page, paginate
from dreamland.api.schemas import (
    CurrencyCode,
    Id,
    PaymentIn,
    PaymentMethodCode,
    PaymentOut,
    PaymentPatch,
    PaymentStatusCode,
    body_fields,
    page_schema,
)
from dreamland.bookings.models import Payment
from dreamland.bookings.services import payment_create, payment_update

router = Router(tags=["payments"])
PaymentPage = page_schema(PaymentOut, "PaymentPage")


class PaymentFilters(Page):
    booking_id: Id | None = None
    status: PaymentStatusCode | None = None
    payment_method: PaymentMethodCode | None = None
    currency: CurrencyCode | None = None


@router.get("", response={200: PaymentPage, **ERRORS})
def payment_list(request: HttpRequest, filters: Query[PaymentFilters]) -> dict[str, Any]:
    qs = visible_payments(current_user(request)).order_by("-created_at", "-pk")
    if filters.booking_id is not None:
        qs = qs.filter(booking_id=filters.booking_id)
    for name in ("status", "payment_method", "currency"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    return paginate(qs, filters)


@router.post("", response={201: PaymentOut, **ERRORS})
def payment_post(request: HttpRequest, payload: PaymentIn) -> tuple[int, Payment]:
    """Record an instalment; the booking becomes `paid` once completed payments cover it."""
    booking = visible_bookings(current_user(request)).filter(pk=payload.booking_id).first()
    if booking is None:
        raise ValidationError({"booking_id": _("No booking with this id.")})
    fields = payload.model_dump(exclude={"booking_id"})
    return 201, payment_create(booking=booking, **fields)


def _payment(request: HttpRequest, payment_id: int) -> Payment:
    return get_or_404(visible_payments(current_user(request)), payment_id)


@router.get("/{payment_id}", response={200: PaymentOut, **ERRORS})
def payment_get(request: HttpRequest, payment_id: Id) -> Payment:
    return _payment(request, payment_id)


@router.patch("/{payment_id}", response={200: PaymentOut, **ERRORS})
def payment_patch(request: HttpRequest, payment_id: Id, payload: PaymentPatch) -> Payment:
    """Correct a payment or move its status (pending → completed/failed, completed → refunded)."""
    fields = body_fields(payload, "status", "amount", "payment_date", "payment_method")
    return payment_update(payment=_payment(request, payment_id), **fields)
