"""Reading a client list from a real spreadsheet: no database, no Django models.

What agencies here actually have: Excel's CSV in UTF-8 (with or without BOM), Windows-1251 or
UTF-16 ("Unicode text"), separated by commas, semicolons or tabs, CRLF line ends, a title line
above the header, blank, short and over-long rows; and XLSX workbooks with a summary sheet first.

The delimiter is not guessed from character counts alone (a semicolon file with commas in its
notes fooled `csv.Sniffer`): each candidate is tried and the one whose header yields a phone
column wins, so a wrong guess is never the end.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

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
            "customer",
            "имя",
            "фио",
            "клиент",
            "имя_клиента",
            "контакт",
            "имя_фамилия",
            "фамилия_имя",
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
# A title or an export note may sit above the header row: it is looked for this far down.
HEADER_SEARCH_ROWS = 20
DELIMITERS = (";", ",", "\t", "|")


class ImportFileError(Exception):
    """The file cannot be read as a client list at all (wrong format, empty, no phone column)."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it (1 = the first line of the file)
    values: dict[str, str]  # every name of COLUMNS, "" when absent
    extra: tuple[str, ...] = ()  # non-empty cells past the header's last column


@functools.lru_cache(maxsize=4096)  # the languages and statuses of a file repeat
def key(raw: object) -> str:
    """A header or code as people write it: `E-mail *`, ` Телефон: ` → `e_mail`, `телефон`."""
    text = re.sub(r"\(.*?\)", " ", str(raw or "")).lower()
    return "_".join(re.findall(r"\w+", text))


def header_key(raw: object) -> str:
    k = key(raw)
    return ALIASES.get(k, k)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def decode(content: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1251."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(_("the file starts as UTF-16 but is not valid UTF-16")) from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1251", errors="replace")


def _blank(row: list[str]) -> bool:
    return not any((cell or "").strip() for cell in row)


def _find_header(rows: list[list[str]]) -> tuple[int, list[str]] | None:
    """(index, column keys) of the first row naming a phone column among the first rows."""
    looked_at = 0
    for index, row in enumerate(rows):
        if _blank(row):
            continue
        keys = [header_key(cell) for cell in row]
        if "phone" in keys:
            return index, keys
        looked_at += 1
        if looked_at >= HEADER_SEARCH_ROWS:
            break
    return None


def _csv_table(content: bytes) -> tuple[list[str], Iterator[list[str]], int] | list[str]:
    """(header keys, the data rows after it, the header's line number); or, when no delimiter
    gives a phone column, the first non-blank line's cells for the error message."""
    text = decode(content)
    if "\x00" in text:
        raise ImportFileError(_("the file is neither CSV nor XLSX"))
    head = text[:65536].splitlines()[: HEADER_SEARCH_ROWS * 3]
    best: tuple[int, str, int, list[str]] | None = None
    for delimiter in DELIMITERS:
        sample = list(csv.reader(head, delimiter=delimiter))
        found = _find_header(sample)
        if found is None:
            continue
        index, keys = found
        known = sum(1 for k in keys if k in COLUMNS)
        # More recognised columns wins; on a tie the earlier line (a title above the header).
        score = (known, -index)
        if best is None or score > (best[0], -best[2]):
            best = (known, delimiter, index, keys)
    if best is None:
        first = next((line for line in head if line.strip()), "")
        return [first] if first else []
    _known, delimiter, index, keys = best
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for _line in range(index + 1):
        next(reader, None)
    return keys, reader, index + 1


def _xlsx_tables(content: bytes) -> Iterator[list[list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError(_("not a readable XLSX file (%(error)s)") % {"error": exc}) from None
    try:
        for sheet in workbook.worksheets:
            yield [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _rows(keys: list[str], data: Iterator[list[str]], first_number: int) -> Iterator[Row]:
    width = len(keys)
    # Where each column is: the positions of the header cells with its name, in order.
    positions = [(c, [i for i, k in enumerate(keys) if k == c]) for c in COLUMNS]
    for number, cells in enumerate(data, start=first_number):
        if _blank(cells):
            continue
        count = len(cells)
        values: dict[str, str] = {}
        for column, at in positions:
            value = ""
            for i in at:  # the first filled column of a name wins
                if i < count and (value := (cells[i] or "").strip()):
                    break
            values[column] = value
        extra = tuple(c.strip() for c in cells[width:] if c and c.strip()) if count > width else ()
        yield Row(number, values, extra)


def is_xlsx(content: bytes, filename: str = "") -> bool:
    return content.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm"))


def read_rows(content: bytes, filename: str = "") -> Iterator[Row]:
    """Each non-blank data row of the file. Raises `ImportFileError` before the first row when the
    file cannot be read as a client list (so nothing is half-imported)."""
    if not content.strip():
        raise ImportFileError(_("the file is empty"))
    if is_xlsx(content, filename):
        first: list[str] | None = None
        for table in _xlsx_tables(content):
            found = _find_header(table)
            if found is None:
                first = first or next((r for r in table if not _blank(r)), None)
                continue
            index, keys = found
            return _rows(keys, iter(table[index + 1 :]), index + 2)
        if first is None:
            raise ImportFileError(_("the file is empty"))
        raise _no_phone([header_key(c) for c in first])
    parsed = _csv_table(content)
    if isinstance(parsed, list):
        if not parsed:
            raise ImportFileError(_("the file is empty"))
        raise _no_phone([header_key(c) for c in re.split(r"[;,\t|]", parsed[0])])
    keys, data, header_line = parsed
    return _rows(keys, data, header_line + 1)


def _no_phone(columns: list[str]) -> ImportFileError:
    found = ", ".join(c for c in columns if c) or _("none")
    return ImportFileError(
        _("no 'phone' column in the header (columns: %(columns)s)") % {"columns": found}
    )


def count_rows(content: bytes, filename: str = "") -> int:
    return sum(1 for _ in read_rows(content, filename))


__all__ = ["COLUMNS", "ImportFileError", "Row", "count_rows", "decode", "key", "read_rows"]
