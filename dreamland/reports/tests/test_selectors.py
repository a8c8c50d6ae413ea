"""Every figure of the reports against the hand-computed quarter of `fixtures.py`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dreamland.reports import selectors as s
from dreamland.reports.tests.fixtures import TODAY, add_more_of_the_same, build_quarter

pytestmark = pytest.mark.django_db
D = Decimal


def attrs(objs, *names):
    """The figures the selectors set on model instances, as tuples."""
    return [tuple(getattr(o, n) for n in names) for o in objs]


@pytest.fixture
def q(agent, other_agent):
    return build_quarter(agent, other_agent)


def test_funnel_counts_a_lead_at_every_stage_it_passed(q):
    funnel = s.pipeline_funnel(q.filter())

    assert [(st.status, st.current, st.reached) for st in funnel.stages] == [
        ("new", 1, 6),  # the lost lead counts here only
        ("contacted", 1, 4),
        ("qualified", 0, 3),
        ("quoted", 1, 3),
        ("won", 2, 2),
    ]
    assert [st.conversion for st in funnel.stages] == [
        None,
        D("0.6667"),
        D("0.75"),
        D("1"),
        D("0.6667"),
    ]
    assert (funnel.lost, funnel.total, funnel.won_rate) == (1, 6, D("0.3333"))


def test_an_agent_sees_only_their_own_leads_in_the_funnel(q):
    funnel = s.pipeline_funnel(q.filter(agent=q.agent))
    assert funnel.total == 3  # L1, L2, L3 (L7 is outside the range)
    assert funnel.stages[-1].reached == 1


def test_sources_count_leads_conversion_and_revenue(q):
    rows, total = s.source_analysis(q.filter())

    assert [(r.source, r.leads, r.won, r.conversion, r.revenue) for r in rows] == [
        ("whatsapp", 4, 2, D("0.5"), D("460000.00")),
        ("website", 1, 0, D("0"), D("0.00")),
        ("manual", 1, 0, D("0"), D("0.00")),
        ("import", 0, 0, None, D("0.00")),
    ]
    assert total.amount == D("460000.00")


def test_acquisition_tells_first_time_from_returning_clients(q):
    months = s.customer_acquisition(q.filter())
    assert [(m.month, m.new_contacts, m.first_time, m.returning) for m in months] == [
        (date(2026, 1, 1), 2, 1, 0),  # C1, C2 created; C1's first booking
        (date(2026, 2, 1), 3, 1, 0),  # C3, C4, C9; C4's first booking (C9's was cancelled)
        (date(2026, 3, 1), 2, 0, 1),  # C5, C6; C1 books again
    ]


def test_agent_performance_has_first_response_times_and_won_rate_by_band(q):
    agents, bands = s.agent_performance(q.filter())

    a, b, unassigned = agents
    assert (a.name, a.leads, a.won, a.won_rate, a.answered) == (
        "Aigerim Agent",
        3,
        1,
        D("0.3333"),
        3,
    )
    # 3 min, 60 min and 25 h: the median is the middle one, the mean their average.
    assert a.median_response == timedelta(minutes=60)
    assert a.average_response == timedelta(seconds=(180 + 3600 + 90000) / 3)
    # L4's outbound before the first inbound message does not count as a reply.
    assert (b.leads, b.won, b.answered, b.median_response) == (2, 1, 1, timedelta(minutes=20))
    assert (unassigned.agent_id, unassigned.leads, unassigned.answered) == (None, 1, 0)
    assert unassigned.median_response is None
    assert [(r.leads, r.won, r.won_rate) for r in bands] == [
        (1, 1, D("1")),  # under 5 min: L1
        (1, 1, D("1")),  # 5-30 min: L4
        (1, 0, D("0")),  # 30 min - 2 h: L2
        (0, 0, None),
        (1, 0, D("0")),  # over 24 h: L3
        (1, 0, D("0")),  # no reply: L6
    ]


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(q):
    agents, _bands = s.agent_performance(q.filter(start=date(2026, 1, 1), end=date(2026, 1, 31)))
    assert agents[0].median_response == timedelta(seconds=(180 + 3600) / 2)


def test_revenue_converts_each_payment_at_its_date_and_leaves_refunds_out(q):
    kzt = s.revenue(q.filter())
    assert [(m.month.month, m.revenue, m.refunded) for m in kzt.months] == [
        (1, D("100000.00"), D("0.00")),
        (2, D("250000.00"), D("10000.00")),  # 500 USD at 10 Feb's 500 (12 Feb has none)
        (3, D("110000.00"), D("0.00")),  # 200 EUR at 550
    ]
    assert [(t.name, t.revenue, t.payments) for t in kzt.tours] == [
        ("Kolsai Lakes", D("360000.00"), 2),
        ("Чарын", D("100000.00"), 1),
    ]
    assert (kzt.total, kzt.refunded, kzt.missing) == (D("460000.00"), D("10000.00"), set())


def test_revenue_in_dollars_and_a_missing_rate_named(q):
    usd = s.revenue(q.filter(currency="USD"))
    # 100 000 KZT / 480 = 208.33; 500 USD; 200 EUR x 550 / 510 = 215.69
    assert [m.revenue for m in usd.months] == [D("208.33"), D("500.00"), D("215.69")]
    assert usd.total == D("924.02")
    # The refund of 1 Feb has no dollar rate within 7 days: left out and named.
    assert usd.missing == {("USD", date(2026, 2, 1))}


def test_revenue_of_an_agent_is_their_leads_bookings(q):
    mine = s.revenue(q.filter(agent=q.agent))
    assert (mine.total, mine.refunded) == (D("100000.00"), D("10000.00"))


def test_occupancy_counts_seats_not_cancelled_against_capacity(q):
    occ = s.departure_occupancy(q.filter())
    assert [(t.name, t.departures, t.seats, t.capacity, t.occupancy) for t in occ.tours] == [
        ("Kolsai Lakes", 1, 4, 8, D("0.5")),
        ("Чарын", 1, 2, 20, D("0.1")),  # the tour's capacity; the cancelled seat is free
    ]
    assert attrs(occ.departures, "seats_taken", "occupancy") == [(2, D("0.1")), (4, D("0.5"))]
    assert occ.departure_count == 2


def test_top_clients_by_lifetime_value_and_repeat_rate(q):
    top = s.top_clients(q.filter())
    assert attrs(top.clients, "name", "lifetime_value", "trips") == [
        ("John Smith", D("360000.00"), 1),
        ("Алия Нурланова", D("100000.00"), 2),
    ]
    assert (top.booking_clients, top.repeat_clients, top.repeat_rate) == (2, 1, D("0.5"))


def test_outstanding_balances_and_overdue_payments(q):
    out = s.outstanding(q.filter(), TODAY)
    # BK2: 1000 USD - 500 USD - 200 EUR (215.69 USD on 2 Mar) = 284.31 USD; BK4: 40 000 KZT.
    assert attrs(out.bookings, "pk", "balance_due") == [
        (q.bookings["BK2"].pk, D("284.31")),
        (q.bookings["BK4"].pk, D("40000.00")),
    ]
    # 284.31 USD at 30 Mar's 520 + 40 000.
    assert out.total_due.amount == D("187841.20")
    assert [p.amount for p in out.overdue] == [D("40000.00")]  # the 15 Apr one is not due yet
    assert (out.overdue_count, out.overdue_total.amount) == (1, D("40000.00"))


def test_an_empty_range_gives_zeros_not_errors(q):
    f = q.filter(start=date(2030, 1, 1), end=date(2030, 1, 31))
    assert s.pipeline_funnel(f).total == 0
    assert s.revenue(f).total == D("0.00")
    assert s.agent_performance(f) == ([], s.agent_performance(f)[1])
    assert s.departure_occupancy(f).tours == []


ALL = (
    s.pipeline_funnel,
    s.source_analysis,
    s.customer_acquisition,
    s.agent_performance,
    s.revenue,
    s.departure_occupancy,
    s.top_clients,
    lambda f: s.outstanding(f, TODAY),
)


def _queries(f) -> int:
    with CaptureQueriesContext(connection) as ctx:
        for report in ALL:
            report(f)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("agent_filter", [False, True])
def test_query_count_does_not_grow_with_rows(q, agent_filter):
    # a filter per request, as the page makes one: it keeps the groups it has read
    agent = q.agent if agent_filter else None
    add_more_of_the_same(q, 6)  # every currency for every agent: the same shape, fewer rows
    before = _queries(q.filter(agent=agent))
    add_more_of_the_same(q, 40)
    assert _queries(q.filter(agent=agent)) == before


def test_reports_sharing_a_filter_read_the_lead_groups_once(q):
    f = q.filter()
    s.pipeline_funnel(f)
    with CaptureQueriesContext(connection) as ctx:
        s.pipeline_funnel(f)
        s.agent_performance(f)
    read = [query["sql"] for query in ctx.captured_queries]
    assert len(read) == 2  # the response times and the agents' names: not the groups again
