"""A manager imports a messy spreadsheet in the browser: preview, confirm, progress, summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dreamland.accounts.models import User
from dreamland.clients.models import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSY = (
    "Выгрузка клиентов;;;\r\n"
    "ФИО;Телефон (WhatsApp);E-mail;Комментарий\r\n"
    "Иванова Мария Сергеевна;8 701 123 45 67;maria@mail.kz;Кольсай, август, 2 взрослых\r\n"
    "Асхат Нурланович Жумабаев-Сейткали;+7 702 000 11 22;;звонить после 18:00\r\n"
    "Плохой номер;12345;;\r\n"
    "Снова Мария;87011234567;;\r\n"
)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_manager_previews_confirms_and_sees_the_import_finish(
    page: Any,
    manager: User,
    log_in: Any,
    screenshot: Any,
    tmp_path: Path,
    language: str,
) -> None:
    manager.preferred_language = language
    manager.save()
    path = tmp_path / "клиенты.csv"
    path.write_bytes(MESSY.encode("cp1251"))
    log_in(page, manager, expect="**/clients/import/", next="/clients/import/")
    screenshot(page, f"import-start-{language}")
    page.set_input_files("input[name=file]", str(path))
    page.click("main button[type=submit]")
    page.wait_for_url("**/clients/import/*/")
    body = page.locator("main").inner_text()
    assert "Иванова Мария Сергеевна" in body and "+77011234567" in body
    assert ("12345" in body) and Client.objects.count() == 0
    screenshot(page, f"import-preview-{language}")
    page.click("form[action$='/confirm/'] button[type=submit]")
    page.wait_for_selector("a[href$='rejected.csv']")
    assert Client.objects.count() == 2
    screenshot(page, f"import-done-{language}")
    assert page.failures == [] and page.foreign == []
