"""Lead writes: creation, assignment and the pipeline's status rules (SPEC §2 "Leads")."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max

from dreamland.accounts.models import Role, User
from dreamland.clients.models import Client
from dreamland.leads.models import OPEN_STATUSES, Lead, LeadSource, LeadStatus
from dreamland.tours.models import Tour


def lead_pick_agent(*, client: Client) -> User | None:
    """Who gets a new unassigned lead of this client.

    A returning client goes back to the agent of their latest lead when that agent is still
    active; otherwise, with `LEAD_ROUND_ROBIN` on, the active agent who was given a lead least
    recently (round-robin that survives restarts and agents joining or leaving).
    """
    previous = (
        Lead.objects.filter(client=client, assigned_agent__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("assigned_agent_id", flat=True)
        .first()
    )
    if previous is not None:
        agent = User.objects.filter(pk=previous, is_active=True, role=Role.AGENT).first()
        if agent is not None:
            return agent
    if not settings.LEAD_ROUND_ROBIN:
        return None
    return (
        User.objects.filter(is_active=True, role=Role.AGENT)
        .annotate(last_assigned=Max("assigned_leads__created_at"))
        .order_by(F("last_assigned").asc(nulls_first=True), "pk")
        .first()
    )


def lead_create(
    *,
    client: Client,
    source: str = LeadSource.MANUAL,
    assigned_agent: User | None = None,
    tour_interest: Tour | None = None,
    auto_assign: bool = True,
) -> Lead:
    """A new open lead (`new`) for the client, assigned to `assigned_agent` or picked automatically."""
    if assigned_agent is None and auto_assign:
        assigned_agent = lead_pick_agent(client=client)
    return Lead.objects.create(
        client=client,
        source=source,
        status=LeadStatus.NEW,
        assigned_agent=assigned_agent,
        tour_interest=tour_interest,
        unread_messages_count=0,
    )


def lead_get_or_create_open(
    *, client: Client, source: str = LeadSource.WHATSAPP
) -> tuple[Lead, bool]:
    """The client's most recent open lead, locked for update, or a new one (SPEC §2 inbound rule).

    Call inside `transaction.atomic()`: the row lock on the lead (PostgreSQL) serialises
    concurrent messages of one client.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lead_get_or_create_open must run inside transaction.atomic()")
    lead = (
        Lead.objects.select_for_update()
        .filter(client=client, status__in=OPEN_STATUSES)
        .order_by("-created_at", "-pk")
        .first()
    )
    if lead is not None:
        return lead, False
    return lead_create(client=client, source=source), True
