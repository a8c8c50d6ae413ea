"""/reports/ and its downloads: who sees what, bad filters, constant queries, typed XLSX."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dreamland.reports.tests.fixtures import add_more_of_the_same, build_quarter

pytestmark = pytest.mark.django_db
RANGE = "start=2026-01-01&end=2026-03-31"


@pytest.fixture
def q(agent, other_agent):
    return build_quarter(agent, other_agent)


def test_a_manager_reads_every_report_with_charts(client, manager, q):
    client.force_login(manager)
    response = client.get(f"/reports/?{RANGE}")

    assert response.status_code == 200
    html = response.content.decode()
    for anchor in ("funnel", "sources", "acquisition", "agents", "revenue", "occupancy"):
        assert f'id="{anchor}"' in html
    assert html.count("<svg") >= 9
    assert "460,000" in html  # revenue in the manager's tenge
    assert "Kolsai Lakes" in html
    assert "/reports/funnel.csv?start=2026-01-01" in html


def test_an_agent_sees_only_their_own_figures_and_no_agent_filter(client, agent, q):
    client.force_login(agent)
    response = client.get(f"/reports/?{RANGE}&agent={q.other_agent.pk}")

    assert response.status_code == 200
    assert 'name="agent"' not in response.content.decode()
    assert response.context["f"].agent == agent
    assert response.context["r"]["funnel"].total == 3
    assert response.context["r"]["revenue"].total == 100000


def test_a_manager_filters_by_agent(client, manager, q):
    client.force_login(manager)
    response = client.get(f"/reports/?{RANGE}&agent={q.other_agent.pk}")
    assert response.context["r"]["funnel"].total == 2


def test_revenue_in_the_viewers_preferred_currency(client, manager, q):
    manager.preferred_currency = "USD"
    manager.save()
    client.force_login(manager)
    response = client.get(f"/reports/?{RANGE}")
    assert str(response.context["r"]["revenue"].total) == "924.02"
    # the refund of 1 Feb has no dollar rate: named, not a 500
    assert "exchange rate is missing" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-04-01&end=2026-01-01",
        "start=garbage",
        "agent=999999",
        "currency=XXX",
        "start=1900-01-01",
    ],
)
def test_bad_filters_are_a_400_with_the_form(client, manager, q, query):
    client.force_login(manager)
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert client.get(f"/reports/funnel.csv?{query}").status_code == 400


def test_an_empty_database_shows_empty_states(client, manager):
    client.force_login(manager)
    response = client.get("/reports/")
    assert response.status_code == 200
    assert "No data for this period" in response.content.decode()


def test_the_page_is_in_russian_for_a_russian_manager(client, manager, q):
    manager.preferred_language = "ru"
    manager.save()
    client.force_login(manager)
    html = client.get(f"/reports/?{RANGE}", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Отчёты" in html or "Отчеты" in html


def _page_queries(client, *, cold: bool = True) -> int:
    if cold:
        cache.clear()  # every section computed, as after a write
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/reports/?{RANGE}").status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_1_and_50_rows(client, manager, q):
    client.force_login(manager)
    add_more_of_the_same(q, 1)
    one = _page_queries(client)
    add_more_of_the_same(q, 49)
    assert _page_queries(client) == one


@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_a_cached_page_reads_only_the_versions(client, q, persona, request):
    client.force_login(request.getfixturevalue(persona))
    add_more_of_the_same(q, 1)
    _page_queries(client)
    one = _page_queries(client, cold=False)
    add_more_of_the_same(q, 49)
    _page_queries(client)
    # the session, the user, the layout's, the form's agents (a manager), the versions: no
    # report's query
    assert _page_queries(client, cold=False) == one <= 5


def test_a_report_downloads_as_csv_with_bom(client, manager, q):
    client.force_login(manager)
    response = client.get(f"/reports/sources.csv?{RANGE}")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Source", "Leads", "Won", "Conversion, %", "Revenue (KZT)"]
    assert rows[1] == ["WhatsApp", "4", "2", "50.0", "460000.00"]
    assert rows[-1][0] == "Total"


def test_a_report_downloads_as_xlsx_with_typed_numbers_and_neutralised_names(client, manager, q):
    client.force_login(manager)
    # C3's name is a formula; give it the top lifetime value so it is listed.
    from dreamland.reports.tests.fixtures import booking, payment

    bk = booking(
        q.clients["C3"],
        None,
        q.departures["D1"],
        1,
        "9000000",
        "KZT",
        "paid",
        q.bookings["BK1"].created_at.date(),
    )
    payment(bk, "9000000", "KZT", bk.created_at.date(), "completed")

    response = client.get(f"/reports/top-clients.xlsx?{RANGE}")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Client", "Phone", "Trips", "Lifetime value (KZT)")
    assert rows[1][0] == '\'=HYPERLINK("x")'
    assert rows[1][1].startswith("'+7702")  # a phone starting with + is text, not a formula
    assert rows[1][2] == 1 and rows[1][3] == 9000000


def test_an_unknown_report_is_404(client, manager):
    client.force_login(manager)
    assert client.get("/reports/nope.csv").status_code == 404
    assert client.get("/reports/funnel.ods").status_code == 404


def test_reports_need_a_login(client):
    assert client.get("/reports/").status_code == 302
    assert client.get("/reports/funnel.csv").status_code == 302
