"""The client list /clients/: visibility per persona, search by name or phone in any spelling,
filters, keyset pages, constant queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dreamland.accounts.models import User
from dreamland.clients.models import Client

pytestmark = pytest.mark.django_db


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _names(response: Any) -> list[str]:
    html = response.content.decode()
    return [
        part.split(">", 1)[1].split("<", 1)[0]
        for part in html.split('<a href="/clients/')[1:]
        if part.split("/", 1)[0].isdigit()
    ]


def test_it_needs_login() -> None:
    assert HttpClient().get("/clients/").status_code == 302


def test_an_agent_sees_their_unassigned_and_leadless_clients_only(
    agent: User,
    other_agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
) -> None:
    make_lead(client=make_client(name="Mine"), assigned_agent=agent)
    make_lead(client=make_client(name="Unassigned"), auto_assign=False)
    make_client(name="Walk-in")
    make_lead(client=make_client(name="Theirs"), assigned_agent=other_agent)
    names = _names(_as(agent).get("/clients/"))
    assert sorted(names) == ["Mine", "Unassigned", "Walk-in"]


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_see_everyone(
    persona: str,
    request: pytest.FixtureRequest,
    other_agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
) -> None:
    make_lead(client=make_client(name="Theirs"), assigned_agent=other_agent)
    make_client(name="Walk-in")
    names = _names(_as(request.getfixturevalue(persona)).get("/clients/"))
    assert sorted(names) == ["Theirs", "Walk-in"]


def test_the_list_is_empty_with_a_hint(agent: User) -> None:
    html = _as(agent).get("/clients/").content.decode()
    assert "No clients yet" in html
    assert "No clients match" in _as(agent).get("/clients/?q=nobody").content.decode()


@pytest.mark.parametrize(
    "q", ["8 (701) 123-45-67", "+7 701 123 4567", "87011234567", "77011234567", "8701123", "+7701"]
)
def test_search_by_phone_in_any_spelling(
    q: str, manager: User, make_client: Callable[..., Any]
) -> None:
    make_client(name="Maria", phone="+77011234567")
    make_client(name="Other", phone="+77029999999")
    assert _names(_as(manager).get("/clients/", {"q": q})) == ["Maria"]


def test_search_by_name_ignores_case(manager: User, make_client: Callable[..., Any]) -> None:
    make_client(name="Мария Иванова")
    make_client(name="Daniyar Sultanov")
    http = _as(manager)
    assert _names(http.get("/clients/", {"q": "Иванова"})) == ["Мария Иванова"]
    assert _names(http.get("/clients/", {"q": "sultan"})) == ["Daniyar Sultanov"]
    if connection.vendor == "postgresql":  # SQLite folds the case of ASCII letters only
        assert _names(http.get("/clients/", {"q": "иванова"})) == ["Мария Иванова"]


def test_filters_by_lead_status_and_owner(
    manager: User,
    agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
) -> None:
    make_lead(client=make_client(name="Quoted"), status="quoted", assigned_agent=agent)
    make_lead(client=make_client(name="New"), status="new", auto_assign=False)
    make_client(name="Walk-in")
    http = _as(manager)
    assert _names(http.get("/clients/", {"status": "quoted"})) == ["Quoted"]
    assert _names(http.get("/clients/", {"owner": "unassigned"})) == ["New"]
    assert _names(http.get("/clients/", {"owner": "none"})) == ["Walk-in"]
    assert _names(http.get("/clients/", {"owner": str(agent.pk)})) == ["Quoted"]
    # A bad filter is ignored, never a 500.
    assert http.get("/clients/", {"status": "nope", "after": "garbage"}).status_code == 200


def test_an_agent_filters_their_own(
    agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    make_lead(client=make_client(name="Mine"), assigned_agent=agent)
    make_lead(client=make_client(name="Unassigned"), auto_assign=False)
    assert _names(_as(agent).get("/clients/", {"owner": "mine"})) == ["Mine"]


def test_pages_follow_the_keyset_newest_first(manager: User) -> None:
    now = timezone.now()
    Client.objects.bulk_create(
        Client(name=f"C{i:03d}", phone=f"+7701000{i:04d}", created_at=now - timedelta(minutes=i))
        for i in range(60)
    )
    http = _as(manager)
    first = http.get("/clients/")
    names = _names(first)
    assert names[:2] == ["C000", "C001"] and len(names) == 50
    html = first.content.decode()
    assert "60 clients" in html
    more = html.split('data-test="more"')[0].rsplit('hx-get="', 1)[1].split('"')[0]
    rest = http.get("/clients/" + more.replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert _names(rest) == [f"C{i:03d}" for i in range(50, 60)]
    assert "<html" not in rest.content.decode()
    assert 'data-test="more"' not in rest.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_takes_the_same_queries_for_1_or_50_rows(
    rows: int,
    agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
    make_history: Callable[..., None],
    django_assert_num_queries: Any,
) -> None:
    for _ in range(rows):
        client = make_client()
        make_lead(client=client, assigned_agent=agent)
        make_history(client, 1, agent=agent)
    http = _as(agent)
    http.get("/clients/")
    # session, user, the first page's keys (and so the capped count), its rows, open leads,
    # lifetime values, unread total.
    with django_assert_num_queries(7):
        response = http.get("/clients/", {"q": "Client", "owner": "mine"})
    assert len(_names(response)) == rows


def test_a_row_reads_only_what_it_shows_of_the_open_lead(
    agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
    make_history: Callable[..., None],
) -> None:
    client = make_client(name="Aliya")
    make_lead(client=client, assigned_agent=agent)
    make_history(client, 1, agent=agent)
    with CaptureQueriesContext(connection) as queries:
        html = _as(agent).get("/clients/").content.decode()
    assert "Aliya" in html and agent.name in html
    leads = next(q["sql"] for q in queries if 'FROM "leads" LEFT OUTER JOIN "users"' in q["sql"])
    assert "password_digest" not in leads and '"tours"' not in leads


@pytest.mark.parametrize("rows", [1, 50])
def test_a_managers_search_takes_the_same_queries_for_1_or_50_rows(
    rows: int,
    manager: User,
    agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
    django_assert_num_queries: Any,
) -> None:
    for _ in range(rows + 1):
        make_lead(client=make_client(), assigned_agent=agent)
    http = _as(manager)
    http.get("/clients/")
    # session, user, the capped count, the page, open leads, lifetime values, the owner
    # filter's agents, unread total.
    with django_assert_num_queries(8):
        response = http.get("/clients/", {"q": "Client"})
    assert len(_names(response)) == min(rows + 1, 50)


@pytest.mark.parametrize(
    "after", ["2024-13-01T00:00:00+00:00_5", "2024-01-01T00:00:00_²", "x_y", "_"]
)
def test_a_malformed_cursor_reads_the_first_page(
    manager: User, make_client: Callable[..., Any], after: str
) -> None:
    make_client(name="Aigerim")
    response = _as(manager).get("/clients/", {"after": after})
    assert response.status_code == 200
    assert _names(response) == ["Aigerim"]
