"""Import clients and leads from a spreadsheet (SPEC §6 `import_clients`).

Each row finds-or-creates its client by phone (any spelling) and opens a lead (`source=import`)
in its own transaction, so one bad row never loses the others. Rows are rejected with a reason
that names the row and the value; a dry run does the same work and rolls every row back.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from dreamland.clients.models import Client
from dreamland.clients.services import client_get_or_create_by_e164
from dreamland.leads.models import OPEN_STATUSES, Lead, LeadSource, LeadStatus
from dreamland.leads.services import lead_create, lead_transition
from dreamland.lib.choices import Language
from dreamland.lib.phones import normalize_phone
from dreamland.tours.models import Tour

COLUMNS = ("name", "phone", "email", "preferred_language", "notes", "tour_interest", "status")
# Other spellings of the column names seen in real exports.
ALIASES = {
    "e_mail": "email",
    "mail": "email",
    "phone_number": "phone",
    "telephone": "phone",
    "language": "preferred_language",
    "lang": "preferred_language",
    "tour": "tour_interest",
    "full_name": "name",
    "comment": "notes",
    "comments": "notes",
}
LANGUAGES = {"ru": "ru", "russian": "ru", "русский": "ru", "en": "en", "english": "en"}


class ImportFileError(Exception):
    """The file cannot be read as a client list at all (missing, wrong format, no phone column)."""


@dataclass
class ImportReport:
    imported: int = 0
    matched: int = 0
    rejected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        return (
            f"imported {self.imported}, matched existing {self.matched}, "
            f"rejected {len(self.rejected)}"
        )


class _RowRejected(Exception):
    pass


class _DryRun(Exception):
    pass


# --- reading ------------------------------------------------------------------------------------
def _header_key(raw: object) -> str:
    key = re.sub(r"[\s\-]+", "_", str(raw or "").strip().lower())
    return ALIASES.get(key, key)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1251")


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    if "\x00" in text:
        raise ImportFileError("the file is neither CSV nor XLSX")
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"not a readable XLSX file ({exc})") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    finally:
        workbook.close()


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, {column: value}) for each non-blank data row."""
    if not path.is_file():
        raise ImportFileError(f"no such file: {path}")
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        rows = _csv_rows(path.read_bytes())
    header: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        if header is None:
            if not any(cell.strip() for cell in row):
                continue
            header = [_header_key(cell) for cell in row]
            if "phone" not in header:
                found = ", ".join(h for h in header if h) or "none"
                raise ImportFileError(f"no 'phone' column in the header (columns: {found})")
            continue
        if not any((cell or "").strip() for cell in row):
            continue
        values = {key: (row[i] or "").strip() for i, key in enumerate(header) if i < len(row)}
        yield number, {key: values.get(key, "") for key in COLUMNS}
    if header is None:
        raise ImportFileError("the file is empty")


# --- one row --------------------------------------------------------------------------------------
def _clean(row: dict[str, str], tours: dict[str, Tour]) -> dict[str, Any]:
    try:
        phone = normalize_phone(row["phone"])
    except ValidationError:
        raise _RowRejected(f"phone '{row['phone']}' is not a valid phone number") from None
    email = row["email"].lower() or None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _RowRejected(f"email '{row['email']}' is not a valid email address") from None
    language = None
    if row["preferred_language"]:
        language = LANGUAGES.get(row["preferred_language"].lower())
        if language not in Language.values:
            raise _RowRejected(
                f"preferred_language '{row['preferred_language']}' is not one of en, ru"
            )
    tour = None
    if row["tour_interest"]:
        tour = tours.get(row["tour_interest"].casefold())
        if tour is None:
            raise _RowRejected(f"tour_interest '{row['tour_interest']}' is not a known tour")
    status = (row["status"] or LeadStatus.NEW).lower()
    if status not in LeadStatus.values:
        raise _RowRejected(f"status '{row['status']}' is not one of {', '.join(LeadStatus.values)}")
    if status == LeadStatus.WON:
        raise _RowRejected("status 'won' is reached only by booking; import the lead as quoted")
    return {
        "name": row["name"][:255],
        "phone": phone,
        "email": email,
        "preferred_language": language,
        "notes": row["notes"] or None,
        "tour": tour,
        "status": status,
    }


def _import_row(data: dict[str, Any]) -> bool:
    """Write one cleaned row; True when its client was new."""
    client, created = client_get_or_create_by_e164(
        phone_e164=data["phone"],
        name=data["name"],
        email=data["email"],
        preferred_language=data["preferred_language"],
        notes=data["notes"],
    )
    if not created and _has_same_open_import(client, data["tour"]):
        return False  # the same file imported again: no second lead
    lead = lead_create(client=client, source=LeadSource.IMPORT, tour_interest=data["tour"])
    if data["status"] != LeadStatus.NEW:
        lead_transition(lead=lead, status=data["status"])
    return created


def _has_same_open_import(client: Client, tour: Tour | None) -> bool:
    return Lead.objects.filter(
        client=client, source=LeadSource.IMPORT, status__in=OPEN_STATUSES, tour_interest=tour
    ).exists()


def import_clients(*, path: Path, dry_run: bool = False) -> ImportReport:
    """Import the file row by row; raises `ImportFileError` when it cannot be read at all."""
    report = ImportReport()
    tours = {t.name.casefold(): t for t in Tour.objects.exclude(name=None) if t.name}
    seen: set[str] = set()  # phones created earlier in this run (a dry run keeps nothing)
    for number, row in read_rows(path):
        try:
            data = _clean(row, tours)
            with transaction.atomic():
                created = _import_row(data)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except _RowRejected as exc:
            report.rejected.append(f"row {number}: {exc}")
            continue
        except ValidationError as exc:
            report.rejected.append(f"row {number}: {'; '.join(exc.messages)}")
            continue
        if created and data["phone"] not in seen:
            report.imported += 1
        else:
            report.matched += 1
        seen.add(data["phone"])
    return report
