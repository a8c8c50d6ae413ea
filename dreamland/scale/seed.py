"""The scale data set: 100k clients, 200k leads, 1M communications, 20k bookings, over 3 years.

Rows go in with PostgreSQL COPY (psycopg) in one transaction, with every constraint and index in
place: the point is a database the app could have grown itself, not a fast-path import. Ids are
given explicitly (read from the table's maximum under an exclusive lock, sequences moved past them
afterwards) so that children can name their parents without reading them back; messages are
numbered in time order, as a live system numbers them. A fixed `random.Random` makes it the same
on every run.

The bench logs in as `agent1@scale.test` / `manager1@scale.test` (password `SCALE_PASSWORD`); the
three clients with 5k+ messages belong to agent 1, the newest of them is `heavy_client_ids[0]`.
"""

from __future__ import annotations

import logging
import random
import time
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import ForeignKey

from dreamland.accounts.models import Role, User
from dreamland.demo import data

logger = logging.getLogger(__name__)
SEED = 2013
SCALE_PASSWORD = "scale-password-1"  # noqa: S105 (a public test data set's password)
AGENTS = 10
MANAGERS = 2
YEARS = 3
TRAVELLER_MODEL = "bookings.Traveller"  # added by the bookings branch; optional here
HEAVY_MESSAGES = (5200, 6000, 7500)  # the conversations the bench opens

LEAD_STATUS_OPEN = ("new", "contacted", "qualified", "quoted")
LEAD_STATUS_W: tuple[tuple[str, int], ...] = (
    ("new", 18),
    ("contacted", 14),
    ("qualified", 10),
    ("quoted", 8),
)
LEAD_STATUS_W += (("won", 28), ("lost", 22))
LEAD_SOURCE_W = (("whatsapp", 60), ("website", 20), ("manual", 10), ("import", 10))
CHANNEL_W = (("whatsapp", 90), ("email", 4), ("phone", 4), ("sms", 2))


@dataclass
class ScaleSize:
    clients: int = 100_000
    leads: int = 200_000
    communications: int = 1_000_000
    bookings: int = 20_000
    heavy: tuple[int, ...] = HEAVY_MESSAGES  # messages of the few long conversations


@dataclass
class ScaleReport:
    created: dict[str, int] = field(default_factory=dict)
    agent_ids: list[int] = field(default_factory=list)
    heavy_client_ids: list[int] = field(default_factory=list)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...], k: int) -> list[str]:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=k)


def _staff() -> tuple[list[int], list[int]]:
    """Agents and managers by email (reused when present)."""

    digest = make_password(SCALE_PASSWORD)  # hashed once: PBKDF2 is slow on purpose

    def user(email: str, name: str, role: str) -> int:
        found = User.objects.filter(email=email).first()
        if found is None:
            found = User.objects.create_user(email=email, password=None, name=name, role=role)
            User.objects.filter(pk=found.pk).update(password=digest)
        return int(found.pk)

    agents = [user(f"agent{i}@scale.test", f"Агент {i}", Role.AGENT) for i in range(1, AGENTS + 1)]
    managers = [
        user(f"manager{i}@scale.test", f"Менеджер {i}", Role.MANAGER)
        for i in range(1, MANAGERS + 1)
    ]
    return agents, managers


def _next_id(cur: Any, table: str) -> int:
    cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 (fixed names)
    return int(cur.fetchone()[0])


def _copy(cur: Any, table: str, columns: tuple[str, ...], rows: Any) -> int:
    """COPY the rows, fast but checked.

    The table's plain secondary indexes are dropped first and built again after (one sorted
    build beats a million random inserts; unique ones stay and check as rows go in). Its
    triggers, which check foreign keys row by row, are off during COPY; every foreign key is
    then checked in one anti-join (`_check_foreign_keys`) before the transaction may commit.
    """
    started = time.monotonic()
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = "
        "i.indexname JOIN pg_index x ON x.indexrelid = c.oid WHERE i.schemaname = "
        "current_schema() AND i.tablename = %s AND NOT x.indisunique",
        [table],
    )
    indexes = cur.fetchall()
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    n = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
    _check_foreign_keys(cur, table)
    for _name, definition in indexes:
        cur.execute(definition)
    logger.info("%s: %d rows in %.1f s", table, n, time.monotonic() - started)
    return n


