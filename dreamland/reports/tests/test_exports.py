"""/exports/<entity>.csv|.xlsx: visibility, the lists' filters, neutralised and typed cells."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dreamland.reports.tests.fixtures import add_more_of_the_same, build_quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def q(agent, other_agent):
    return build_quarter(agent, other_agent)


def _xlsx(response):
    assert response.status_code == 200, response.content[:200]
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _csv(response):
    assert response.status_code == 200, response.content[:200]
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_clients_xlsx_neutralises_formulas_and_keeps_cyrillic(client, manager, q):
    client.force_login(manager)
    rows = _xlsx(client.get("/exports/clients.xlsx"))

    assert rows[0][:3] == ("ID", "Name", "Phone")
    names = {r[1] for r in rows[1:]}
    assert '\'=HYPERLINK("x")' in names  # would have run as a formula
    assert "Алия Нурланова" in names
    assert all(str(r[2]).startswith("'+7") for r in rows[1:])  # phones are text
    assert all(isinstance(r[0], int) for r in rows[1:])
    assert all(isinstance(r[6], datetime) for r in rows[1:])


def test_clients_csv_opens_in_excel_with_cyrillic(client, manager, q):
    client.force_login(manager)
    response = client.get("/exports/clients.csv?q=Алия")
    rows = _csv(response)
    assert [r[1] for r in rows[1:]] == ["Алия Нурланова"]
    assert "attachment" in response["Content-Disposition"]
    assert b"\r\n" in response.content


def test_bookings_xlsx_has_typed_amounts_and_dates(client, manager, q):
    client.force_login(manager)
    rows = _xlsx(client.get(f"/exports/bookings.xlsx?tour_id={q.tours['T2'].pk}"))
    assert rows[0][3:7] == ("Tour", "Departure", "Participants", "Total")
    body = sorted(rows[1:], key=lambda r: r[0])
    assert [(r[3], r[5], r[6], r[7], r[8]) for r in body] == [
        ("Kolsai Lakes", 3, 1000, "USD", "Confirmed"),
        ("Kolsai Lakes", 1, 40000, "KZT", "Confirmed"),
    ]
    assert body[0][4] == datetime(2026, 3, 10)  # a date cell, not text


def test_an_agent_exports_only_what_they_may_see(client, agent, q):
    client.force_login(agent)
    leads = _csv(client.get("/exports/leads.csv"))
    ids = {int(r[0]) for r in leads[1:]}
    mine_or_unassigned = {q.leads[k].pk for k in ("L1", "L2", "L3", "L6", "L7")}
    assert ids == mine_or_unassigned  # not L4, L5 of the other agent

    payments = _csv(client.get("/exports/payments.csv"))
    booking_ids = {r[1] for r in payments[1:]}
    assert str(q.bookings["BK2"].pk) not in booking_ids  # the other agent's client


def test_filters_are_the_lists_and_the_apis(client, manager, q):
    client.force_login(manager)
    won = _csv(client.get(f"/exports/leads.csv?status=won&assigned_agent_id={q.agent.pk}"))
    assert {int(r[0]) for r in won[1:]} == {q.leads["L1"].pk, q.leads["L7"].pk}
    assert won[1][3] == "Won"
    by_phone = _csv(
        client.get(f"/exports/leads.csv?phone={q.clients['C4'].phone.replace('+7', '8')}")
    )
    assert [int(r[0]) for r in by_phone[1:]] == [q.leads["L4"].pk]
    pending = _csv(client.get("/exports/payments.csv?status=pending&payment_date_to=2026-03-31"))
    assert [(r[4], r[6]) for r in pending[1:]] == [("40000.00", "2026-03-10")]
    created = _csv(client.get("/exports/clients.csv?created_from=2026-03-01&created_to=2026-03-31"))
    assert sorted(r[1] for r in created[1:]) == ["Гульнара", "Ерлан"]


@pytest.mark.parametrize(
    "url",
    [
        "/exports/leads.csv?status=nope",
        "/exports/bookings.xlsx?tour_id=abc",
        "/exports/payments.csv?payment_date_from=yesterday",
        "/exports/clients.csv?preferred_language=de",
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(client, manager, q, url):
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 400
    field = url.split("?")[1].split("=")[0]
    assert field in response.content.decode()


def test_unknown_exports_are_404_and_logins_required(client, manager):
    assert client.get("/exports/clients.csv").status_code == 302
    client.force_login(manager)
    assert client.get("/exports/users.csv").status_code == 404
    assert client.get("/exports/clients.pdf").status_code == 404


@pytest.mark.parametrize("entity", ["clients", "leads", "bookings", "payments"])
def test_query_count_does_not_grow_with_rows(client, agent, q, entity):
    client.force_login(agent)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/exports/{entity}.xlsx").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    add_more_of_the_same(q, 30)
    assert count() == before


def test_amounts_stay_decimal_in_csv(client, manager, q):
    client.force_login(manager)
    rows = _csv(client.get("/exports/payments.csv?currency=EUR"))
    assert [(r[4], r[5]) for r in rows[1:]] == [(str(Decimal("200.00")), "EUR")]
    assert date.fromisoformat(rows[1][6]) == date(2026, 3, 2)
