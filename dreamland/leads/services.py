"""Lead writes: creation, assignment and the pipeline's status rules (SPEC §2 "Leads").

Pipeline: `new → contacted → qualified → quoted`, forward only; skipping ahead is allowed
(an agent may quote straight away from a first message), going back is refused. Any open status
may go to `lost`. `won` is reached only through `dreamland.bookings.conversion.lead_convert`
(one transaction with the booking); `won` and `lost` are final — a returning client gets a new lead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from dreamland.accounts.models import Role, User
from dreamland.clients.models import Client
from dreamland.leads.models import OPEN_STATUSES, Lead, LeadSource, LeadStatus
from dreamland.leads.selectors import lead_assignable_users, lead_open_for_client
from dreamland.lib.choices import choice_name, choose_one_of
from dreamland.lib.errors import RuleViolation, reject_unknown_fields
from dreamland.tours.models import Tour

PIPELINE = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.QUOTED)
# Any constant: the advisory lock that serialises round-robin picks on PostgreSQL.
_ROUND_ROBIN_LOCK = 7_401_001


def lead_pick_agent(*, client: Client, lock: bool = False) -> User | None:
    """Who gets a new unassigned lead of this client.

    A returning client goes back to the agent of their latest lead when that agent is still
    active; otherwise, with `LEAD_ROUND_ROBIN` on, the active agent who was given a lead least
    recently (round-robin that survives restarts and agents joining or leaving). With `lock`
    (inside a transaction that then creates the lead) the round-robin pick is serialised.
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
    if lock:
        _lock_round_robin()
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
    if source not in LeadSource.values:
        raise ValidationError({"source": choose_one_of(LeadSource.values)})
    with transaction.atomic():
        if assigned_agent is None and auto_assign:
            assigned_agent = lead_pick_agent(client=client, lock=True)
        return Lead.objects.create(
            client=client,
            source=source,
            status=LeadStatus.NEW,
            assigned_agent=assigned_agent,
            tour_interest=tour_interest,
            unread_messages_count=0,
        )


def _lock_round_robin() -> None:
    """Serialise round-robin picks so two simultaneous leads do not go to the same agent.

    PostgreSQL: a transaction-scoped advisory lock; SQLite: `BEGIN IMMEDIATE` already did it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROUND_ROBIN_LOCK])


def lead_get_or_create_open(
    *, client: Client, source: str = LeadSource.WHATSAPP
) -> tuple[Lead, bool]:
    """The client's most recent open lead, locked for update, or a new one (SPEC §2 inbound rule).

    Call inside `transaction.atomic()`: the row lock on the lead (PostgreSQL) serialises
    concurrent messages of one client.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lead_get_or_create_open must run inside transaction.atomic()")
    lead = lead_open_for_client(client_id=client.pk, lock=True)
    if lead is not None:
        return lead, False
    return lead_create(client=client, source=source), True


def _lock_lead(lead: Lead) -> Lead:
    return Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)


def lead_transition(*, lead: Lead, status: str, actor: User | None = None) -> Lead:
    """Move a lead along the pipeline (forward only, skipping allowed) or to `lost`.

    Raises `RuleViolation` (code `illegal_transition`) for anything else. `actor` is who asked
    (kept for the audit trail of the caller; permissions are checked by the views).
    """
    if status not in LeadStatus.values:
        raise ValidationError({"status": choose_one_of(LeadStatus.values)})
    with transaction.atomic():
        locked = _lock_lead(lead)
        current = locked.status
        if status == current:
            return locked
        if current not in OPEN_STATUSES:
            raise RuleViolation(
                _(
                    "Lead #%(id)s is %(status)s: won and lost leads are final;"
                    " a returning client gets a new lead."
                )
                % {"id": locked.pk, "status": choice_name(LeadStatus, current)},
                field="status",
                code="illegal_transition",
            )
        if status == LeadStatus.WON:
            raise RuleViolation(
                _("A lead becomes won only by converting it to a booking."),
                field="status",
                code="illegal_transition",
            )
        if status != LeadStatus.LOST and PIPELINE.index(status) < PIPELINE.index(current):
            raise RuleViolation(
                _("A lead cannot move back from %(current)s to %(status)s.")
                % {
                    "current": choice_name(LeadStatus, current),
                    "status": choice_name(LeadStatus, status),
                },
                field="status",
                code="illegal_transition",
            )
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        lead.status = status
        return locked


def lead_assign(*, lead: Lead, agent: User | None, actor: User | None = None) -> Lead:
    """Give the lead to `agent` (None: unassign). Only active staff can own leads."""
    if agent is not None and not lead_assignable_users().filter(pk=agent.pk).exists():
        raise RuleViolation(
            _("%(name)s cannot be assigned leads (inactive or not an agent).")
            % {"name": agent.name},
            field="assigned_agent",
            code="invalid_agent",
        )
    with transaction.atomic():
        locked = _lock_lead(lead)
        locked.assigned_agent = agent
        locked.save(update_fields=["assigned_agent", "updated_at"])
        lead.assigned_agent = agent
        return locked


LEAD_EDITABLE = ("tour_interest", "source", "status", "assigned_agent")


def lead_update(*, lead: Lead, actor: User | None = None, **fields: Any) -> Lead:
    """Edit a lead; `status` and `assigned_agent` go through their own rules above."""
    reject_unknown_fields(fields, LEAD_EDITABLE)
    if "source" in fields and fields["source"] not in LeadSource.values:
        raise ValidationError({"source": choose_one_of(LeadSource.values)})
    tour = fields.get("tour_interest")
    if tour is not None and not isinstance(tour, Tour):
        raise ValidationError({"tour_interest": _("Choose a tour.")})
    with transaction.atomic():
        locked = _lock_lead(lead)
        plain = [name for name in ("tour_interest", "source") if name in fields]
        for name in plain:
            setattr(locked, name, fields[name])
        if plain:
            locked.save(update_fields=[*plain, "updated_at"])
        if "assigned_agent" in fields:
            locked = lead_assign(lead=locked, agent=fields["assigned_agent"], actor=actor)
        if "status" in fields:
            locked = lead_transition(lead=locked, status=fields["status"], actor=actor)
        return locked


def conversation_mark_read(
    *, user: User, client_id: int | None = None, lead_id: int | None = None
) -> int:
    """`user` opened a conversation (a client's thread, or one lead's): their leads in it go back
    to 0 unread, in one UPDATE; leads assigned to others keep their count. Returns how many
    leads changed."""
    if client_id is None and lead_id is None:
        return 0
    leads = Lead.objects.filter(assigned_agent=user, unread_messages_count__gt=0)
    if lead_id is not None:
        leads = leads.filter(pk=lead_id)
    if client_id is not None:
        leads = leads.filter(client_id=client_id)
    return leads.update(unread_messages_count=0)
