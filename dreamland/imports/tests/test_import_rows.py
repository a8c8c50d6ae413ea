"""What each row does: create, match (database or earlier in the file), or rejected; the preview
and the import agree; leads are assigned by the pipeline's round-robin rule."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dreamland.accounts.models import User
from dreamland.clients.models import Client
from dreamland.imports import services
from dreamland.imports.cleaning import Tours
from dreamland.imports.services import CREATE, MATCH, REJECT, import_preview, import_run
from dreamland.leads.models import Lead, LeadSource, LeadStatus

pytestmark = pytest.mark.django_db

FILE = (
    "ФИО;Телефон;Почта;Статус\r\n"
    "Мария;8 701 123 45 67;maria@mail.kz;новый\r\n"  # known client (created below)
    "Асхат;+7 702 000 11 22;;квалифицирован\r\n"  # new
    "Асхат ещё раз;87020001122;;\r\n"  # the same phone, earlier in the file
    "Плохой;12345;;\r\n"  # rejected: phone
    "Почта;+7 705 111 22 33;not-an-email;\r\n"  # rejected: email
    "Выигран;+7 705 999 88 77;;выигран\r\n"  # rejected: won only by booking
).encode("cp1251")


def test_the_preview_says_what_each_row_will_do_and_writes_nothing(
    make_client: Any, django_assert_max_num_queries: Any
) -> None:
    make_client(name="Maria", phone="+77011234567")
    with django_assert_max_num_queries(3):
        report = import_preview(content=FILE, filename="clients.csv")
    actions = [(o.number, o.action) for o in report.outcomes]
    assert actions == [(2, MATCH), (3, CREATE), (4, MATCH), (5, REJECT), (6, REJECT), (7, REJECT)]
    assert "row 5: phone '12345' is not a valid phone number" in report.rejected
    assert Client.objects.count() == 1 and Lead.objects.count() == 0


def test_the_import_does_what_the_preview_said(make_client: Any) -> None:
    make_client(name="Maria", phone="+77011234567")
    preview = import_preview(content=FILE, filename="clients.csv")
    report = import_run(content=FILE, filename="clients.csv")
    assert (report.imported, report.matched, report.rejected) == (
        preview.imported,
        preview.matched,
        preview.rejected,
    )
    assert report.summary() == "imported 1, matched existing 2, rejected 3"
    askhat = Client.objects.get(phone="+77020001122")
    assert askhat.name == "Асхат"
    # The second row of the same phone and tour adds no second open lead.
    assert list(askhat.leads.values_list("status", flat=True)) == [LeadStatus.QUALIFIED]
    assert Client.objects.get(phone="+77011234567").name == "Maria"  # never overwritten
    assert not Client.objects.filter(phone="+77059998877").exists()


def test_importing_again_adds_no_second_open_lead() -> None:
    import_run(content=FILE, filename="clients.csv")
    leads = Lead.objects.count()
    again = import_run(content=FILE, filename="clients.csv")
    assert again.imported == 0 and again.matched == 3
    assert Lead.objects.count() == leads


def test_new_leads_go_round_robin_and_a_returning_client_to_their_agent(
    agent: User, other_agent: User, make_client: Any
) -> None:
    known = make_client(phone="+77011234567")
    Lead.objects.create(client=known, assigned_agent=other_agent, status=LeadStatus.LOST)
    rows = "\n".join(f"Client {i};+7701000{i:04d}" for i in range(1, 7))
    content = f"name;phone\n{rows}\nMaria;+77011234567\n".encode()
    import_run(content=content, filename="x.csv")
    imported = Lead.objects.filter(source=LeadSource.IMPORT)
    assert imported.get(client=known).assigned_agent == other_agent
    counts = Counter(imported.exclude(client=known).values_list("assigned_agent", flat=True))
    assert counts == {agent.pk: 3, other_agent.pk: 3}


def test_a_large_file_writes_in_chunks_with_constant_queries_per_chunk(
    django_assert_max_num_queries: Any,
) -> None:
    rows = "\n".join(f"Client {i};+7701{i:07d}" for i in range(2500))
    content = f"name;phone\n{rows}\n".encode()
    seen: list[int] = []
    # 3 chunks of up to 1000 rows: a handful of statements each, not one per row.
    with django_assert_max_num_queries(40):
        report = import_run(
            content=content, filename="x.csv", progress=lambda r: seen.append(r.rows)
        )
    assert report.imported == 2500
    assert seen == [1000, 2000, 2500]
    assert Lead.objects.filter(source=LeadSource.IMPORT).count() == 2500


def _statements_per_chunk(*, known: bool) -> int:
    """SAVEPOINT, the clients the database has, then either (new clients) the insert of the new
    ones, the round-robin switch, [the lock on PostgreSQL], the agents' queue and the insert of
    the leads; or (known clients) their open imported leads, their latest agents; RELEASE."""
    if known:
        return 5
    return 7 + (connection.vendor == "postgresql")


def test_each_chunk_of_new_clients_takes_the_same_few_statements(
    agent: User, django_assert_num_queries: Any
) -> None:
    rows = "\n".join(f"Client {i};+7701{i:07d};c{i}@example.kz;рус" for i in range(2500))
    content = f"name;phone;email;language\n{rows}\n".encode()
    # 1: the tours; on PostgreSQL 1 more: ANALYZE after the first chunk of new clients.
    analyze = connection.vendor == "postgresql"
    with django_assert_num_queries(1 + 3 * _statements_per_chunk(known=False) + analyze):
        report = import_run(content=content, filename="x.csv")
    assert report.imported == 2500
    assert Lead.objects.filter(source=LeadSource.IMPORT, assigned_agent=agent).count() == 2500


def test_each_chunk_of_known_clients_takes_the_same_few_statements_and_writes_nothing(
    django_assert_num_queries: Any,
) -> None:
    rows = "\n".join(f"Client {i};+7701{i:07d}" for i in range(2500))
    content = f"name;phone\n{rows}\n".encode()
    import_run(content=content, filename="x.csv")
    with django_assert_num_queries(1 + 3 * _statements_per_chunk(known=True)):
        again = import_run(content=content, filename="x.csv")
    assert (again.imported, again.matched) == (0, 2500)
    assert Lead.objects.count() == 2500


def test_new_clients_and_leads_are_written_as_the_orm_would(agent: User, make_tour: Any) -> None:
    tour = make_tour(name="Charyn Canyon")
    content = (
        "name;phone;email;language;notes;tour_interest;status\n"
        "  Мария   Иванова ;8 (701) 123-45-67, 8 702 000 11 22;Maria@Mail.KZ;рус;VIP;charyn;кп\n"
    ).encode()
    before = timezone.now()
    import_run(content=content, filename="x.csv")
    client = Client.objects.get()
    assert (client.name, client.phone, client.email, client.preferred_language) == (
        "Мария Иванова",
        "+77011234567",
        "maria@mail.kz",
        "ru",
    )
    assert client.notes == "VIP\nOther phone: +77020001122"
    assert client.whatsapp_user_id is None
    assert before <= client.created_at == client.updated_at <= timezone.now()
    lead = Lead.objects.get()
    assert (lead.client, lead.source, lead.status, lead.tour_interest, lead.assigned_agent) == (
        client,
        LeadSource.IMPORT,
        LeadStatus.QUOTED,
        tour,
        agent,
    )
    assert lead.unread_messages_count == 0 and lead.last_message_at is None
    assert lead.lost_reason is None and before <= lead.created_at <= timezone.now()


def test_a_phone_created_elsewhere_during_the_chunk_is_matched_not_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_insert = services.insert_rows

    def another_process_first(model: Any, *args: Any, **kwargs: Any) -> Any:
        if model is Client:
            Client.objects.create(name="Elsewhere", phone="+77020001122")
        return real_insert(model, *args, **kwargs)

    monkeypatch.setattr(services, "insert_rows", another_process_first)
    content = "name;phone\nАсхат;+7 702 000 11 22\nБерик;+7 705 111 22 33\n".encode()
    report = import_run(content=content, filename="x.csv")
    assert (report.imported, report.matched) == (1, 1)
    assert Client.objects.get(phone="+77020001122").name == "Elsewhere"
    assert Lead.objects.filter(client__phone="+77020001122", source=LeadSource.IMPORT).exists()


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_refuses_is_rejected_and_the_rest_of_its_chunk_still_imports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A tour deleted after the file was read: the lead's foreign key fails at commit.
    monkeypatch.setattr(services, "_tours", lambda: Tours({999_999: "Ghost tour"}))
    content = (
        "name;phone;tour_interest\n"
        "Асхат;+7 702 000 11 22;\n"
        "Призрак;+7 705 111 22 33;Ghost tour\n"
        "Берик;+7 707 222 33 44;\n"
    ).encode()
    report = import_run(content=content, filename="x.csv")
    assert (report.imported, report.matched, len(report.rejected)) == (2, 0, 1)
    assert report.rejected[0].startswith("row 3: refused by the database")
    assert set(Client.objects.values_list("phone", flat=True)) == {"+77020001122", "+77072223344"}


def test_a_large_import_refreshes_the_tables_statistics_on_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "ANALYZE_AFTER", 2)
    content = "name;phone\nАсхат;+7 702 000 11 22\nБерик;+7 705 111 22 33\n".encode()
    with CaptureQueriesContext(connection) as queries:
        import_run(content=content, filename="x.csv")
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyzed == (['ANALYZE "clients", "leads"'] if connection.vendor == "postgresql" else [])
