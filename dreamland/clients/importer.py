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
# Other spellings of the column names seen in real exports (English and Russian).
ALIASES = {
    **dict.fromkeys(
        (
            "full_name",
            "client",
            "client_name",
            "contact",
            "contact_name",
            "имя",
            "фио",
            "клиент",
            "имя_клиента",
            "контакт",
            "имя_фамилия",
        ),
        "name",
    ),
    **dict.fromkeys(
        (
            "phone_number",
            "telephone",
            "tel",
            "mobile",
            "mobile_phone",
            "cell",
            "whatsapp",
            "телефон",
            "тел",
            "номер",
            "номер_телефона",
            "мобильный",
            "мобильный_телефон",
            "сотовый",
            "ватсап",
        ),
        "phone",
    ),
    **dict.fromkeys(
        ("e_mail", "mail", "email_address", "почта", "эл_почта", "электронная_почта", "емейл"),
        "email",
    ),
    **dict.fromkeys(("language", "lang", "язык", "язык_общения"), "preferred_language"),
    **dict.fromkeys(
        (
            "note",
            "comment",
            "comments",
            "remarks",
            "примечание",
            "примечания",
            "комментарий",
            "комментарии",
            "заметки",
        ),
        "notes",
    ),
    **dict.fromkeys(("tour", "интерес", "тур", "направление"), "tour_interest"),
    **dict.fromkeys(("lead_status", "stage", "статус", "этап"), "status"),
}
LANGUAGES = {
    **dict.fromkeys(("ru", "rus", "russian", "русский", "рус", "ru_ru"), "ru"),
    **dict.fromkeys(("en", "eng", "english", "английский", "англ", "en_us", "en_gb"), "en"),
}
STATUSES = {
    "новый": "new",
    "новая": "new",
    "в_работе": "contacted",
    "связались": "contacted",
    "контакт": "contacted",
    "квалифицирован": "qualified",
    "квалифицирована": "qualified",
    "предложение": "quoted",
    "кп": "quoted",
    "отправлено_предложение": "quoted",
    "потерян": "lost",
    "потеряна": "lost",
    "отказ": "lost",
    "выигран": "won",
    "успешно": "won",
}
# A title or an export note may sit above the header row: it is looked for this far down.
HEADER_SEARCH_ROWS = 20


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
def _key(raw: object) -> str:
    """A header or code as written by people: `E-mail *`, ` Телефон: ` → `e_mail`, `телефон`."""
    text = re.sub(r"\(.*?\)", " ", str(raw or "")).lower()
    return "_".join(re.findall(r"\w+", text))


def _header_key(raw: object) -> str:
    key = _key(raw)
    return ALIASES.get(key, key)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decode(content: bytes) -> str:
    """UTF-8 (with or without a BOM), Excel's "Unicode text" (UTF-16 with a BOM), else cp1251."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError("the file starts as UTF-16 but is not valid UTF-16") from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1251", errors="replace")


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


def _xlsx_sheets(path: Path) -> Iterator[Iterator[list[str]]]:
    """Each worksheet's rows, in workbook order."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"not a readable XLSX file ({exc})") from None
    try:
        for sheet in workbook.worksheets:
            yield ([_cell(value) for value in row] for row in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _tables(path: Path) -> Iterator[Iterator[list[str]]]:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _xlsx_sheets(path)
    else:
        yield _csv_rows(path.read_bytes())


def _blank(row: list[str]) -> bool:
    return not any((cell or "").strip() for cell in row)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, {column: value}) for each non-blank data row.

    The header is the first row with a phone column among the first rows of the first sheet
    that has one: exports often start with a title line, and workbooks with a summary sheet.
    """
    if not path.is_file():
        raise ImportFileError(f"no such file: {path}")
    first_row: list[str] | None = None
    for rows in _tables(path):
        numbered = enumerate(rows, start=1)
        header: list[str] | None = None
        looked_at = 0
        for _number, row in numbered:
            if _blank(row):
                continue
            keys = [_header_key(cell) for cell in row]
            if first_row is None:
                first_row = keys
            if "phone" in keys:
                header = keys
                break
            looked_at += 1
            if looked_at >= HEADER_SEARCH_ROWS:
                break
        if header is None:
            continue
        for number, row in numbered:
            if _blank(row):
                continue
            values: dict[str, str] = {}
            for i, key in enumerate(header):
                if i < len(row) and key and not values.get(key):  # the first filled column wins
                    values[key] = (row[i] or "").strip()
            yield number, {key: values.get(key, "") for key in COLUMNS}
        return
    if first_row is None:
        raise ImportFileError("the file is empty")
    found = ", ".join(h for h in first_row if h) or "none"
    raise ImportFileError(f"no 'phone' column in the header (columns: {found})")


# --- one row --------------------------------------------------------------------------------------
def _phones(cell: str) -> tuple[str, list[str]]:
    """The cell's phone in E.164, and any further numbers in it ("+7 701 …, 8 702 …")."""
    try:
        return normalize_phone(cell), []
    except ValidationError:
        pass
    found: list[str] = []
    for part in re.split(r"[,;/\n]|\s+(?:или|or)\s+", cell):
        try:
            number = normalize_phone(part)
        except ValidationError:
            continue
        if number not in found:
            found.append(number)
    if not found:
        raise _RowRejected(f"phone '{cell}' is not a valid phone number")
    return found[0], found[1:]


def _tour(value: str, tours: dict[str, Tour]) -> Tour:
    """The tour by name, any case; a shortened name ("Charyn") when it fits one tour only."""
    wanted = " ".join(value.split()).casefold()
    if wanted in tours:
        return tours[wanted]
    starting = {t.pk: t for name, t in tours.items() if name.startswith(wanted)}
    if len(wanted) >= 3 and len(starting) == 1:
        return next(iter(starting.values()))
    raise _RowRejected(f"tour_interest '{value}' is not a known tour")


def _clean(row: dict[str, str], tours: dict[str, Tour]) -> dict[str, Any]:
    phone, other_phones = _phones(row["phone"])
    notes = "\n".join(
        [row["notes"]] * bool(row["notes"]) + [f"Other phone: {n}" for n in other_phones]
    )
    email = row["email"].lower() or None
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _RowRejected(f"email '{row['email']}' is not a valid email address") from None
    language = None
    if row["preferred_language"]:
        language = LANGUAGES.get(_key(row["preferred_language"]))
        if language not in Language.values:
            raise _RowRejected(
                f"preferred_language '{row['preferred_language']}' is not one of en, ru"
            )
    tour = _tour(row["tour_interest"], tours) if row["tour_interest"] else None
    status = _key(row["status"]) or LeadStatus.NEW
    status = STATUSES.get(status, status)
    if status not in LeadStatus.values:
        raise _RowRejected(f"status '{row['status']}' is not one of {', '.join(LeadStatus.values)}")
    if status == LeadStatus.WON:
        raise _RowRejected("status 'won' is reached only by booking; import the lead as quoted")
    return {
        "name": row["name"][:255],
        "phone": phone,
        "email": email,
        "preferred_language": language,
        "notes": notes or None,
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
    tours = {" ".join(t.name.split()).casefold(): t for t in Tour.objects.all() if t.name}
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