def seed_scale(size: ScaleSize | None = None) -> ScaleReport:
    """Write the data set; the caller has checked the engine and whether to add to a full DB."""
    size = size or ScaleSize()
    rng = random.Random(SEED)
    report = ScaleReport()
    now = datetime.now(tz=UTC).replace(microsecond=0)
    start = now - timedelta(days=365 * YEARS)
    span = (now - start).total_seconds()
    ts0 = start.timestamp()

    with transaction.atomic():
        agents, _managers = _staff()
        report.agent_ids = agents
        raw = connection.cursor()
        cur = raw.cursor  # the psycopg cursor: COPY
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # foreign keys are checked row by row as COPY goes (deferred checks would leave
        # pending trigger events, which CREATE INDEX refuses)
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(
            "LOCK TABLE clients, leads, communications, tours, tour_departures, bookings, "
            "payments IN EXCLUSIVE MODE"
        )

        # --- tours and departures (every 10 days from 3 years ago to a year ahead) -------------
        tour_id0 = _next_id(cur, "tours")
        dep_id0 = _next_id(cur, "tour_departures")
        tours: list[tuple[Any, ...]] = []
        departures: list[tuple[Any, ...]] = []
        dep_by_tour: dict[int, tuple[list[date], list[int], Decimal]] = {}
        for t, (name, desc, price, cap, days, _per_month) in enumerate(data.TOURS):
            tid = tour_id0 + t
            tours.append((tid, f"{name} (scale)", desc, price, "KZT", cap, days, True, now, now))
            dates, ids = [], []
            day = start.date() + timedelta(days=t)
            while day < now.date() + timedelta(days=365):
                did = dep_id0 + len(departures)
                departures.append((did, tid, day, price, "KZT", 60, now, now))
                dates.append(day)
                ids.append(did)
                day += timedelta(days=10)
            dep_by_tour[tid] = (dates, ids, price)
        cols: tuple[str, ...] = ("id", "name", "description", "base_price", "currency", "capacity")
        cols += ("duration_days", "active", "created_at", "updated_at")
        report.created["tours"] = _copy(cur, "tours", cols, tours)
        cols = ("id", "tour_id", "departure_date", "price", "currency", "capacity")
        report.created["tour_departures"] = _copy(
            cur, "tour_departures", (*cols, "created_at", "updated_at"), departures
        )
        tour_ids = list(dep_by_tour)

        # --- clients, oldest first --------------------------------------------------------------
        client_id0 = _next_id(cur, "clients")
        cur.execute("SELECT COUNT(*) FROM clients WHERE phone LIKE '+7779%'")
        phone0 = int(cur.fetchone()[0])
        c_ts = sorted(ts0 + rng.random() * (span - 86400) for _ in range(size.clients))
        women = [rng.random() < 0.5 for _ in range(size.clients)]

        def client_rows() -> Any:
            for i in range(size.clients):
                first = rng.choice(data.FIRST_NAMES_F if women[i] else data.FIRST_NAMES_M)
                last = rng.choice(data.LAST_NAMES)[1 if women[i] else 0]
                at = datetime.fromtimestamp(c_ts[i], tz=UTC)
                phone = f"+7779{phone0 + i:07d}"
                lang = "ru" if rng.random() < 0.8 else "en"
                yield (client_id0 + i, f"{first} {last}", phone, lang, at, at)

        cols = ("id", "name", "phone", "preferred_language", "created_at", "updated_at")
        report.created["clients"] = _copy(cur, "clients", cols, client_rows())

        # --- leads: 1-3 per client; only a client's newest lead may still be open ----------------
        per_client = rng.choices([1, 2, 3], weights=[1, 2, 1], k=size.clients)
        total = sum(per_client)
        while total != size.leads:  # hit the size exactly
            i = rng.randrange(size.clients)
            step = 1 if total < size.leads else -1
            if 1 <= per_client[i] + step <= 6:
                per_client[i] += step
                total += step
        lead_id0 = _next_id(cur, "leads")
        l_client = array("q")  # per lead: client id, agent id (0 = none), created ts
        l_agent = array("q")
        l_ts = array("d")
        l_status: list[str] = []
        for i, k in enumerate(per_client):
            stamps = sorted(c_ts[i] + rng.random() * (ts0 + span - c_ts[i]) for _ in range(k))
            statuses = _weighted(rng, LEAD_STATUS_W, k)
            for j, at in enumerate(stamps):
                l_client.append(client_id0 + i)
                l_agent.append(rng.choice(agents) if rng.random() < 0.85 else 0)
                l_ts.append(at)
                status = statuses[j]
                if j < k - 1 and status in LEAD_STATUS_OPEN:
                    status = "won" if rng.random() < 0.5 else "lost"
                l_status.append(status)
        n_leads = len(l_client)

        # The conversations the bench opens: the newest clients' last leads, agent 1's, open.
        heavy: list[int] = []
        for lead in range(n_leads - 1, -1, -1):
            if len(heavy) == len(size.heavy):
                break
            newest = lead == n_leads - 1 or l_client[lead] != l_client[lead + 1]
            if newest and (not heavy or l_client[lead] != l_client[heavy[-1]]):
                heavy.append(lead)
        for lead in heavy:
            l_agent[lead] = agents[0]
            l_status[lead] = "contacted"
            l_ts[lead] = min(l_ts[lead], ts0 + span * 0.5)  # a long conversation
        report.heavy_client_ids = [int(l_client[lead]) for lead in heavy]

        # --- communications: counts per lead, then every message in time order ------------------
        counts = [rng.randint(1, 7) for _ in range(n_leads)]
        for lead, n in zip(heavy, size.heavy, strict=True):
            counts[lead] = n
        total = sum(counts)
        while total != size.communications:
            lead = rng.randrange(n_leads)
            step = 1 if total < size.communications else -1
            if lead not in heavy and 1 <= counts[lead] + step <= 40:
                counts[lead] += step
                total += step
        m_ts = array("d")
        m_lead = array("i")
        for lead, n in enumerate(counts):
            begin = l_ts[lead]
            # ordinary leads talk for up to 30 days; long ones up to now
            length = min(ts0 + span - begin, 30 * 86400 if n < 100 else span)
            for _ in range(n):
                m_ts.append(begin + rng.random() * length)
                m_lead.append(lead)
        order = sorted(range(len(m_ts)), key=m_ts.__getitem__)
        last_msg = array("d", [0.0]) * n_leads
        for lead, at in zip(m_lead, m_ts, strict=True):
            last_msg[lead] = max(last_msg[lead], at)

        comm_id0 = _next_id(cur, "communications")
        channels = _weighted(rng, CHANNEL_W, 64)
        inbound_lines = [s.replace("{tour}", "Kolsai").replace("{n}", "3") for s in data.INBOUND_RU]
        outbound_lines = [
            s.replace("{tour}", "Kolsai").replace("{price}", "45 000") for s in data.OUTBOUND_RU
        ]

        def comm_rows() -> Any:
            fromts = datetime.fromtimestamp
            for seq, m in enumerate(order):
                lead = m_lead[m]
                at = fromts(m_ts[m], tz=UTC)
                mid = comm_id0 + seq
                channel = channels[mid % 64]
                inbound = rng.random() < 0.55
                wa = channel == "whatsapp"
                yield (
                    mid,
                    l_client[lead],
                    lead_id0 + lead,
                    channel,
                    "inbound" if inbound else "outbound",
                    rng.choice(inbound_lines if inbound else outbound_lines),
                    f"wamid.scale.{mid}" if wa else None,
                    ("received" if inbound else "read") if wa else None,
                    None if inbound else (l_agent[lead] or agents[0]),
                    at,
                    at,
                )

        # leads first (communications reference them)
        unread = [
            rng.randint(1, 5) if s in LEAD_STATUS_OPEN and rng.random() < 0.3 else 0
            for s in l_status
        ]
        sources = _weighted(rng, LEAD_SOURCE_W, n_leads)

        def lead_rows() -> Any:
            fromts = datetime.fromtimestamp
            for lead in range(n_leads):
                at = fromts(l_ts[lead], tz=UTC)
                last = fromts(last_msg[lead], tz=UTC)
                yield (
                    lead_id0 + lead,
                    l_client[lead],
                    l_status[lead],
                    sources[lead],
                    l_agent[lead] or None,
                    rng.choice(tour_ids) if rng.random() < 0.7 else None,
                    unread[lead],
                    last,
                    at,
                    last,
                )

        cols = ("id", "client_id", "status", "source", "assigned_agent_id", "tour_interest_id")
        cols += ("unread_messages_count", "last_message_at", "created_at", "updated_at")
        report.created["leads"] = _copy(cur, "leads", cols, lead_rows())
        cols = ("id", "client_id", "lead_id", "communication_type", "direction", "body")
        cols += ("whatsapp_message_id", "whatsapp_status", "sent_by_id", "created_at")
        report.created["communications"] = _copy(
            cur, "communications", (*cols, "updated_at"), comm_rows()
        )
        _first_message_times(cur, lead_id0)

        # --- bookings of won leads, with payments (and travellers when the model exists) --------
        won = [lead for lead in range(n_leads) if l_status[lead] == "won"]
        chosen = sorted(rng.sample(won, min(size.bookings, len(won))))
        booking_id0 = _next_id(cur, "bookings")
        payment_id0 = _next_id(cur, "payments")
        bookings: list[tuple[Any, ...]] = []
        payments: list[tuple[Any, ...]] = []
        today = now.date()
        for b, lead in enumerate(chosen):
            bid = booking_id0 + b
            booked = datetime.fromtimestamp(last_msg[lead], tz=UTC)
            dates, ids, price = dep_by_tour[rng.choice(tour_ids)]
            k = bisect_left(dates, booked.date() + timedelta(days=3)) + rng.randrange(6)
            k = min(k, len(ids) - 1)
            people = rng.choice((1, 2, 2, 2, 3, 4))
            amount = price * people
            if dates[k] < today:
                status = "cancelled" if rng.random() < 0.08 else "completed"
            else:
                status = "paid" if rng.random() < 0.4 else "confirmed"
            row = (bid, l_client[lead], lead_id0 + lead, ids[k], people, amount, "KZT", status)
            bookings.append((*row, booked, booked))
            paid_on = (booked + timedelta(hours=2)).date()
            if status in ("completed", "paid"):
                deposit = (amount * Decimal("0.3")).quantize(Decimal(1))
                parts = [amount] if rng.random() < 0.5 else [deposit, amount - deposit]
            elif status == "confirmed":
                parts = [(amount * Decimal("0.3")).quantize(Decimal(1))]
            else:
                parts = []
            method = rng.choice(("kaspi", "kaspi", "card", "cash", "bank_transfer"))
            for p, part in enumerate(parts):
                on = min(paid_on + timedelta(days=p * 7), today)
                pid = payment_id0 + len(payments)
                payments.append((pid, bid, part, "KZT", on, method, "completed", booked, booked))
        cols = ("id", "client_id", "lead_id", "tour_departure_id", "num_participants")
        cols += ("total_amount", "currency", "status", "created_at", "updated_at")
        report.created["bookings"] = _copy(cur, "bookings", cols, bookings)
        cols = ("id", "booking_id", "amount", "currency", "payment_date", "payment_method")
        cols += ("status", "created_at", "updated_at")
        report.created["payments"] = _copy(cur, "payments", cols, payments)
        travellers = _travellers(rng, bookings)
        if travellers is not None:
            report.created["travellers"] = travellers

        for table in ("clients", "leads", "communications", "tours", "tour_departures"):
            _move_sequence(cur, table)
        for table in ("bookings", "payments"):
            _move_sequence(cur, table)
    # statistics for the planner, and (outside a transaction) the visibility map that lets the
    # agent-visibility probe be an index-only scan
    tables = "clients, leads, communications, bookings, payments, tour_departures"
    with connection.cursor() as c:
        c.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {tables}")
    return report


