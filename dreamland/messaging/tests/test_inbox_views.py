"""The inbox list, its filters, keyset pages, the "N new" pill and the live poll."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication, Direction
from dreamland.messaging.selectors import (
    FIRST_PAGE,
    PAGE_SIZE,
    InboxFilters,
    cursor_encode,
    inbox_page,
)
from dreamland.messaging.tests.factories import conversation

pytestmark = pytest.mark.django_db


def _as(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _names(response: Any) -> list[str]:
    return [row.client.name for row in response.context["page"].rows]


def test_the_inbox_needs_a_login(client: HttpClient) -> None:
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_agent_sees_own_and_unassigned_conversations_not_another_agents(
    make_client: Any, agent: Any, other_agent: Any
) -> None:
    conversation(make_client, agent=agent, name="Mine")
    conversation(make_client, agent=None, name="Nobody's")
    conversation(make_client, agent=other_agent, name="Theirs")
    response = _as(agent).get("/inbox/")
    assert response.status_code == 200
    assert sorted(_names(response)) == ["Mine", "Nobody's"]
    assert "Theirs" not in response.content.decode()


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_and_admins_see_every_conversation(
    make_client: Any, agent: Any, other_agent: Any, persona: str, request: Any
) -> None:
    conversation(make_client, agent=agent, name="A")
    conversation(make_client, agent=other_agent, name="B")
    response = _as(request.getfixturevalue(persona)).get("/inbox/")
    assert sorted(_names(response)) == ["A", "B"]


def test_rows_are_newest_message_first_one_per_client(make_client: Any, agent: Any) -> None:
    now = timezone.now()
    old, _ = conversation(make_client, agent=agent, name="Old", last_at=now - timedelta(days=2))
    conversation(make_client, agent=agent, name="New", last_at=now - timedelta(minutes=1))
    # A returning client: the lost lead of last year and the new one make one row.
    Lead.objects.filter(client=old).update(status="lost")
    Lead.objects.create(client=old, assigned_agent=agent, last_message_at=now - timedelta(hours=1))
    response = _as(agent).get("/inbox/")
    assert _names(response) == ["New", "Old"]


def test_a_row_shows_snippet_direction_tick_unread_agent_status_tour_and_window(
    make_client: Any, agent: Any, make_tour: Any
) -> None:
    tour = make_tour(name="Charyn Canyon")
    client, lead = conversation(make_client, agent=agent, name="Aliya", unread=3)
    Lead.objects.filter(pk=lead.pk).update(tour_interest=tour, status="contacted")
    Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction=Direction.OUTBOUND,
        body="Seats are there",
        whatsapp_status="delivered",
    )
    html = _as(agent).get("/inbox/").content.decode()
    assert "Seats are there" in html
    assert 'data-status="delivered"' in html
    assert '<span class="badge" title="Unread messages">3</span>' in html
    assert "Aigerim Agent" in html and "Charyn Canyon" in html
    assert "chip-contacted" in html and "chip-window" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"scope": "mine"}, ["Mine", "Closing"]),
        ({"scope": "unassigned"}, ["Free"]),
        ({"unread": "1"}, ["Free"]),
        ({"closing": "1"}, ["Closing"]),
        ({"source": "website"}, ["Closing"]),
        ({"q": "free"}, ["Free"]),
        ({"q": "8 (701) 555-00-01"}, ["Mine"]),
        ({"q": "+7 701 555 0001"}, ["Mine"]),
        ({"q": "555-00-02"}, ["Free"]),
        ({"scope": "bogus", "unread": "x"}, ["Mine", "Free", "Closing"]),
    ],
)
def test_filters(make_client: Any, agent: Any, query: dict[str, str], expected: list[str]) -> None:
    now = timezone.now()
    conversation(make_client, agent=agent, name="Mine", phone="+77015550001", last_at=now)
    conversation(
        make_client,
        agent=None,
        name="Free",
        phone="+77015550002",
        unread=2,
        last_at=now - timedelta(minutes=5),
    )
    _, closing = conversation(
        make_client,
        agent=agent,
        name="Closing",
        phone="+77015550003",
        last_at=now - timedelta(hours=23),
    )
    Lead.objects.filter(pk=closing.pk).update(source="website")
    assert _names(_as(agent).get("/inbox/", query)) == expected


def test_the_tour_filter(make_client: Any, agent: Any, make_tour: Any) -> None:
    tour = make_tour()
    _, lead = conversation(make_client, agent=agent, name="Kolsai fan")
    conversation(make_client, agent=agent, name="Other")
    Lead.objects.filter(pk=lead.pk).update(tour_interest=tour)
    assert _names(_as(agent).get("/inbox/", {"tour": tour.pk})) == ["Kolsai fan"]


def test_keyset_pages_cover_every_row_once(make_client: Any, agent: Any) -> None:
    now = timezone.now()
    for i in range(60):
        # Pairs share a timestamp: the id breaks the tie.
        conversation(
            make_client, agent=agent, name=f"C{i:02}", last_at=now - timedelta(seconds=i // 2)
        )
    first = inbox_page(agent, InboxFilters())
    assert len(first.rows) == 50 and first.next_cursor
    second = inbox_page(agent, InboxFilters(), after=first.next_cursor)
    assert len(second.rows) == 10 and second.next_cursor is None
    names = [r.client.name for r in first.rows + second.rows]
    assert len(set(names)) == 60
    http = _as(agent)
    response = http.get(
        "/inbox/", {"part": "rows", "after": str(first.next_cursor)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.decode().count("data-row") == 10
    assert "<html" not in response.content.decode()


def test_a_forged_cursor_is_the_first_page(make_client: Any, agent: Any) -> None:
    conversation(make_client, agent=agent)
    response = _as(agent).get(
        "/inbox/", {"part": "rows", "after": "%%%garbage"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.content.decode().count("data-row") == 1


def test_a_cursor_naming_an_id_beyond_any_integer_column_is_the_first_page(
    make_client: Any, agent: Any
) -> None:
    """SQLite refused the id itself ("Python int too large"): a 500 before."""
    conversation(make_client, agent=agent)
    forged = cursor_encode(timezone.now(), 10**24)
    response = _as(agent).get("/inbox/", {"part": "rows", "after": forged}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content.decode().count("data-row") == 1
    thread = _as(agent).get(f"/inbox/{Lead.objects.get().client_id}/", {"before": forged})
    assert thread.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_the_inbox_costs_the_same_queries_for_1_and_50_rows(
    make_client: Any, agent: Any, rows: int, django_assert_num_queries: Any
) -> None:
    for _ in range(rows):
        conversation(make_client, agent=agent, messages=2)
    http = _as(agent)
    http.get("/inbox/")  # warm the session
    # session, user, tours for the filter, poll cursor, rows with their unanswered flags, last
    # messages, unread total and the unanswered count (reminders)
    with django_assert_num_queries(8):
        response = http.get("/inbox/")
    assert len(response.context["page"].rows) == min(rows, FIRST_PAGE)


def test_the_first_page_is_short_and_the_rest_follows_in_pages(
    make_client: Any, agent: Any
) -> None:
    for _ in range(FIRST_PAGE + PAGE_SIZE + 1):
        conversation(make_client, agent=agent, messages=1)
    http = _as(agent)
    first = http.get("/inbox/")
    assert len(first.context["page"].rows) == FIRST_PAGE
    after = {"part": "rows", "after": first.context["page"].next_cursor}
    second = http.get("/inbox/", after, HTTP_HX_REQUEST="true")
    assert len(second.context["page"].rows) == PAGE_SIZE
    after["after"] = second.context["page"].next_cursor
    third = http.get("/inbox/", after, HTTP_HX_REQUEST="true")
    assert len(third.context["page"].rows) == 1 and third.context["page"].next_cursor is None


def test_the_new_pill_counts_conversations_above_the_top_row(make_client: Any, agent: Any) -> None:
    now = timezone.now()
    conversation(make_client, agent=agent, last_at=now - timedelta(minutes=10))
    top = inbox_page(agent, InboxFilters()).top_cursor
    conversation(make_client, agent=agent, last_at=now)
    conversation(make_client, agent=agent, last_at=now - timedelta(seconds=5))
    response = _as(agent).get("/inbox/new/", {"top": top or ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "2 new" in response.content.decode()


def test_the_poll_is_204_and_one_query_when_nothing_changed(
    make_client: Any, agent: Any, django_assert_num_queries: Any
) -> None:
    conversation(make_client, agent=agent, unread=2)
    http = _as(agent)
    first = http.get("/inbox/poll/")
    assert first.status_code == 200
    assert first.json()["unread"] == 2
    assert "inbox:changed" in first["HX-Trigger"]
    cursor = first.json()["cursor"]
    # session + user (authentication) + the one MAX(updated_at)
    with django_assert_num_queries(3):
        idle = http.get("/inbox/poll/", {"since": cursor})
    assert idle.status_code == 204 and idle.content == b""


def test_the_poll_answers_a_new_cursor_when_a_message_or_status_arrives(
    make_client: Any, agent: Any
) -> None:
    client, lead = conversation(make_client, agent=agent)
    http = _as(agent)
    cursor = http.get("/inbox/poll/").json()["cursor"]
    comm = Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction="outbound",
        body="x",
        whatsapp_status="pending",
    )
    moved = http.get("/inbox/poll/", {"since": cursor})
    assert moved.status_code == 200 and moved.json()["cursor"] != cursor
    cursor = moved.json()["cursor"]
    Communication.objects.filter(pk=comm.pk).update(
        whatsapp_status="sent", updated_at=timezone.now() + timedelta(seconds=1)
    )
    assert http.get("/inbox/poll/", {"since": cursor}).status_code == 200


def test_the_page_has_the_csp_header_and_no_inline_script(make_client: Any, agent: Any) -> None:
    conversation(make_client, agent=agent)
    response = _as(agent).get("/inbox/")
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    html = response.content.decode()
    assert "<script>" not in html and " onerror=" not in html and " onclick=" not in html
