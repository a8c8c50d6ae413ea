"""The ingest hot path, pinned: SQL statements per message, the fast path's open-lead rule, and
one queued retry per failure. Runs on both engines (the fast path differs by engine)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.utils import timezone

from dreamland.accounts.models import Role, User
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.leads.selectors import lead_open_for_client
from dreamland.messaging import inbound as message_store
from dreamland.messaging.models import Communication
from dreamland.whatsapp.inbound import event_receive
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tasks import webhook_event_retry
from dreamland.whatsapp.testing import message_body, sign
from dreamland.whatsapp.tests.helpers import APP_SECRET

pytestmark = pytest.mark.django_db
WA_ID = "77011234567"


def _deliver(wamid: str, wa_id: str = WA_ID) -> WebhookEvent:
    body = message_body({"id": wamid, "type": "text", "text": {"body": "Сәлем"}}, wa_id=wa_id)
    raw = json.dumps(body).encode()
    return event_receive(raw_body=raw, signature=sign(raw, APP_SECRET), parsed=body)


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def agent() -> User:
    return User.objects.create_user(
        email="agent@dreamland.test", password="x-password-1", name="Agent", role=Role.AGENT
    )


# Outside a test transaction, so the event's atomic block is BEGIN/COMMIT as in production
# (not a counted SAVEPOINT/RELEASE pair).
@pytest.mark.django_db(transaction=True)
def test_a_known_client_with_an_open_lead_costs_three_statements_on_postgresql_four_on_sqlite_besides_begin_and_commit(
    django_assert_num_queries: Any, agent: User
) -> None:
    client = Client.objects.create(name="Aigerim", phone="+" + WA_ID)
    lead = Lead.objects.create(client=client, unread_messages_count=0)
    # PostgreSQL: BEGIN, the conversation lock, one CTE (lookup, insert, lead counters), the
    # event row, COMMIT. SQLite: BEGIN IMMEDIATE, the lookup, the insert, the lead counters, the
    # event row, COMMIT.
    with django_assert_num_queries(5 if _postgresql() else 6):
        event = _deliver("wamid.known1")
    assert event.status == EventStatus.PROCESSED
    lead.refresh_from_db()
    assert lead.unread_messages_count == 1
    assert Communication.objects.get().lead_id == lead.pk


# Outside a test transaction, so the event's atomic block is BEGIN/COMMIT as in production
# (not a counted SAVEPOINT/RELEASE pair).
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_costs_a_fixed_few_statements_and_changes_nothing(
    django_assert_num_queries: Any, agent: User
) -> None:
    client = Client.objects.create(name="Aigerim", phone="+" + WA_ID)
    Lead.objects.create(client=client, unread_messages_count=0)
    _deliver("wamid.dup1")
    # BEGIN, (PostgreSQL: the lock and the CTE inserting nothing | SQLite: the lookup), the
    # event row, COMMIT.
    with django_assert_num_queries(5 if _postgresql() else 4):
        event = _deliver("wamid.dup1")
    assert event.status == EventStatus.PROCESSED
    assert Communication.objects.count() == 1
    assert Lead.objects.get().unread_messages_count == 1


# Outside a test transaction, so the event's atomic block is BEGIN/COMMIT as in production
# (not a counted SAVEPOINT/RELEASE pair).
@pytest.mark.django_db(transaction=True)
def test_a_new_client_costs_a_fixed_number_of_statements(
    django_assert_num_queries: Any, agent: User
) -> None:
    # The services' path after the fast path found no client: BEGIN, (PostgreSQL: lock, CTE |
    # SQLite: lookup), the wamid check, client get_or_create (select, savepoint, insert,
    # release), the open lead (select, savepoint, previous agent, the settings' round-robin
    # switch, PostgreSQL: round-robin lock, pick, insert, release), the active tours for the
    # first message's tour interest, the message, the counters, the event row, COMMIT.
    with django_assert_num_queries(21 if _postgresql() else 19):
        event = _deliver("wamid.new1")
    assert event.status == EventStatus.PROCESSED
    lead = Lead.objects.get(client__phone="+" + WA_ID)
    assert lead.unread_messages_count == 1
    assert lead.assigned_agent_id == agent.pk


def test_the_fast_path_files_the_message_on_the_lead_the_leads_rule_picks() -> None:
    now = timezone.now()
    client = Client.objects.create(name="Aigerim", phone="+" + WA_ID)
    old = Lead.objects.create(client=client, status="quoted", unread_messages_count=0)
    newest = Lead.objects.create(client=client, status="new", unread_messages_count=0)
    closed = Lead.objects.create(client=client, status="lost", unread_messages_count=0)
    Lead.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=3))
    Lead.objects.filter(pk=newest.pk).update(created_at=now - timedelta(days=1))
    Lead.objects.filter(pk=closed.pk).update(created_at=now)
    # A tie on created_at: the higher pk wins in both.
    tied = Lead.objects.create(client=client, status="contacted", unread_messages_count=0)
    Lead.objects.filter(pk=tied.pk).update(created_at=now - timedelta(days=1))
    expected = lead_open_for_client(client_id=client.pk)
    assert expected is not None and expected.pk == tied.pk
    _deliver("wamid.rule1")
    assert Communication.objects.get().lead_id == expected.pk


def test_a_retry_that_fails_again_queues_exactly_one_retry(
    settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(message_store, "lead_get_or_create_open", boom)
    with django_capture_on_commit_callbacks(execute=True):
        event = _deliver("wamid.retry1")
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    assert event.status == EventStatus.FAILED
    assert len(backend.results) == 1
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_event_retry.call(event_id=event.pk) == EventStatus.FAILED
    [queued] = backend.results
    assert queued.task.name == "webhook_event_retry"
    assert queued.kwargs == {"event_id": event.pk}
