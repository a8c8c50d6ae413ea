"""/communications: read-only; messages are sent with `POST /clients/{id}/messages`."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router

from dreamland.api.access import get_or_404, visible_communications
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS
from dreamland.api.filters import PHONE_HELP, filter_phone
from dreamland.api.pagination import Page, paginate
from dreamland.api.schemas import CommunicationOut, CommunicationTypeCode, Id, page_schema
from dreamland.leads.services import conversation_mark_read
from dreamland.messaging.models import Communication

router = Router(tags=["communications"])
CommunicationPage = page_schema(CommunicationOut, "CommunicationPage")


class CommunicationFilters(Page):
    client_id: Id | None = None
    lead_id: Id | None = None
    communication_type: CommunicationTypeCode | None = None
    booking_id: Id | None = None
    direction: Literal["inbound", "outbound"] | None = None
    whatsapp_message_id: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=64, description=PHONE_HELP)


@router.get("", response={200: CommunicationPage, **ERRORS})
def communication_list(
    request: HttpRequest, filters: Query[CommunicationFilters]
) -> dict[str, Any]:
    """Newest first. Listing a conversation (`client_id` or `lead_id`) opens it: the caller's
    own leads in it go back to 0 unread (SPEC §2), as an inbox does when a chat is opened."""
    user = current_user(request)
    conversation_mark_read(user=user, client_id=filters.client_id, lead_id=filters.lead_id)
    qs = visible_communications(user).order_by("-created_at", "-pk")
    for name in ("client_id", "lead_id", "communication_type", "booking_id", "direction"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    if filters.whatsapp_message_id is not None:
        qs = qs.filter(whatsapp_message_id=filters.whatsapp_message_id.replace("\x00", ""))
    qs = filter_phone(qs, filters.phone, "client__phone")
    return paginate(qs, filters)


@router.get("/{communication_id}", response={200: CommunicationOut, **ERRORS})
def communication_get(request: HttpRequest, communication_id: Id) -> Communication:
    return get_or_404(visible_communications(current_user(request)), communication_id)
