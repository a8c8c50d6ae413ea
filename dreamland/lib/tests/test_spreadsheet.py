from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from dreamland.lib.spreadsheet import neutralise, spreadsheet_response, write_csv, write_xlsx

DANGEROUS = ["=1+2", "+7 701 123", "-2+3", "@SUM(A1)", "\tx", "\rx"]
COLUMNS = ["Имя", "Сумма", "Дата"]


def _sheet(content: bytes) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.active.iter_rows(values_only=True))


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_would_start_a_formula_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Алия", "a=b", "1-2", "", "'=already"])
def test_harmless_text_is_left_alone(text):
    assert neutralise(text) == text


def test_xlsx_neutralises_every_dangerous_cell_and_keeps_numbers_typed():
    rows = [[text, Decimal("-1250.50"), date(2026, 3, 1)] for text in DANGEROUS]
    rows.append(["Алия Нурланова", -5, datetime(2026, 3, 1, 9, 30, tzinfo=UTC)])

    got = _sheet(write_xlsx(rows, COLUMNS, sheet_title="Клиенты"))

    assert got[0] == ("Имя", "Сумма", "Дата")
    # (XML reads a stored CR back as LF; what matters is the quote in front.)
    assert [r[0] for r in got[1:-1]] == ["'" + t.replace("\r", "\n") for t in DANGEROUS]
    # No cell came back as a formula, and amounts are numbers, not text.
    assert all(not str(r[0]).startswith("=") for r in got[1:])
    assert got[1][1] == pytest.approx(-1250.5)
    assert isinstance(got[1][1], float)
    assert got[1][2] == datetime(2026, 3, 1)
    assert got[-1][0] == "Алия Нурланова"
    assert got[-1][1] == -5
    assert isinstance(got[-1][2], datetime)  # aware → naive local time (settings.TIME_ZONE)


def test_xlsx_header_and_dates_are_formatted_and_the_sheet_named():
    workbook = load_workbook(io.BytesIO(write_xlsx([["a", 1, date(2026, 1, 2)]], COLUMNS)))
    sheet = workbook.active
    assert sheet["A1"].font.bold
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].data_type == "n"


def test_xlsx_drops_control_characters_excel_would_refuse():
    got = _sheet(write_xlsx([["bad\x00\x07text", None, None]], COLUMNS))
    assert got[1] == ("badtext", None, None)


def test_csv_is_utf8_with_bom_crlf_and_neutralised():
    content = write_csv(
        [["=HYPERLINK(1)", Decimal("10.50"), date(2026, 3, 1)], ["Ерлан", -3, None]],
        [gettext_lazy("Name"), "Сумма", "Дата"],
    )

    assert content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["Name", "Сумма", "Дата"],
        ["'=HYPERLINK(1)", "10.50", "2026-03-01"],
        ["Ерлан", "-3", ""],
    ]


def test_csv_quotes_a_value_with_a_newline_or_comma():
    content = write_csv([["a,b", "line1\nline2", 1]], ["x", "y", "z"])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["a,b", "line1\nline2", "1"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_response_is_a_download_with_a_utf8_filename(fmt, content_type):
    response = spreadsheet_response([["x", 1, None]], COLUMNS, "клиенты-2026", fmt)

    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote(f'клиенты-2026.{fmt}')}" in disposition
    if fmt == "xlsx":
        assert _sheet(response.content)[1] == ("x", 1, None)


def test_response_keeps_one_extension():
    response = spreadsheet_response([], COLUMNS, "clients.csv", "csv")
    assert response["Content-Disposition"] == 'attachment; filename="clients.csv"'


def test_response_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="unknown spreadsheet format"):
        spreadsheet_response([], COLUMNS, "x", "ods")
