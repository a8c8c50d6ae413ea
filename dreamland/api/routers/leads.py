"""/leads: the pipeline through `dreamland.leads.services`; agents see theirs and unassigned ones."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from dreamland.accounts.models import User
from dreamland.api.access import get_or_404, visible_clients, visible_leads
from dreamland.api.auth import current_user
from dreamland.api.errors import ERRORS
from dreamland.api.filters import PHONE_HELP, filter_phone
from dreamland.api.pagination import Page, paginate
from dreamland.api.schemas import (
    BookingOut,
    ConvertIn,
    Id,
    LeadIn,
    LeadOut,
    LeadPatch,
    LeadSourceCode,
    LeadStatusCode,
    body_fields,
    page_schema,
)
from dreamland.bookings.conversion import lead_convert
from dreamland.bookings.models import Booking
from dreamland.bookings.selectors import with_balances
from dreamland.clients.services import client_find_or_create
from dreamland.leads.models import Lead
from dreamland.leads.selectors import lead_assignable_users
from dreamland.leads.services import lead_create, lead_update
from dreamland.tours.models import Tour, TourDeparture

router = Router(tags=["leads"])
LeadPage = page_schema(LeadOut, "LeadPage")


class LeadFilters(Page):
    status: LeadStatusCode | None = None
    source: LeadSourceCode | None = None
    assigned_agent_id: Id | None = None
    tour_interest_id: Id | None = None
    client_id: Id | None = None
    phone: str | None = Field(None, max_length=64, description=PHONE_HELP)


@router.get("", response={200: LeadPage, **ERRORS})
def lead_list(request: HttpRequest, filters: Query[LeadFilters]) -> dict[str, Any]:
    qs = visible_leads(current_user(request)).order_by("-created_at", "-pk")
    for name in ("status", "source", "assigned_agent_id", "tour_interest_id", "client_id"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    qs = filter_phone(qs, filters.phone, "client__phone")
    items, count = paginate(qs, filters)
    return {"items": items, "count": count}


def _agent(user: User, agent_id: int | None) -> User | None:
    """The assignee asked for; agents may only take a lead themselves or leave it unassigned."""
    if agent_id is None:
        return None
    if not user.is_manager and agent_id != user.pk:
        raise PermissionDenied(_("Only managers and admins assign leads to others."))
    agent = lead_assignable_users().filter(pk=agent_id).first()
    if agent is None:
        raise ValidationError({"assigned_agent_id": _("No active agent with this id.")})
    return agent


def _tour(tour_id: int | None) -> Tour | None:
    if tour_id is None:
        return None
    tour = Tour.objects.filter(pk=tour_id).first()
    if tour is None:
        raise ValidationError({"tour_interest_id": _("No tour with this id.")})
    return tour


@router.post("", response={201: LeadOut, **ERRORS})
def lead_post(request: HttpRequest, payload: LeadIn) -> tuple[int, Lead]:
    """Create a lead for `client_id`, or for `phone` (find-or-create the client, e.g. a website
    form). Client details apply only when the client is new."""
    user = current_user(request)
    if (payload.client_id is None) == (payload.phone is None):
        raise ValidationError({"client_id": _("Send exactly one of `client_id` and `phone`.")})
    if payload.client_id is not None:
        extra = [f for f in ("name", "email", "preferred_language") if getattr(payload, f)]
        if extra:
            raise ValidationError(
                {f: _("Only with `phone` (a new client's details).") for f in extra}
            )
    agent = _agent(user, payload.assigned_agent_id)
    tour = _tour(payload.tour_interest_id)
    with transaction.atomic():
        if payload.client_id is not None:
            found = visible_clients(user).filter(pk=payload.client_id).first()
            if found is None:
                raise ValidationError({"client_id": _("No client with this id.")})
            client = found
        else:
            client, _created = client_find_or_create(
                phone=payload.phone or "",
                name=payload.name or "",
                email=payload.email,
                preferred_language=payload.preferred_language,
            )
        lead = lead_create(
            client=client, source=payload.source, assigned_agent=agent, tour_interest=tour
        )
    return 201, lead


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    return get_or_404(visible_leads(current_user(request)), lead_id)


@router.get("/{lead_id}", response={200: LeadOut, **ERRORS})
def lead_get(request: HttpRequest, lead_id: Id) -> Lead:
    return _lead(request, lead_id)


@router.patch("/{lead_id}", response={200: LeadOut, **ERRORS})
def lead_patch(request: HttpRequest, lead_id: Id, payload: LeadPatch) -> Lead:
    """Change status (pipeline rules), tour interest, source; managers also reassign."""
    user = current_user(request)
    lead = _lead(request, lead_id)
    sent = body_fields(payload, "status", "source")
    fields: dict[str, Any] = {name: sent[name] for name in ("status", "source") if name in sent}
    if "tour_interest_id" in sent:
        fields["tour_interest"] = _tour(sent["tour_interest_id"])
    if "assigned_agent_id" in sent:
        agent_id = sent["assigned_agent_id"]
        # Agents may take an unassigned lead themselves; only managers give leads to others.
        if not user.is_manager and agent_id not in (lead.assigned_agent_id, user.pk):
            raise PermissionDenied(_("Only managers and admins reassign leads."))
        if agent_id != lead.assigned_agent_id:
            fields["assigned_agent"] = _agent(user, agent_id)
    return lead_update(lead=lead, actor=user, **fields)


@router.post("/{lead_id}/convert", response={201: BookingOut, **ERRORS})
def lead_convert_action(
    request: HttpRequest, lead_id: Id, payload: ConvertIn
) -> tuple[int, Booking]:
    """Book the lead's client on a departure and mark the lead won (409 when no seats are left)."""
    user = current_user(request)
    lead = _lead(request, lead_id)
    departure = TourDeparture.objects.filter(pk=payload.tour_departure_id).first()
    if departure is None:
        raise ValidationError({"tour_departure_id": _("No departure with this id.")})
    booking = lead_convert(
        lead=lead, tour_departure=departure, num_participants=payload.num_participants, actor=user
    )
    with_balances([booking])
    return 201, booking
