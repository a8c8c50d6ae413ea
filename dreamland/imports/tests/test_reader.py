"""Real files in: every encoding, delimiter and row shape agencies here export."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from dreamland.imports.reader import ImportFileError, read_rows

HEADER = "name;phone;email;preferred_language;notes"


def _rows(content: bytes, filename: str = "clients.csv") -> list[tuple[int, dict[str, str]]]:
    return [(row.number, row.values) for row in read_rows(content, filename)]


def test_a_cp1251_semicolon_file_with_commas_in_its_notes_finds_the_phone_column() -> None:
    # The file of the issue: a Russian Excel saving "CSV (semicolon-separated)".
    text = (
        f"{HEADER}\r\n"
        "Иванова Мария;8 701 123 45 67;maria@mail.kz;рус;Кольсай, август, 2 взрослых, 1 ребёнок\r\n"
        "Петров, Асхат;+7 702 000 11 22;;ru;звонить после 18:00, не в выходные\r\n"
        ";;;;\r\n"
        "Без телефона;;;;просто заметка, с запятой\r\n"
    ).encode("cp1251")
    rows = _rows(text)
    assert [n for n, _ in rows] == [2, 3, 5]
    assert rows[0][1]["phone"] == "8 701 123 45 67"
    assert rows[0][1]["notes"] == "Кольсай, август, 2 взрослых, 1 ребёнок"
    assert rows[1][1]["name"] == "Петров, Асхат"


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe")]
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_every_encoding_and_delimiter_reads_the_same(
    encoding: str, bom: bytes, delimiter: str
) -> None:
    lines = [["ФИО", "Телефон", "Почта"], ["Мария", "+77011234567", "m@x.kz"]]
    text = "\r\n".join(delimiter.join(cells) for cells in lines) + "\r\n"
    rows = _rows(bom + text.encode(encoding))
    assert rows == [
        (
            2,
            {
                "name": "Мария",
                "phone": "+77011234567",
                "email": "m@x.kz",
                "preferred_language": "",
                "notes": "",
                "tour_interest": "",
                "status": "",
            },
        )
    ]


def test_short_and_over_long_rows_are_padded_and_cut() -> None:
    content = b"name,phone,email\nShort,+77011234567\nLong,+77021234567,a@b.kz,extra,more\n"
    rows = list(read_rows(content, "x.csv"))
    assert rows[0].values["email"] == ""
    assert rows[1].values["email"] == "a@b.kz"
    assert rows[1].extra == ("extra", "more")


def test_a_title_line_above_the_header_is_skipped() -> None:
    content = "Выгрузка клиентов на 01.12.2026;;\n\nФИО;Телефон;Статус\nМария;87011234567;новый\n"
    rows = _rows(content.encode("utf-8"))
    assert rows == [(4, {**rows[0][1], "name": "Мария", "phone": "87011234567"})]
    assert rows[0][1]["status"] == "новый"


def test_an_xlsx_workbook_is_read_from_its_first_sheet_with_phones() -> None:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.append(["Итого", 2])
    sheet = book.create_sheet("Клиенты")
    sheet.append(["Имя", "Мобильный телефон", None])
    sheet.append(["Асель", 77011234567, None])
    sheet.append([None, None, None])
    sheet.append(["Болат", "8 (702) 123-45-67", None])
    out = io.BytesIO()
    book.save(out)
    rows = _rows(out.getvalue(), "clients.xlsx")
    assert [(n, r["name"], r["phone"]) for n, r in rows] == [
        (2, "Асель", "77011234567"),
        (4, "Болат", "8 (702) 123-45-67"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \r\n\r\n", "empty"),
        (b"name;email\nMaria;m@x.kz\n", "no 'phone' column in the header (columns: name, email)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither CSV nor XLSX"),
        (b"PK\x03\x04broken", "not a readable XLSX file"),
    ],
)
def test_an_unreadable_file_says_why_before_any_row(content: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(read_rows(content, "x.csv"))
