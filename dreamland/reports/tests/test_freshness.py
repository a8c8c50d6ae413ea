"""The reports' cached sections are never stale: every kind of write shows on the next view.

Each test reads the page once (filling the cache), writes through a service with its on-commit
callbacks run (as a real commit would), and reads again: the new figure is there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dreamland.accounts.services import user_update
from dreamland.bookings.capacity import departure_update, tour_update
from dreamland.bookings.models import Payment
from dreamland.bookings.services import (
    booking_cancel,
    booking_create,
    payment_create,
    payment_set_status,
)
from dreamland.clients.services import client_create, client_update
from dreamland.leads.board import board_counts_changed
from dreamland.leads.models import Lead
from dreamland.leads.services import lead_assign, lead_create, lead_transition, lead_update
from dreamland.messaging.journal import communication_log
from dreamland.money.services import exchange_rate_set
from dreamland.reports.freshness import report_versions
from dreamland.reports.models import ReportVersion
from dreamland.reports.tests.fixtures import Quarter, build_quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def q(agent, other_agent):
    return build_quarter(agent, other_agent)


def _url(**extra: str) -> str:
    query = {"start": "2026-01-01", "end": timezone.localdate().isoformat(), **extra}
    return "/reports/?" + "&".join(f"{k}={v}" for k, v in query.items())


def _agent_row(r: dict[str, Any], agent_id: int | None) -> Any:
    return next(a for a in r["agents"][0] if a.agent_id == agent_id)


def _seats(r: dict[str, Any], tour_id: int) -> int:
    return next(t.seats for t in r["occupancy"].tours if t.tour_id == tour_id)


def _source(r: dict[str, Any], source: str) -> Any:
    return next(x for x in r["sources"][0] if x.source == source)


def _inbound_lead(q: Quarter) -> None:
    """As `leads.services.leads_open_many` writes a batch: rows inserted, then the board's bump."""
    Lead.objects.create(client=q.clients["C2"], assigned_agent=q.agent)
    board_counts_changed()


# (what to write, what the page reads): the figure read must change after the write.
Write = Callable[[Quarter], Any]
Read = Callable[[dict[str, Any], Quarter], Any]
CASES: dict[str, tuple[Write, Read]] = {
    "lead created": (
        lambda q: lead_create(client=q.clients["C2"], assigned_agent=q.agent),
        lambda r, q: r["funnel"].total,
    ),
    "lead status": (
        lambda q: lead_transition(lead=q.leads["L5"], status="contacted"),
        lambda r, q: r["funnel"].stages[1].current,
    ),
    "lead assigned": (
        lambda q: lead_assign(lead=q.leads["L6"], agent=q.agent),
        lambda r, q: _agent_row(r, q.agent.pk).leads,
    ),
    "lead source": (
        lambda q: lead_update(lead=q.leads["L5"], source="website"),
        lambda r, q: _source(r, "website").leads,
    ),
    "inbound lead (the batch path bumps through the board)": (
        lambda q: _inbound_lead(q),
        lambda r, q: r["funnel"].total,
    ),
    "first response": (
        lambda q: communication_log(
            client=q.clients["C5"],
            communication_type="phone",
            direction="inbound",
            body="?",
            sent_by=None,
            lead=q.leads["L5"],
        ),
        lambda r, q: [b.leads for b in r["agents"][1]],
    ),
    "booking created": (
        lambda q: booking_create(
            client=q.clients["C5"], tour_departure=q.departures["D2"], num_participants=2
        ),
        lambda r, q: (_seats(r, q.tours["T2"].pk), [m.first_time for m in r["acquisition"]]),
    ),
    "booking cancelled": (
        lambda q: booking_cancel(booking=q.bookings["BK4"]),
        lambda r, q: (_seats(r, q.tours["T2"].pk), r["outstanding"].booking_count),
    ),
    "payment created": (
        lambda q: payment_create(
            booking=q.bookings["BK4"],
            amount=Decimal("40000"),
            payment_method="cash",
            payment_date=date(2026, 3, 20),
        ),
        lambda r, q: (r["revenue"].total, r["outstanding"].total_due.amount),
    ),
    "payment refunded": (
        lambda q: payment_set_status(
            payment=Payment.objects.get(booking=q.bookings["BK1"], status="completed"),
            status="refunded",
        ),
        lambda r, q: (r["revenue"].total, r["sources"][1].amount),
    ),
    "exchange rate": (
        lambda q: exchange_rate_set(currency="EUR", on_date=date(2026, 3, 2), rate=Decimal(600)),
        lambda r, q: r["revenue"].total,
    ),
    "client created": (
        lambda q: client_create(name="Новый", phone="+77015550101"),
        lambda r, q: sum(m.new_contacts for m in r["acquisition"]),
    ),
    "client renamed": (
        lambda q: client_update(client=q.clients["C1"], name="Алия Н."),
        lambda r, q: [c.name for c in r["top_clients"].clients],
    ),
    "departure capacity": (
        lambda q: departure_update(departure=q.departures["D2"], capacity=9),
        lambda r, q: [t.capacity for t in r["occupancy"].tours],
    ),
    "tour renamed": (
        lambda q: tour_update(tour=q.tours["T2"], name="Кольсай"),
        lambda r, q: [t.name for t in r["revenue"].tours],
    ),
    "agent renamed": (
        lambda q: user_update(user=q.agent, name="Aigerim Agentova"),
        lambda r, q: [a.name for a in r["agents"][0]],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_page_shows_each_kind_of_write_at_once(
    client, manager, q, django_capture_on_commit_callbacks, case
):
    write, read = CASES[case]
    client.force_login(manager)
    before = read(client.get(_url()).context["r"], q)
    assert read(client.get(_url()).context["r"], q) == before  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        write(q)

    after = read(client.get(_url()).context["r"], q)
    assert after != before


def test_a_write_without_a_bump_is_not_seen_until_the_version_moves(
    client, manager, q, django_capture_on_commit_callbacks
):
    # the cache is really used, and the version read from the database (not from this process's
    # cache) is what invalidates it: as another worker's bump would
    client.force_login(manager)
    assert client.get(_url()).context["r"]["funnel"].total == 6
    Lead.objects.create(client=q.clients["C2"], assigned_agent=q.agent)  # no service, no bump
    assert client.get(_url()).context["r"]["funnel"].total == 6

    version = report_versions()["leads"]
    ReportVersion.objects.update_or_create(topic="leads", defaults={"version": version + 1})
    assert client.get(_url()).context["r"]["funnel"].total == 7


def test_a_bump_moves_only_its_topics_after_commit(django_capture_on_commit_callbacks):
    before = report_versions()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        board_counts_changed()
        assert report_versions() == before  # nothing before the commit
    assert len(callbacks) == 2  # the board's own bump and the reports'
    assert report_versions() == {**before, "leads": before["leads"] + 1}


def test_an_agent_and_a_manager_are_cached_apart(client, agent, manager, q):
    client.force_login(manager)
    assert client.get(_url()).context["r"]["funnel"].total == 6
    client.force_login(agent)
    assert client.get(_url()).context["r"]["funnel"].total == 3


def test_the_download_matches_the_page_after_a_write(
    client, manager, q, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    client.get(_url())
    with django_capture_on_commit_callbacks(execute=True):
        lead_create(client=q.clients["C2"], assigned_agent=q.agent)
    page = client.get(_url()).context["r"]["funnel"]
    download = client.get(_url().replace("/reports/", "/reports/funnel.csv"))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[1][2] == str(page.stages[0].reached) == "7"
