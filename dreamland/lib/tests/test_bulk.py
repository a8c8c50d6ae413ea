"""insert_rows: many rows in one statement, the same rows `bulk_create` would write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dreamland.clients.models import Client
from dreamland.leads.models import Lead, LeadSource, LeadStatus
from dreamland.lib.bulk import insert_rows

pytestmark = pytest.mark.django_db

CLIENT_FIELDS = ("name", "phone", "email", "preferred_language", "notes")


def test_rows_are_written_with_the_constants_and_the_database_defaults() -> None:
    now = timezone.now()
    insert_rows(
        Client,
        CLIENT_FIELDS,
        [
            ("Мария", "+77011234567", "m@mail.kz", "ru", "VIP"),
            ("Asel", "+77021234567", None, None, None),
        ],
        constants={"created_at": now, "updated_at": now},
    )
    maria, asel = Client.objects.order_by("phone")
    assert (maria.name, maria.email, maria.preferred_language, maria.notes) == (
        "Мария",
        "m@mail.kz",
        "ru",
        "VIP",
    )
    assert (asel.email, asel.notes, asel.whatsapp_user_id) == (None, None, None)
    assert maria.created_at == maria.updated_at == now


def test_conflicting_rows_are_skipped_and_only_written_rows_come_back(make_client: Any) -> None:
    known = make_client(phone="+77011234567", name="Known")
    now = timezone.now()
    written = insert_rows(
        Client,
        CLIENT_FIELDS,
        [("New", "+77021234567", None, None, None), ("Other", "+77011234567", None, None, None)],
        constants={"created_at": now, "updated_at": now},
        ignore_conflicts=True,
        returning=("phone", "id"),
    )
    new = Client.objects.get(phone="+77021234567")
    assert written == [("+77021234567", new.pk)]
    assert Client.objects.get(pk=known.pk).name == "Known"


def test_a_check_violation_is_not_skipped_as_a_conflict() -> None:
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(
            Client,
            CLIENT_FIELDS,
            [("Bad", "+77021234567", None, "xx", None)],
            constants={"created_at": now, "updated_at": now},
            ignore_conflicts=True,
            returning=("id",),
        )


def test_per_row_datetimes_and_foreign_keys_round_trip_in_one_logged_statement(
    make_client: Any,
) -> None:
    client = make_client()
    first = timezone.now()
    rows = [
        (client.pk, LeadSource.IMPORT, LeadStatus.NEW, first + timedelta(microseconds=i))
        for i in range(3000)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(Lead, ("client", "source", "status", "created_at"), rows)
    assert len(queries) == 1  # COPY on PostgreSQL, one multi-row INSERT on SQLite
    leads = list(Lead.objects.order_by("created_at"))
    assert [lead.created_at for lead in leads] == [r[3] for r in rows]
    assert {(lead.client_id, lead.unread_messages_count) for lead in leads} == {(client.pk, 0)}
    assert leads[0].updated_at is not None  # the database default


def test_no_rows_is_no_statement(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert insert_rows(Client, CLIENT_FIELDS, [], returning=("id",)) == []
