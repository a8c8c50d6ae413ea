"""Rows out as a spreadsheet file: CSV that Excel opens with Cyrillic intact, or XLSX.

One place decides how a value becomes a cell, so every export and report download is safe the
same way: text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or
a carriage return — OWASP's "CSV injection" list) gets a leading `'`, in both formats, while
numbers, Decimals and dates stay typed values (a negative amount is a number, not a formula).

CSV is UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the ANSI code page and
Cyrillic turns into mojibake), comma-separated, CRLF line ends (RFC 4180). XLSX is written by
openpyxl in write-only mode, so a large export does not keep a cell object per value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
CONTENT_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What a spreadsheet reads as the start of a formula (or hides one behind: tab, CR).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NUMBERS = (bool, int, float, Decimal)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def neutralise(text: str) -> str:
    """`text` as a spreadsheet shows it literally: a leading `'` if it would start a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def cell_value(value: object) -> object:
    """The typed value a cell holds: numbers, dates and booleans as they are, text neutralised.

    Aware datetimes become naive in the current time zone (spreadsheets have no time zones, and
    openpyxl refuses aware ones); None is an empty cell; anything else is its text.
    """
    if value is None or isinstance(value, NUMBERS):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | time):
        return value
    return neutralise(str(value))  # str, a lazy translation, an enum label, a UUID…


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def write_csv(rows: Iterable[Sequence[object]], columns: Sequence[object]) -> bytes:
    """The rows under a header line as CSV bytes: UTF-8 with BOM, CRLF, every cell neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(cell_value(c)) for c in columns])
    for row in rows:
        writer.writerow([_csv_text(cell_value(v)) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(
    rows: Iterable[Sequence[object]], columns: Sequence[object], *, sheet_title: str = "Sheet1"
) -> bytes:
    """The rows under a bold header row as an XLSX workbook of one sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    bold = Font(bold=True)

    def cell(value: object, *, header: bool = False) -> WriteOnlyCell:
        value = cell_value(value)
        if isinstance(value, str):
            # Control characters (from a pasted message, say) make a workbook Excel refuses.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        out = WriteOnlyCell(sheet, value=value)
        if header:
            out.font = bold
        elif isinstance(value, datetime):
            out.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            out.number_format = DATE_FORMAT
        return out

    sheet.append([cell(c, header=True) for c in columns])
    for row in rows:
        sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of `[]:*?/\\`."""
    return title.translate(SHEET_TITLE_FORBIDDEN).strip()[:31] or "Sheet1"


def spreadsheet_response(
    rows: Iterable[Sequence[object]], columns: Sequence[object], filename: str, fmt: str
) -> HttpResponse:
    """A download of the rows as `filename` (its extension set to `fmt`), Cyrillic names included.

    `fmt` is "csv" or "xlsx"; anything else is a ValueError (the URL patterns only let those two
    through). Content-Disposition carries an ASCII fallback and the UTF-8 `filename*` (RFC 6266).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown spreadsheet format {fmt!r}")
    stem = PurePath(filename).stem if PurePath(filename).suffix in (".csv", ".xlsx") else filename
    content = (
        write_csv(rows, columns) if fmt == "csv" else write_xlsx(rows, columns, sheet_title=stem)
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{stem}.{fmt}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
