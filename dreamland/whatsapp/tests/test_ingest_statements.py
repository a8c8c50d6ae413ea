"""The ingest hot path, pinned: SQL statements per message, the fast path's open-lead rule, and
one queued retry per failure. Runs on both engines (the fast path differs by engine)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
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
from dreamland.whatsapp.inbound import event_receive, events_process_received
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tasks import webhook_event_retry
from dreamland.whatsapp.testing import message_body, sign
from dreamland.whatsapp.tests.helpers import APP_SECRET

pytestmark = pytest.mark.django_db
WA_ID = "77011234567"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def _deliver(wamid: str, wa_id: str = WA_ID) -> WebhookEvent:
    body = message_body({"id": wamid, "type": "text", "text": {"body": "Сәлем"}}, wa_id=wa_id)
    raw = json.dumps(body).encode()
    return event_receive(raw_body=raw, signature=sign(raw, APP_SECRET))


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def agent() -> User:
    return User.objects.create_user(
        email="agent@dreamland.test", password="x-password-1", name="Agent", role=Role.AGENT
    )


def _store(wamid: str, wa_id: str = WA_ID) -> WebhookEvent:
    """A delivery stored as the webhook view stores it, not yet processed."""
    body = message_body({"id": wamid, "type": "text", "text": {"body": "Сәлем"}}, wa_id=wa_id)
    raw = json.dumps(body).encode()
    return WebhookEvent.objects.create(raw_body=raw, signature=sign(raw, APP_SECRET))


@pytest.fixture
def deferred(settings: Any) -> DummyBackend:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    return backend


def test_the_webhook_request_costs_one_statement_and_queues_the_processing(
    django_assert_num_queries: Any, deferred: DummyBackend
) -> None:
    with django_assert_num_queries(1):  # the event's INSERT (autocommit: committed before 200)
        event = _deliver("wamid.ack1")
    assert event.status == EventStatus.RECEIVED
    assert [r.task.name for r in deferred.results] == ["webhook_events_process"]


# Outside a test transaction, so each batch's atomic block is BEGIN/COMMIT as in production.
# A batch, however many events: BEGIN, the claim, (PostgreSQL: SET LOCAL synchronous_commit,)
# SAVEPOINT, (PostgreSQL: the conversation lock,) the stored wamids, the senders with their
# open lead, the messages, the leads' counters, the events' update, RELEASE, COMMIT.
KNOWN = 12 if connection.vendor == "postgresql" else 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("events", [1, 50])
def test_known_clients_cost_a_fixed_number_of_statements_per_batch(
    django_assert_num_queries: Any, agent: User, events: int
) -> None:
    leads = []
    for n in range(events):
        client = Client.objects.create(name=f"C{n}", phone=f"+7701123{n:04d}")
        # returning customers: their first inbound time is long kept (no reports to tell)
        leads.append(
            Lead.objects.create(client=client, unread_messages_count=0, first_inbound_at=LONG_AGO)
        )
        _store(f"wamid.known{n}", wa_id=f"7701123{n:04d}")
    with django_assert_num_queries(KNOWN):
        assert events_process_received() == events
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    assert {lead.unread_messages_count for lead in Lead.objects.all()} == {1}
    assert Communication.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_costs_fewer_statements_and_changes_nothing(
    django_assert_num_queries: Any, agent: User
) -> None:
    client = Client.objects.create(name="Aigerim", phone="+" + WA_ID)
    Lead.objects.create(client=client, unread_messages_count=0)
    _store("wamid.dup1")
    events_process_received()
    _store("wamid.dup1")
    # BEGIN, the claim, (SET LOCAL,) SAVEPOINT, (the lock,) the stored wamids, the events'
    # update, RELEASE, COMMIT.
    with django_assert_num_queries(KNOWN - 3):
        events_process_received()
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    assert Communication.objects.count() == 1
    assert Lead.objects.get().unread_messages_count == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("events", [1, 20])
def test_new_clients_cost_a_fixed_number_of_statements_per_batch(
    django_assert_num_queries: Any, agent: User, events: int
) -> None:
    for n in range(events):
        _store(f"wamid.new{n}", wa_id=f"7701765{n:04d}")
    # Besides a known client's: the new clients' insert, the active tours (tour interest from
    # the first text), AgentPicker's look at earlier agents, the round-robin switch,
    # (PostgreSQL: the round-robin lock,) the agents by last assignment, the new leads' insert;
    # after the commit, the reports told of new clients and leads (one statement).
    with django_assert_num_queries(KNOWN + (8 if _postgresql() else 7)):
        assert events_process_received() == events
    assert Lead.objects.count() == events
    assert {lead.unread_messages_count for lead in Lead.objects.all()} == {1}
    assert {lead.assigned_agent_id for lead in Lead.objects.all()} == {agent.pk}


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
    deferred: DummyBackend, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(message_store, "leads_open_many", boom)
    event = _deliver("wamid.retry1")
    deferred.clear()
    with django_capture_on_commit_callbacks(execute=True):
        events_process_received()
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED
    assert [r.task.name for r in deferred.results] == ["webhook_event_retry"]
    deferred.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_event_retry.call(event_id=event.pk) == EventStatus.FAILED
    [queued] = deferred.results
    assert queued.task.name == "webhook_event_retry"
    assert queued.kwargs == {"event_id": event.pk}
