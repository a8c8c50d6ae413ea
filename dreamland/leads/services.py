"""Lead writes: creation, assignment and the pipeline's status rules (SPEC §2 "Leads").

Pipeline: `new → contacted → qualified → quoted`, forward only; skipping ahead is allowed
(an agent may quote straight away from a first message), going back is refused. Any open status
may go to `lost`. `won` is reached only through `dreamland.bookings.conversion.lead_convert`
(one transaction with the booking); `won` and `lost` are final — a returning client gets a new lead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dreamland.accounts.models import Role, User
from dreamland.audit.services import audit_record
from dreamland.clients.models import Client
from dreamland.leads.board import board_counts_changed
from dreamland.leads.models import OPEN_STATUSES, Lead, LeadSource, LeadStatus, LostReason
from dreamland.leads.selectors import lead_assignable_users
from dreamland.lib.bulk import insert_rows
from dreamland.lib.changes import LEADS, reports_changed
from dreamland.lib.choices import choice_name, choose_one_of
from dreamland.lib.errors import RuleViolation, reject_unknown_fields
from dreamland.staff_settings.selectors import round_robin_enabled
from dreamland.tours.models import Tour
from dreamland.tours.selectors import tour_from_text

PIPELINE = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.QUOTED)
# The columns of a lead written in bulk (`insert_rows`): inbound messages' new leads, imports.
NEW_LEAD_FIELDS = (
    "client",
    "source",
    "status",
    "tour_interest",
    "assigned_agent",
    "unread_messages_count",
    "created_at",
    "updated_at",
)
# Any constant: the advisory lock that serialises round-robin picks on PostgreSQL.
_ROUND_ROBIN_LOCK = 7_401_001


class AgentPicker:
    """Who gets each new unassigned lead (SPEC §2 assignment), for one lead or many at once.

    A returning client goes back to the agent of their latest lead when that agent is still an
    active agent; otherwise, with `LEAD_ROUND_ROBIN` on, the active agent who was given a lead
    least recently (round-robin that survives restarts and agents joining or leaving). Picking
    for many leads (an import) reads that state once and keeps it in step as it hands leads out,
    so a batch gets the same agents as the same leads created one by one.
    """

    def __init__(self, client_ids: list[int], *, lock: bool = False) -> None:
        self._lock = lock
        self._queue: list[int] | None = None
        self._enabled: bool | None = None
        latest: dict[int, int] = {}
        rows = (
            Lead.objects.filter(client_id__in=client_ids, assigned_agent__isnull=False)
            .order_by("client_id", "-created_at", "-pk")
            .values_list("client_id", "assigned_agent_id")
        )
        for client_id, agent_id in rows:
            latest.setdefault(client_id, agent_id)
        active = (
            set(
                User.objects.filter(
                    pk__in=set(latest.values()), is_active=True, role=Role.AGENT
                ).values_list("pk", flat=True)
            )
            if latest
            else set()
        )
        self._previous = {c: a for c, a in latest.items() if a in active}

    def _round_robin(self) -> list[int]:
        if self._queue is None:
            if self._lock:
                _lock_round_robin()
            self._queue = list(
                User.objects.filter(is_active=True, role=Role.AGENT)
                .annotate(last_assigned=Max("assigned_leads__created_at"))
                .order_by(F("last_assigned").asc(nulls_first=True), "pk")
                .values_list("pk", flat=True)
            )
        return self._queue

    def pick(self, client_id: int) -> int | None:
        if client_id in self._previous:
            return self._previous[client_id]
        if self._enabled is None:  # the admin's switch on /settings/, else LEAD_ROUND_ROBIN
            self._enabled = round_robin_enabled()
        if not self._enabled:
            return None
        queue = self._round_robin()
        if not queue:
            return None
        agent_id = queue.pop(0)
        queue.append(agent_id)
        self._previous[client_id] = agent_id
        return agent_id


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
        agent_id = assigned_agent.pk if assigned_agent is not None else None
        if assigned_agent is None and auto_assign:
            agent_id = AgentPicker([client.pk], lock=True).pick(client.pk)
        lead = Lead.objects.create(
            client=client,
            source=source,
            status=LeadStatus.NEW,
            assigned_agent_id=agent_id,
            tour_interest=tour_interest,
            unread_messages_count=0,
        )
        board_counts_changed()
        return lead


def _lock_round_robin() -> None:
    """Serialise round-robin picks so two simultaneous leads do not go to the same agent.

    PostgreSQL: a transaction-scoped advisory lock; SQLite: `BEGIN IMMEDIATE` already did it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROUND_ROBIN_LOCK])


def leads_open_many(
    *, first_texts: dict[int, str | None], source: str = LeadSource.WHATSAPP
) -> dict[int, int]:
    """A new open lead for each client of `first_texts` (client id → the text of its first
    message, or None): `{client_id: lead_id}`, in a fixed number of statements however many.

    The batch form of `lead_create` for inbound messages (SPEC §2): each lead is assigned by
    `AgentPicker` (which takes the round-robin lock) and gets its tour interest from its first
    text by the tours' one rule (`tour_from_text`, the active tours read once). Call inside
    `transaction.atomic()`, after the conversation lock of these clients' numbers.
    """
    if not first_texts:
        return {}
    if source not in LeadSource.values:
        raise ValidationError({"source": choose_one_of(LeadSource.values)})
    client_ids = sorted(first_texts)
    tours: list[Tour] | None = None
    if any(first_texts.values()):
        tours = list(Tour.objects.filter(active=True))
    picker = AgentPicker(client_ids, lock=True)
    rows: list[tuple[object, ...]] = []
    for client_id in client_ids:
        text = first_texts[client_id]
        tour = tour_from_text(text, tours) if text and tours else None
        # Each lead its own creation time, as when created one by one: round-robin reads from
        # it who was given a lead last.
        at = timezone.now()
        rows.append(
            (
                client_id,
                source,
                LeadStatus.NEW,
                tour.pk if tour else None,
                picker.pick(client_id),
                0,
                at,
                at,
            )
        )
    written = insert_rows(
        Lead,
        NEW_LEAD_FIELDS,
        rows,
        returning=("client", "id"),
    )
    board_counts_changed()
    return {int(client_id): int(lead_id) for client_id, lead_id in written}


