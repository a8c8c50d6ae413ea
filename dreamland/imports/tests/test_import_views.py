"""`/clients/import/`: upload → preview (nothing written) → confirm → the background job's
progress → the summary and the rejected rows as a file."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from dreamland.accounts.models import User
from dreamland.clients.models import Client
from dreamland.imports.models import ImportJob, JobStatus

pytestmark = pytest.mark.django_db

CONTENT = (
    "ФИО;Телефон;Комментарий\r\n"
    "Мария;8 701 123 45 67;Кольсай, август\r\n"
    "Асхат;+7 702 000 11 22;\r\n"
    'Плохой;12345;=HYPERLINK("http://x")\r\n'
).encode("cp1251")


def _upload(client: HttpClient, content: bytes = CONTENT, name: str = "clients.csv") -> Any:
    return client.post("/clients/import/", {"file": SimpleUploadedFile(name, content)})


def test_agents_may_not_import(client: HttpClient, agent: User) -> None:
    client.force_login(agent)
    assert client.get("/clients/import/").status_code == 403
    assert _upload(client).status_code == 403
    assert not ImportJob.objects.exists()


def test_the_preview_shows_each_row_and_writes_no_client(
    client: HttpClient, manager: User, make_client: Any
) -> None:
    make_client(name="Maria", phone="+77011234567")
    client.force_login(manager)
    response = _upload(client)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.total_rows, job.created_count, job.matched_count, job.rejected_count) == (
        3,
        1,
        1,
        1,
    )
    html = client.get(response["Location"]).content.decode()
    assert "Асхат" in html and "+77020001122" in html
    assert "phone &#x27;12345&#x27; is not a valid phone number" in html
    assert f'action="/clients/import/{job.pk}/confirm/"' in html
    assert Client.objects.count() == 1


def _confirm(client: HttpClient, job: ImportJob, on_commit: Any) -> Any:
    with on_commit(execute=True):
        return client.post(f"/clients/import/{job.pk}/confirm/")


def test_confirming_runs_the_job_once_and_the_progress_stops_polling(
    client: HttpClient, manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(manager)
    job_url = _upload(client)["Location"]
    job = ImportJob.objects.get()
    assert _confirm(client, job, django_capture_on_commit_callbacks).status_code == 302
    _confirm(client, job, django_capture_on_commit_callbacks)  # a double click: still once
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.created_count, job.rejected_count, job.content) == (2, 1, None)
    assert Client.objects.count() == 2
    progress = client.get(f"/clients/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 286  # htmx stops polling
    assert "Import finished" in client.get(job_url).content.decode()


def test_the_rejected_rows_download_opens_in_excel_and_runs_no_formula(
    client: HttpClient, manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(manager)
    _upload(client)
    job = ImportJob.objects.get()
    _confirm(client, job, django_capture_on_commit_callbacks)
    response = client.get(f"/clients/import/{job.pk}/rejected.csv")
    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufeffname;phone;")
    header, row = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    assert header[:5] == ["name", "phone", "email", "preferred_language", "notes"]
    assert row[:5] == ["Плохой", "12345", "", "", '\'=HYPERLINK("http://x")']
    assert row[-1] == "phone '12345' is not a valid phone number"


def test_an_unreadable_file_is_a_form_error_in_the_users_language(
    client: HttpClient, manager: User
) -> None:
    manager.preferred_language = "ru"
    manager.save()
    client.force_login(manager)
    response = _upload(client, b"name;email\nMaria;m@x.kz\n")
    assert response.status_code == 400
    assert "нет столбца" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_another_managers_job_is_visible_but_an_unknown_one_is_404(
    client: HttpClient, manager: User, admin_user: User
) -> None:
    client.force_login(manager)
    _upload(client)
    job = ImportJob.objects.get()
    client.force_login(admin_user)
    assert client.get(f"/clients/import/{job.pk}/").status_code == 200
    assert client.get(f"/clients/import/{job.pk + 99}/").status_code == 404
