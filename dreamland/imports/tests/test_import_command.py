"""`manage.py import_clients`: messy real-world spreadsheets in, clients and leads out."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from dreamland.clients.models import Client
from dreamland.leads.models import Lead, LeadSource, LeadStatus


def _run(path: Path, *args: str) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("import_clients", str(path), *args, stdout=out)
    except CommandError as exc:
        return out.getvalue() + f"CommandError: {exc}", exc.returncode
    return out.getvalue(), 0


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.django_db
def test_a_semicolon_csv_with_bom_and_messy_headers_imports_one_client_per_phone(
    tmp_path: Path, make_tour: Any
) -> None:
    make_tour(name="Charyn Canyon")
    path = _write(
        tmp_path,
        "clients.csv",
        "\ufeff Name ;PHONE; E-mail ;Tour Interest;Status\n"
        "Мария;8 (701) 123-45-67;maria@example.kz;charyn canyon;Contacted\n"
        "Мария И.;+7 701 123 4567;;;\n"
        ";87011234567;;;\n"
        "\n"
        "Maria;77011234567;;CHARYN CANYON;quoted\n",
    )
    output, code = _run(path)
    assert code == 0, output
    assert "imported 1, matched existing 3, rejected 0" in output
    client = Client.objects.get()
    assert (client.phone, client.name, client.email) == (
        "+77011234567",
        "Мария",
        "maria@example.kz",
    )
    leads = client.leads.all()
    assert {lead.source for lead in leads} == {LeadSource.IMPORT}
    assert {lead.status for lead in leads} >= {LeadStatus.CONTACTED, LeadStatus.NEW}


@pytest.mark.django_db
def test_a_tab_separated_cp1251_file_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "export.txt",
        "name\tphone\tpreferred_language\tnotes\n"
        "Ерлан Сулейменов\t+7 777 555 12 34\tRU\tхочет в Алтай\n"
        "John Smith\t8 705 111 22 33\tEnglish\t\n",
        encoding="cp1251",
    )
    output, code = _run(path)
    assert code == 0, output
    yerlan = Client.objects.get(phone="+77775551234")
    assert (yerlan.name, yerlan.preferred_language, yerlan.notes) == (
        "Ерлан Сулейменов",
        "ru",
        "хочет в Алтай",
    )
    assert Client.objects.get(phone="+77051112233").preferred_language == "en"


@pytest.mark.django_db
def test_an_xlsx_with_numeric_phone_cells_is_read(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Name", "Phone", "Status"])
    sheet.append(["Асель", 77011234567, "qualified"])
    sheet.append(["Тимур", 87071234567.0, None])
    sheet.append([None, None, None])
    path = tmp_path / "clients.xlsx"
    workbook.save(path)
    output, code = _run(path)
    assert code == 0, output
    assert "imported 2" in output
    assert Lead.objects.get(client__phone="+77011234567").status == LeadStatus.QUALIFIED
    assert Lead.objects.get(client__phone="+77071234567").status == LeadStatus.NEW


@pytest.mark.django_db
def test_bad_rows_are_rejected_one_line_each_and_the_good_ones_still_import(
    tmp_path: Path, make_tour: Any
) -> None:
    make_tour(name="Kolsai Lakes")
    path = _write(
        tmp_path,
        "mixed.csv",
        "name,phone,email,tour_interest,status,preferred_language\n"
        "Good,+7 701 000 11 22,,kolsai lakes,,\n"
        "Bad phone,123,,,,\n"
        "Bad status,+7 701 000 11 23,,,maybe,\n"
        "Bad tour,+7 701 000 11 24,,Mars,,\n"
        "Bad email,+7 701 000 11 25,not-an-email,,,\n"
        "Won,+7 701 000 11 26,,,won,\n"
        "Bad language,+7 701 000 11 27,,,,de\n",
    )
    output, code = _run(path)
    assert code == 1
    assert "row 3: phone '123' is not a valid phone number" in output
    assert "row 4: status 'maybe'" in output
    assert "row 5: tour_interest 'Mars' is not a known tour" in output
    assert "row 6: email 'not-an-email'" in output
    assert "row 7: status 'won'" in output
    assert "row 8: preferred_language 'de'" in output
    assert "imported 1, matched existing 0, rejected 6" in output
    assert list(Client.objects.values_list("phone", flat=True)) == ["+77010001122"]
    assert Lead.objects.get().tour_interest is not None


@pytest.mark.django_db
def test_a_dry_run_reports_the_same_and_writes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "name,phone\nA,+77010001122\nB,87010001122\nC,1\n")
    output, code = _run(path, "--dry-run")
    assert code == 1
    assert "imported 1, matched existing 1, rejected 1" in output
    assert not Client.objects.exists()
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_importing_the_same_file_twice_matches_and_adds_no_second_lead(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "name,phone\nA,+77010001122\n")
    assert _run(path)[1] == 0
    output, code = _run(path)
    assert code == 0
    assert "imported 0, matched existing 1" in output
    assert Lead.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a readable XLSX"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither CSV nor XLSX"),
        ("empty.csv", b"", "empty"),
        ("nophone.csv", b"name,email\nA,a@b.kz\n", "no 'phone' column"),
    ],
)
def test_an_unreadable_file_fails_with_one_line(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    output, code = _run(path)
    assert code != 0
    assert message in output
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_fails_with_one_line(tmp_path: Path) -> None:
    output, code = _run(tmp_path / "nope.csv")
    assert code != 0
    assert output.strip().count("\n") == 0
    assert "no such file" in output


@pytest.mark.django_db
def test_russian_headers_under_a_title_line_and_russian_values_are_read(
    tmp_path: Path, make_tour: Any
) -> None:
    make_tour(name="Charyn Canyon")
    path = _write(
        tmp_path,
        "выгрузка.csv",
        "Клиенты агентства, выгрузка 25.11.2026;;;;;;\n"
        ";;;;;;\n"
        "ФИО;Телефон (WhatsApp);Эл. почта;Язык;Комментарий;Тур;Статус\n"
        "Айгерим Нурланова;8 701 555 66 77, +7 702 111 22 33;aigerim@mail.kz;рус;VIP;charyn;"
        "Квалифицирован\n"
        "Dana Lee;+7 705 999 88 77;;English;;;отказ\n",
    )
    output, code = _run(path)
    assert code == 0, output
    assert "imported 2, matched existing 0, rejected 0" in output
    aigerim = Client.objects.get(phone="+77015556677")
    assert (aigerim.name, aigerim.email, aigerim.preferred_language) == (
        "Айгерим Нурланова",
        "aigerim@mail.kz",
        "ru",
    )
    assert aigerim.notes == "VIP\nOther phone: +77021112233"
    lead = aigerim.leads.get()
    assert (lead.status, lead.tour_interest.name if lead.tour_interest else None) == (
        LeadStatus.QUALIFIED,
        "Charyn Canyon",
    )
    assert Lead.objects.get(client__phone="+77059998877").status == LeadStatus.LOST


@pytest.mark.django_db
def test_excels_unicode_text_export_utf16_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "clients.txt",
        "\ufeffName\tPhone\nАсель\t+7 701 123 45 67\n",
        encoding="utf-16-le",
    )
    output, code = _run(path)
    assert code == 0, output
    assert Client.objects.get().name == "Асель"


@pytest.mark.django_db
def test_the_first_sheet_with_a_phone_column_is_imported(tmp_path: Path) -> None:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Итого"
    summary.append(["Всего клиентов", 1])
    sheet = workbook.create_sheet("Клиенты")
    sheet.append(["Отчёт за ноябрь"])
    sheet.append([])
    sheet.append(["Имя", "Телефон"])
    sheet.append(["Тимур", "87071234567"])
    path = tmp_path / "report.xlsx"
    workbook.save(path)
    output, code = _run(path)
    assert code == 0, output
    assert Client.objects.get().phone == "+77071234567"


@pytest.mark.django_db
def test_an_ambiguous_short_tour_name_is_rejected(tmp_path: Path, make_tour: Any) -> None:
    make_tour(name="Kolsai Lakes")
    make_tour(name="Kolsai Lakes and Kaindy")
    path = _write(tmp_path, "c.csv", "name,phone,tour\nA,+77010001122,kolsai\n")
    output, code = _run(path)
    assert code == 1
    assert "row 2: tour_interest 'kolsai' is not a known tour" in output
