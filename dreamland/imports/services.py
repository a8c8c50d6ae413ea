"""Importing a client list: the preview (what each row would do) and the batch import.

Both read the file the same way (`reader`, `cleaning`) and decide each row the same way: a row
creates a client, matches one (by phone in any spelling, against the database and earlier rows of
the same file), or is rejected with its reason. The preview writes nothing; the import writes in
chunks of rows, each chunk one transaction (clients, then their leads, through the leads app's
assignment rule), so 100k rows take seconds and one bad row never loses the others: a chunk the
database refuses is retried row by row and only the refused row is rejected.

Leads: each row opens a lead (`source=import`, the row's status and tour) unless the client
already has an open imported lead for the same tour — importing a file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from dreamland.clients.models import Client
from dreamland.imports.cleaning import CleanRow, RowRejected, Tours, clean_row
from dreamland.imports.reader import ImportFileError, Row, read_rows
from dreamland.leads.board import board_counts_changed
from dreamland.leads.models import OPEN_STATUSES, Lead, LeadSource
from dreamland.leads.services import NEW_LEAD_FIELDS, AgentPicker
from dreamland.lib.bulk import insert_rows
from dreamland.lib.changes import CLIENTS, reports_changed
from dreamland.tours.models import Tour

CHUNK = 1000
ANALYZE_AFTER = 10 * CHUNK  # new clients after which the tables' statistics are refreshed
CREATE, MATCH, REJECT = "create", "match", "reject"


@dataclass(frozen=True)
class RowOutcome:
    number: int
    action: str  # CREATE, MATCH or REJECT
    name: str
    phone: str  # E.164 when it parsed, else as written
    reason: str = ""
    values: tuple[str, ...] = ()  # the row as written (for the rejected-rows file)


@dataclass
class ImportReport:
    imported: int = 0  # rows that created a client
    matched: int = 0  # rows whose client existed (in the database or earlier in the file)
    rejected: list[str] = field(default_factory=list)  # "row N: reason"
    outcomes: list[RowOutcome] = field(default_factory=list)  # kept when asked for

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def rows(self) -> int:
        return self.imported + self.matched + len(self.rejected)

    def summary(self) -> str:
        return (
            f"imported {self.imported}, matched existing {self.matched}, "
            f"rejected {len(self.rejected)}"
        )

    def add(self, outcome: RowOutcome, keep: bool) -> None:
        if outcome.action == CREATE:
            self.imported += 1
        elif outcome.action == MATCH:
            self.matched += 1
        else:
            self.rejected.append(
                _("row %(number)s: %(reason)s")
                % {"number": outcome.number, "reason": outcome.reason}
            )
        if keep or outcome.action == REJECT:
            self.outcomes.append(outcome)


Progress = Callable[[ImportReport], None]


def _tours() -> Tours:
    return Tours({pk: name or "" for pk, name in Tour.objects.values_list("pk", "name")})


def _cleaned(rows: Iterable[Row], tours: Tours) -> Iterator[tuple[Row, CleanRow | str]]:
    for row in rows:
        try:
            yield row, clean_row(row, tours)
        except RowRejected as exc:
            yield row, str(exc)


def _chunks[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _as_written(row: Row) -> tuple[str, ...]:
    return (*row.values.values(), *row.extra)


def _rejected(row: Row, reason: str) -> RowOutcome:
    return RowOutcome(
        row.number, REJECT, row.values["name"], row.values["phone"], reason, _as_written(row)
    )


def import_preview(*, content: bytes, filename: str = "", keep: int = 500) -> ImportReport:
    """What importing the file would do, row by row; writes nothing. The first `keep` outcomes
    (and every rejected one) are kept for the preview table. Raises `ImportFileError`."""
    report = ImportReport()
    tours = _tours()
    seen: set[str] = set()
    for chunk in _chunks(_cleaned(read_rows(content, filename), tours), CHUNK):
        phones = {c.phone for _, c in chunk if isinstance(c, CleanRow)}
        known = set(Client.objects.filter(phone__in=phones).values_list("phone", flat=True))
        for row, clean in chunk:
            if isinstance(clean, str):
                report.add(_rejected(row, clean), keep=False)
                continue
            action = MATCH if clean.phone in known or clean.phone in seen else CREATE
            seen.add(clean.phone)
            report.add(
                RowOutcome(row.number, action, clean.name, clean.phone),
                keep=len(report.outcomes) < keep,
            )
    return report


def import_run(
    *, content: bytes, filename: str = "", progress: Progress | None = None
) -> ImportReport:
    """Import the file in chunks (one transaction each); `progress` is called after each chunk.
    Raises `ImportFileError` before writing anything when the file cannot be read at all."""
    report = ImportReport()
    tours = _tours()
    rows = read_rows(content, filename)
    analyzed_at = 0  # new clients when the statistics were last refreshed
    first_analyze = min(CHUNK, ANALYZE_AFTER)
    for chunk in _chunks(_cleaned(rows, tours), CHUNK):
        try:
            with transaction.atomic():
                outcomes = _write_chunk(chunk)
        except (IntegrityError, DatabaseError):
            outcomes = []
            for one in chunk:  # find the row the database refused; keep the others
                try:
                    with transaction.atomic():
                        written = _write_chunk([one])
                except (IntegrityError, DatabaseError) as exc:  # also from the commit
                    written = [
                        _rejected(one[0], _("refused by the database (%(error)s)") % {"error": exc})
                    ]
                outcomes += written
        for outcome in outcomes:
            report.add(outcome, keep=False)
        # First after a chunk's worth of new clients (the table may have been empty), then
        # every ANALYZE_AFTER.
        if report.imported - analyzed_at >= (ANALYZE_AFTER if analyzed_at else first_analyze):
            _analyze(Client, Lead)
            analyzed_at = report.imported
        if progress is not None:
            progress(report)
    return report


def _analyze(*models: type[Model]) -> None:
    """Refresh PostgreSQL's statistics of tables an import is growing (after the first
    chunk of new clients, then every `ANALYZE_AFTER`).

    On the statistics of an empty table the planner scans instead of using the indexes: 100k
    rows into a freshly analysed empty `clients` took 755 s (each chunk's phone lookup scanned
    every client imported so far), and importing the same file again soon after scanned every
    imported lead per chunk (170 ms instead of 2 ms). Autovacuum's analyze comes too late.
    """
    if connection.vendor != "postgresql":
        return  # SQLite's planner prefers the indexes without statistics
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _write_chunk(chunk: list[tuple[Row, CleanRow | str]]) -> list[RowOutcome]:
    """Write one chunk's clients and leads; call inside a transaction.

    A fixed number of statements, whatever the chunk's size: the clients the database already
    has (one query); the new ones in one insert that skips any phone created meanwhile by anyone
    else and returns the ids of those it wrote; for the known clients only (new ones have no
    leads yet), their open imported leads and `AgentPicker`'s look at their latest agent; then
    every lead in one insert, assigned by `AgentPicker`, which takes the round-robin lock.
    """
    good = [c for _row, c in chunk if isinstance(c, CleanRow)]
    phones = {c.phone for c in good}
    ids = dict(Client.objects.filter(phone__in=phones).values_list("phone", "pk"))
    fresh: dict[str, CleanRow] = {}
    for c in good:
        if c.phone not in ids and c.phone not in fresh:
            fresh[c.phone] = c
    created: dict[str, int] = {}
    now = timezone.now()
    if fresh:
        created = dict(
            insert_rows(
                Client,
                ("name", "phone", "email", "preferred_language", "notes"),
                [(c.name, c.phone, c.email, c.preferred_language, c.notes) for c in fresh.values()],
                constants={"created_at": now, "updated_at": now},
                ignore_conflicts=True,  # a phone created at this moment elsewhere is matched
                returning=("phone", "id"),
            )
        )
        if len(created) < len(fresh):
            ids.update(
                Client.objects.filter(phone__in=fresh.keys() - created.keys()).values_list(
                    "phone", "pk"
                )
            )
    known = list(ids.values())
    open_imports: set[tuple[int, int | None]] = set(
        Lead.objects.filter(
            client_id__in=known, source=LeadSource.IMPORT, status__in=OPEN_STATUSES
        ).values_list("client_id", "tour_interest_id")
    )
    ids.update(created)
    picker = AgentPicker(known, lock=True)
    leads: list[tuple[object, ...]] = []
    outcomes: list[RowOutcome] = []
    new_phones: set[str] = set()
    for row, clean in chunk:
        if isinstance(clean, str):
            outcomes.append(_rejected(row, clean))
            continue
        client_id = ids[clean.phone]
        new_client = clean.phone in created and clean.phone not in new_phones
        if new_client:
            new_phones.add(clean.phone)
        pair = (client_id, clean.tour_id)
        if new_client or pair not in open_imports:
            agent_id = picker.pick(client_id)
            # Each lead its own creation time, as when created one by one: round-robin reads
            # from it who was given a lead last.
            created_at = timezone.now()
            leads.append(
                (
                    client_id,
                    LeadSource.IMPORT,
                    clean.status,
                    clean.tour_id,
                    agent_id,
                    0,
                    created_at,
                    created_at,
                )
            )
            if clean.status in OPEN_STATUSES:
                open_imports.add(pair)
        action = CREATE if new_client else MATCH
        outcomes.append(RowOutcome(row.number, action, clean.name, clean.phone))
    insert_rows(Lead, NEW_LEAD_FIELDS, leads)
    board_counts_changed()  # the board's counts and the reports' lead figures
    if created:
        reports_changed(CLIENTS)
    return outcomes


def import_clients(*, path: Path, dry_run: bool = False) -> ImportReport:
    """`manage.py import_clients`: the file imported (or, dry, previewed) from disk."""
    if not path.is_file():
        raise ImportFileError(_("no such file: %(path)s") % {"path": path})
    content = path.read_bytes()
    if dry_run:
        return import_preview(content=content, filename=path.name, keep=0)
    return import_run(content=content, filename=path.name)