def _first_message_times(cur: Any, lead_id0: int) -> None:
    """The new leads' `first_inbound_at` / `first_response_at` (`dreamland.leads.first_messages`)
    from the messages just copied: two set-based updates, seconds for a million messages."""
    cur.execute(
        "UPDATE leads l SET first_inbound_at = m.at FROM (SELECT lead_id, MIN(created_at) AS at"
        " FROM communications WHERE direction = 'inbound' AND lead_id >= %s GROUP BY lead_id) m"
        " WHERE l.id = m.lead_id",
        [lead_id0],
    )
    cur.execute(
        "UPDATE leads l SET first_response_at = m.at FROM (SELECT c.lead_id, MIN(c.created_at)"
        " AS at FROM communications c JOIN leads f ON f.id = c.lead_id"
        " WHERE c.direction = 'outbound' AND c.lead_id >= %s AND c.created_at >= f.first_inbound_at"
        " GROUP BY c.lead_id) m WHERE l.id = m.lead_id",
        [lead_id0],
    )


def _check_foreign_keys(cur: Any, table: str) -> None:
    """Raise (rolling everything back) when a row of `table` names a missing parent."""
    cur.execute(
        "SELECT c.conname, a.attname, p.relname, pa.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_class p ON p.oid = c.confrelid "
        "JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND c.conrelid = %s::regclass",
        [table],
    )
    for name, column, parent, parent_column in cur.fetchall():
        cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} x WHERE x.{column} IS NOT NULL AND NOT "  # noqa: S608
            f"EXISTS (SELECT 1 FROM {parent} p WHERE p.{parent_column} = x.{column}))"
        )
        if cur.fetchone()[0]:
            raise RuntimeError(f"seed_scale wrote rows breaking {name} ({table}.{column})")


