"""seed_scale: PostgreSQL only, every row consistent, sizes exact, a full database refused."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max

from dreamland.accounts.models import User
from dreamland.api.access import visible_clients
from dreamland.bookings.models import Booking, Payment
from dreamland.clients.models import Client
from dreamland.leads.first_messages import first_messages_backfill
from dreamland.leads.models import OPEN_STATUSES, Lead, LeadStatus
from dreamland.messaging.models import Communication
from dreamland.scale.seed import ScaleSize, seed_scale

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="seed_scale loads with PostgreSQL COPY"
)
SMALL = ScaleSize(clients=300, leads=600, communications=3000, bookings=50, heavy=(120, 80))


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for SQLite")
def test_it_refuses_sqlite_with_a_clear_message(db):
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("seed_scale")


@pg_only
def test_it_writes_the_sizes_asked_for_consistently(db):
    report = seed_scale(SMALL)
    assert Client.objects.count() == 300
    assert Lead.objects.count() == 600
    assert Communication.objects.count() == 3000
    assert Booking.objects.count() == 50 and Payment.objects.exists()
    assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
    assert Lead.objects.filter(assigned_agent__isnull=True).exists()
    # a client's older leads are closed: at most one open lead each
    most_open = (
        Lead.objects.filter(status__in=OPEN_STATUSES)
        .values("client")
        .annotate(n=Count("pk"))
        .aggregate(m=Max("n"))["m"]
    )
    assert most_open == 1
    # bookings come from won leads of the same client
    assert not Booking.objects.exclude(lead__status=LeadStatus.WON).exists()
    assert not Booking.objects.exclude(lead__client=models_f("client")).exists()
    # messages belong to their lead's client; last_message_at is the newest message
    assert not Communication.objects.exclude(lead__client=models_f("client")).exists()
    heavy = report.heavy_client_ids[0]
    assert Communication.objects.filter(client_id=heavy).count() == 120
    agent = User.objects.get(email="agent1@scale.test")
    assert visible_clients(agent).filter(pk=heavy).exists()
    lead = Lead.objects.filter(client_id=heavy).latest("created_at")
    newest = Communication.objects.filter(lead=lead).aggregate(m=Max("created_at"))["m"]
    assert lead.last_message_at == newest
    # sequences moved past the explicit ids: the ORM can insert again
    assert Client.objects.create(name="After", phone="+77010000001").pk > 300


@pg_only
def test_it_keeps_each_leads_first_inbound_and_first_response_times(db):
    seed_scale(SMALL)
    columns = ("pk", "first_inbound_at", "first_response_at")
    seeded = list(Lead.objects.order_by("pk").values_list(*columns))
    first_messages_backfill()  # the same times, found per lead from its messages
    assert list(Lead.objects.order_by("pk").values_list(*columns)) == seeded
    assert Lead.objects.filter(first_response_at__isnull=False).exists()
    assert Lead.objects.filter(first_inbound_at__isnull=False, first_response_at=None).exists()


@pg_only
def test_it_refuses_a_database_with_clients_unless_told_to_add(db):
    Client.objects.create(name="Existing", phone="+77010000002")
    with pytest.raises(CommandError, match="already has clients"):
        call_command("seed_scale", "--clients", "10")
    call_command(
        "seed_scale",
        "--add",
        "--clients=100",
        "--leads=150",
        "--communications=600",
        "--bookings=5",
        "--long-conversations=50",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    assert Client.objects.count() == 101


def models_f(name: str):
    from django.db.models import F

    return F(name)