def leads_count_inbound(*, counts: dict[int, tuple[int, datetime, datetime]]) -> None:
    """New inbound messages filed on leads (lead id → (how many, the earliest one's time, the
    newest one's)): each lead's unread count goes up, `last_message_at` forward (never back:
    Meta delivers out of order) and `first_inbound_at` back to the earliest (`first_messages`),
    all in one statement, the leads in id order (one row order for every writer). The reports
    are told once when a first inbound time moved."""
    if not counts:
        return
    ids = sorted(counts)
    now: Any = timezone.now()
    if connection.vendor == "postgresql":
        rows = (
            "unnest(%s::bigint[], %s::integer[], %s::timestamptz[], %s::timestamptz[])"
            " AS v (id, n, first, at)"
        )
        params: list[Any] = [ids, *([counts[i][k] for i in ids] for k in range(3))]
        firsts: dict[int, Any] = {i: counts[i][1] for i in ids}
        latest, earliest = "GREATEST", "LEAST"
    else:  # SQLite: UPDATE … FROM (VALUES …); datetimes compare as their stored text
        adapt = connection.ops.adapt_datetimefield_value
        now = adapt(now)
        marks = ", ".join(["(%s, %s, %s, %s)"] * len(ids))
        rows = (
            "(SELECT column1 AS id, column2 AS n, column3 AS first, column4 AS at"  # noqa: S608
            f" FROM (VALUES {marks})) AS v"
        )
        firsts = {i: adapt(counts[i][1]) for i in ids}
        params = [value for i in ids for value in (i, counts[i][0], firsts[i], adapt(counts[i][2]))]
        latest, earliest = "MAX", "MIN"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads SET unread_messages_count ="  # noqa: S608 (placeholders only)
            " COALESCE(leads.unread_messages_count, 0) + v.n,"
            f" last_message_at = {latest}(COALESCE(leads.last_message_at, v.at), v.at),"
            f" first_inbound_at = {earliest}(COALESCE(leads.first_inbound_at, v.first), v.first),"
            f" updated_at = %s FROM {rows} WHERE leads.id = v.id"
            " RETURNING leads.id, leads.first_inbound_at",  # (SQLite returns no FROM column)
            [now, *params],
        )
        kept: list[tuple[int, Any]] = cursor.fetchall()
    if connection.vendor != "postgresql":  # SQLite's driver reads back a naive datetime
        kept = [(lead_id, str(first)) for lead_id, first in kept]
    moved = any(first == firsts[lead_id] for lead_id, first in kept)
    if moved:  # (or an earlier message of the same second: a needless, harmless recompute)
        reports_changed(LEADS)


def _lock_lead(lead: Lead) -> Lead:
    return Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)


def lead_transition(
    *,
    lead: Lead,
    status: str,
    actor: User | None = None,
    lost_reason: LostReason | None = None,
) -> Lead:
    """Move a lead along the pipeline (forward only, skipping allowed) or to `lost`.

    Raises `RuleViolation` (code `illegal_transition`) for anything else. `actor` is who asked
    (recorded in the audit trail; permissions are checked by the views). `lost_reason` is kept
    on a lead moved to `lost` (the pages require one; other callers may leave it empty).
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
        changes: dict[str, tuple[Any, Any]] = {"status": (current, status)}
        update = ["status", "updated_at"]
        if status == LeadStatus.LOST and lost_reason is not None:
            changes["lost_reason"] = (locked.lost_reason, lost_reason)
            locked.lost_reason = lost_reason
            lead.lost_reason = lost_reason
            update.append("lost_reason")
        locked.status = status
        locked.save(update_fields=update)
        audit_record(obj=locked, changes=changes, actor=actor)
        board_counts_changed()
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
        rows = Lead.objects.select_for_update(of=("self",)).select_related("assigned_agent")
        locked = rows.get(pk=lead.pk)
        before = locked.assigned_agent
        locked.assigned_agent = agent
        locked.save(update_fields=["assigned_agent", "updated_at"])
        audit_record(obj=locked, changes={"assigned_agent": (before, agent)}, actor=actor)
        board_counts_changed()
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
            board_counts_changed()  # the board's counts per source and tour, the reports' sources
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


# --- the lost reasons' list (admins edit it at /settings/lost-reasons/) -------------------------


def lost_reason_save(
    *, name: str, position: int = 0, active: bool = True, reason: LostReason | None = None
) -> LostReason:
    """Add a reason, or rename/reorder/(de)activate one; a reason in use is never deleted, so
    past lost leads keep theirs."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the reason.")})
    # Compared in Python: SQLite folds only ASCII case, and the list is short.
    others = (
        LostReason.objects.all() if reason is None else LostReason.objects.exclude(pk=reason.pk)
    )
    if any(n.casefold() == name.casefold() for n in others.values_list("name", flat=True)):
        raise ValidationError({"name": _("This reason is already in the list.")})
    with transaction.atomic():
        target = reason or LostReason()
        target.name, target.position, target.active = name, position, active
        target.save()
        return target
