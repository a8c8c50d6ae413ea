"""/clients: CRUD through `dreamland.clients.services`, plus sending a WhatsApp message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router

from dreamland.api.access import get_or_404, require_manager, visible_clients
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS, ErrorOut
from dreamland.api.filters import filter_phone
from dreamland.api.messaging import send_message
from dreamland.api.pagination import Page, paginate
from dreamland.api.schemas import (
    ClientIn,
    ClientOut,
    ClientPatch,
    CommunicationOut,
    CurrencyCode,
    Id,
    LanguageCode,
    MessageIn,
    body_fields,
    page_schema,
)
from dreamland.bookings.selectors import with_lifetime_values
from dreamland.clients.models import Client
from dreamland.clients.selectors import client_name_search
from dreamland.clients.services import client_create, client_delete, client_update

router = Router(tags=["clients"])
ClientPage = page_schema(ClientOut, "ClientPage")


class ClientFilters(Page):
    phone: str | None = Field(
        None, max_length=64, description="Any spelling; an unparseable number matches nothing."
    )
    name: str | None = Field(None, max_length=255, description="Substring, case-insensitive.")
    email: str | None = Field(None, max_length=254, description="Exact, case-insensitive.")
    preferred_language: LanguageCode | None = None
    whatsapp_user_id: str | None = Field(None, max_length=64)
    created_at_from: datetime | None = Field(None, description="created_at >= this instant.")
    created_at_to: datetime | None = Field(None, description="created_at < this instant.")
    currency: CurrencyCode | None = Field(
        None, description="Currency of lifetime_value (default: your preferred currency)."
    )


class CurrencyQuery(Page):
    currency: CurrencyCode | None = None


def _utc(value: datetime) -> datetime:
    """An instant in UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


def _currency(request: HttpRequest, wanted: str | None) -> str:
    return wanted or current_user(request).preferred_currency or "KZT"


@router.get("", response={200: ClientPage, **ERRORS})
def client_list(request: HttpRequest, filters: Query[ClientFilters]) -> dict[str, Any]:
    user = current_user(request)
    qs = visible_clients(user).order_by("-created_at", "-pk")
    qs = filter_phone(qs, filters.phone)
    if filters.email is not None:
        qs = qs.filter(email__iexact=filters.email.replace("\x00", ""))
    if filters.preferred_language is not None:
        qs = qs.filter(preferred_language=filters.preferred_language)
    if filters.whatsapp_user_id is not None:
        qs = qs.filter(whatsapp_user_id=filters.whatsapp_user_id.replace("\x00", ""))
    if filters.name:
        qs = client_name_search(qs, filters.name)
    if filters.created_at_from is not None:
        qs = qs.filter(created_at__gte=_utc(filters.created_at_from))
    if filters.created_at_to is not None:
        qs = qs.filter(created_at__lt=_utc(filters.created_at_to))
    # An agent's name search tests each match's visibility (a subquery) and sorts them all
    # whatever the page: count them in the same pass. A manager's matches cost nothing to test:
    # the page (top 51) and a count that stops at the cap are cheaper than reading every key.
    body = paginate(qs, filters, one_pass=bool(filters.name) and not user.is_manager)
    with_lifetime_values(body["items"], _currency(request, filters.currency))
    return body


@router.post("", response={201: ClientOut, **ERRORS})
def client_post(request: HttpRequest, payload: ClientIn) -> tuple[int, Client]:
    """Create a client; a known phone (any spelling) is 409 with the existing `client_id`."""
    client = client_create(**payload.model_dump())
    with_lifetime_values([client], _currency(request, None))
    return 201, client


def _client(request: HttpRequest, client_id: int) -> Client:
    return get_or_404(visible_clients(current_user(request)), client_id)


@router.get("/{client_id}", response={200: ClientOut, **ERRORS})
def client_get(request: HttpRequest, client_id: Id, currency: CurrencyCode | None = None) -> Client:
    client = _client(request, client_id)
    with_lifetime_values([client], _currency(request, currency))
    return client


@router.patch("/{client_id}", response={200: ClientOut, **ERRORS})
def client_patch(request: HttpRequest, client_id: Id, payload: ClientPatch) -> Client:
    fields = body_fields(payload, "name", "phone")
    client = _client(request, client_id)
    if fields:  # an empty PATCH writes nothing (updated_at stays)
        client = client_update(client=client, **fields)
    with_lifetime_values([client], _currency(request, None))
    return client


@router.delete("/{client_id}", response={204: None, **ERRORS})
def client_remove(request: HttpRequest, client_id: Id) -> tuple[int, None]:
    """Managers and admins delete a client with no bookings (409 otherwise); leads and messages
    go with it."""
    client = _client(request, client_id)
    require_manager(current_user(request))
    client_delete(client=client)  # announces its leads' removal too
    return 204, None


@router.post("/{client_id}/messages", response={202: CommunicationOut, 503: ErrorOut, **ERRORS})
def client_message(request: HttpRequest, client_id: Id, payload: MessageIn) -> tuple[int, Any]:
    """Queue a WhatsApp text (`body`, only within 24 hours of the client's last message: else
    422 `window_closed`) or a template (`template_id` + `variables`). 503 when WhatsApp is not
    configured."""
    client = _client(request, client_id)
    return 202, send_message(user=current_user(request), client=client, payload=payload)
