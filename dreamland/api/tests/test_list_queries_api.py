"""Every API list costs the same number of queries for 1 row as for 50 (no N+1), for an agent
and a manager, whether the page fits (no count query) or more follow (one capped count); and
counts past the cap are lower bounds with `count_exact: false`, keyset cursors walk a list once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dreamland.accounts.models import Role, User
from dreamland.bookings.models import Booking, Payment
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication, WhatsAppTemplate
from dreamland.tours.models import Tour, TourDeparture

LISTS = [
    "/clients",
    "/leads",
    "/communications",
    "/bookings",
    "/payments",
    "/tours",
    "/tour-departures",
    "/whatsapp-templates",
    "/users",
]


def _rows(n: int, agent: User, start: int = 0) -> None:
    """n of everything, all visible to `agent`."""
    tour = Tour.objects.create(name=f"Tour {start}", base_price=100, currency="KZT", capacity=999)
    Tour.objects.bulk_create(
        Tour(name=f"T{start + i}", base_price=100, currency="KZT", capacity=9) for i in range(n - 1)
    )
    departure = TourDeparture.objects.create(tour=tour, departure_date=date(2030, 1, 1))
    TourDeparture.objects.bulk_create(
        TourDeparture(tour=tour, departure_date=date(2030, 1, 2)) for _ in range(n - 1)
    )
    clients = Client.objects.bulk_create(
        Client(name=f"C{start + i}", phone=f"+7701{start + i:07d}") for i in range(n)
    )
    leads = Lead.objects.bulk_create(Lead(client=c, assigned_agent=agent) for c in clients)
    Communication.objects.bulk_create(
        Communication(client=c, lead=lead, communication_type="whatsapp", direction="inbound")
        for c, lead in zip(clients, leads, strict=True)
    )
    bookings = Booking.objects.bulk_create(
        Booking(
            client=c, tour_departure=departure, num_participants=1, total_amount=100, currency="KZT"
        )
        for c in clients
    )
    Payment.objects.bulk_create(
        Payment(
            booking=b,
            amount=Decimal(50),
            currency="KZT",
            payment_date=date(2026, 1, 1),
            payment_method="cash",
            status="completed",
        )
        for b in bookings
    )
    WhatsAppTemplate.objects.bulk_create(
        WhatsAppTemplate(name=f"tpl{start + i}", content="Hi", language="ru") for i in range(n)
    )
    User.objects.bulk_create(
        User(email=f"u{start + i}@x.test", name=f"U{i}", role=Role.AGENT) for i in range(n)
    )


def _queries(api, path: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200, (path, r.content)
    return len(ctx.captured_queries), r.json()


@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_each_list_is_constant_in_queries_for_1_and_50_rows(persona, agent, manager, api_as):
    user = agent if persona == "agent" else manager
    api = api_as(user)
    _rows(1, agent)
    api.get("/tours")  # the token's first use writes last_used_at: not part of any list
    small = {path: _queries(api, f"{path}?limit=100")[0] for path in LISTS}
    _rows(49, agent, start=100)
    for path in LISTS:
        fits, body = _queries(api, f"{path}?limit=100")
        assert len(body["items"]) >= 50, path
        assert fits == small[path], path  # 1 row or 50: the same queries
        more, body = _queries(api, f"{path}?limit=1")
        assert len(body["items"]) == 1 and body["count"] >= 50, path
        assert more <= fits + 1, path  # at most one capped count on top


def test_a_count_past_the_cap_is_a_lower_bound(manager, api_as, monkeypatch):
    monkeypatch.setattr("dreamland.api.pagination.capped_count.__defaults__", (5,))
    _rows(8, manager)
    api = api_as(manager)
    body = api.get("/clients?limit=2").json()
    assert body["count"] == 5 and body["count_exact"] is False
    body = api.get("/clients?limit=2&offset=5").json()
    assert body["count"] == 8 and body["count_exact"] is False  # this page proves 8 exist
    body = api.get("/clients?limit=20").json()
    assert body == {"items": body["items"], "count": 8}  # fits: exact, nothing added


@pytest.mark.parametrize("persona", ["agent", "manager"])
@pytest.mark.parametrize("path", ["/leads", "/communications", "/clients"])
def test_a_deep_offset_reads_the_same_page_by_ids_in_the_same_queries(
    persona, path, agent, manager, api_as, monkeypatch
):
    _rows(9, agent)
    api = api_as(agent if persona == "agent" else manager)
    api.get("/tours")  # the token's first use writes last_used_at
    shallow = [_queries(api, f"{path}?limit=3&offset={offset}") for offset in (0, 3, 6)]
    monkeypatch.setattr("dreamland.api.pagination.DEEP_OFFSET", 1)
    deep = [_queries(api, f"{path}?limit=3&offset={offset}") for offset in (0, 3, 6)]
    assert deep == shallow  # same rows, same order, same body, same number of queries


def test_an_empty_page_past_the_end_claims_no_more_rows_than_the_cap(manager, api_as, monkeypatch):
    monkeypatch.setattr("dreamland.api.pagination.capped_count.__defaults__", (5,))
    _rows(8, manager)
    body = api_as(manager).get("/leads?limit=2&offset=100").json()
    assert body == {"items": [], "count": 5, "count_exact": False}


def test_cursor_pages_walk_the_list_once(manager, api_as):
    _rows(7, manager)
    api = api_as(manager)
    expected = [c["id"] for c in api.get("/communications?limit=100").json()["items"]]
    seen, cursor = [], None
    while True:
        body = api.get("/communications?limit=3" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [c["id"] for c in body["items"]]
        assert body["count"] == 7
        cursor = body.get("next_cursor")
        if cursor is None:
            break
    assert seen == expected


@pytest.mark.parametrize(
    "query", ["cursor=nonsense", "cursor=W10&offset=3", "cursor=WyJ0IiwxLDFd"], ids=str
)
def test_a_bad_cursor_is_422_on_the_query(manager, api_as, query):
    r = api_as(manager).get(f"/leads?{query}")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_offset_only_lists_refuse_a_cursor(manager, api_as):
    r = api_as(manager).get("/tours?cursor=abc")
    assert r.status_code == 422


def test_the_openapi_document_says_when_count_is_a_lower_bound(api_as, manager):
    doc = api_as(manager).get("/openapi.json").json()
    page = doc["components"]["schemas"]["LeadPage"]["properties"]
    assert "lower bound" in page["count"]["description"]
    assert "count_exact" in page and "next_cursor" in page