def _move_sequence(cur: Any, table: str) -> None:
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed names)
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def _travellers(rng: random.Random, bookings: list[tuple[Any, ...]]) -> int | None:
    """One traveller per seat, when `bookings.Traveller` exists (another branch adds it).

    Its schema is not known here, so its required fields are filled by kind: the booking
    foreign key, names for text, a birth date for dates, the first choice for choice fields.
    A required field of another kind makes it skip travellers (None) rather than guess.
    """
    try:
        model = apps.get_model(TRAVELLER_MODEL)
    except LookupError:
        return None
    columns: list[str] = []
    makers: list[Any] = []
    booking_fk = None
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if isinstance(f, ForeignKey) and f.related_model._meta.label == "bookings.Booking":
            booking_fk = f.column
            continue
        if f.null or f.has_default() or f.has_db_default():
            continue  # optional, or the database fills it (created_at, updated_at)
        columns.append(f.column)
        kind = f.get_internal_type()
        if f.choices:
            first = f.choices[0][0]
            makers.append(lambda v=first: v)
        elif kind in ("CharField", "TextField"):
            makers.append(
                lambda: f"{rng.choice(data.FIRST_NAMES_F)} {rng.choice(data.LAST_NAMES)[1]}"
            )
        elif kind == "DateField":
            makers.append(lambda: date(1960, 1, 1) + timedelta(days=rng.randrange(20000)))
        else:
            return None
    if booking_fk is None:
        return None

    def rows() -> Any:
        for b in bookings:
            for _ in range(b[4]):  # num_participants
                yield (b[0], *(make() for make in makers))

    with connection.cursor() as c:
        return _copy(c.cursor, model._meta.db_table, (booking_fk, *columns), rows())
