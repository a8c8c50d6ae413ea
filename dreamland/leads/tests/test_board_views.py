"""The pipeline board: columns, counts, moves by drop or menu, "more", filters, reassignment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from dreamland.accounts.models import User
from dreamland.api.services import api_token_create
from dreamland.audit.models import AuditEntry
from dreamland.leads.board import FIRST_CARDS, BoardCard, encode_cursor
from dreamland.leads.models import Lead, LeadSource, LeadStatus, LostReason
from dreamland.leads.services import lead_update

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _leads(make_client: Any, n: int, **fields: Any) -> list[Lead]:
    now = timezone.now()
    return [
        Lead.objects.create(
            client=make_client(), last_message_at=now - timedelta(minutes=i), **fields
        )
        for i in range(n)
    ]


def _bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user)[1]}"}


def _card_of(lead: Lead) -> BoardCard:
    return BoardCard(
        pk=lead.pk,
        status=lead.status,
        client_name="",
        tour_name=None,
        agent_name=None,
        lost_reason=None,
        unread=0,
        last_message_at=lead.last_message_at,
        status_since=lead.created_at,
    )


def test_the_board_has_a_column_per_status_with_counts_and_cards(
    client: HttpClient, agent: User, make_client: Any, make_tour: Any
) -> None:
    tour = make_tour(name="Kolsai Lakes")
    Lead.objects.create(
        client=make_client(name="Maria Ivanova"),
        assigned_agent=agent,
        tour_interest=tour,
        unread_messages_count=3,
        last_message_at=timezone.now(),
    )
    _leads(make_client, 2, status=LeadStatus.QUOTED, assigned_agent=agent)
    client.force_login(agent)
    html = client.get("/pipeline/").content.decode()
    for status in LeadStatus.values:
        assert f'data-column="{status}"' in html
    assert "Maria Ivanova" in html and "Kolsai Lakes" in html
    assert '<span class="badge" title="Unread messages">3</span>' in html
    assert "Aigerim Agent" in html and "0 days in stage" in html
    assert '<span class="bc-count" data-count>2</span>' in html  # quoted


def test_an_agent_sees_their_own_and_unassigned_leads_only(
    client: HttpClient, agent: User, other_agent: User, make_client: Any
) -> None:
    Lead.objects.create(client=make_client(name="Mine"), assigned_agent=agent)
    Lead.objects.create(client=make_client(name="Nobodys"))
    Lead.objects.create(client=make_client(name="Theirs"), assigned_agent=other_agent)
    client.force_login(agent)
    html = client.get("/pipeline/").content.decode()
    assert "Mine" in html and "Nobodys" in html and "Theirs" not in html
    assert '<span class="bc-count" data-count>2</span>' in html


@pytest.mark.parametrize("per_column", [1, 50])
def test_the_board_costs_the_same_queries_for_1_and_50_cards_per_column(
    client: HttpClient,
    manager: User,
    agent: User,
    make_client: Any,
    make_tour: Any,
    per_column: int,
    django_assert_num_queries: Any,
) -> None:
    tour = make_tour()
    for status in LeadStatus.values:
        _leads(make_client, per_column, status=status, assigned_agent=agent, tour_interest=tour)
    client.force_login(manager)
    client.get("/pipeline/")  # the session, and the counts into the cache
    # session, user, filter choices (agents, tours), lost reasons, unread total, the columns
    # (PostgreSQL: one UNION ALL; SQLite: one query each), the cards' tours and agents
    columns = 1 if connection.features.supports_slicing_ordering_in_compound else 6
    with django_assert_num_queries(8 + columns):
        response = client.get("/pipeline/")
    assert response.content.decode().count('class="lead-card') == 6 * min(per_column, FIRST_CARDS)


@pytest.mark.parametrize("per_column", [1, 50])
def test_show_more_costs_the_same_queries_for_1_and_50_cards(
    client: HttpClient,
    manager: User,
    agent: User,
    make_client: Any,
    make_tour: Any,
    per_column: int,
    django_assert_num_queries: Any,
) -> None:
    tour = make_tour()
    leads = _leads(make_client, per_column + 1, assigned_agent=agent, tour_interest=tour)
    client.force_login(manager)
    client.get("/pipeline/")
    cursor = encode_cursor(_card_of(leads[0]))
    # session, user, the filter's agents, the column's page, its tours and agents
    with django_assert_num_queries(6):
        response = client.get(f"/pipeline/column/new/?cursor={quote(cursor)}")
    assert response.content.decode().count('class="lead-card') == per_column


def test_counts_are_cached_and_a_move_refreshes_them(
    client: HttpClient, agent: User, make_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=agent)
    client.force_login(agent)
    client.get("/pipeline/")
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(
                f"/leads/{lead.pk}/move/", {"status": "contacted"}, headers=HTMX
            ).status_code
            == 200
        )
    html = client.get("/pipeline/").content.decode()
    section = html.split('data-column="contacted"')[1].split("</header>")[0]
    assert "data-count>1<" in section


def test_a_drop_moves_the_lead_and_answers_the_card(
    client: HttpClient, agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=agent)
    client.force_login(agent)
    response = client.post(f"/leads/{lead.pk}/move/", {"status": "contacted"}, headers=HTMX)
    assert response.status_code == 200
    assert f'data-lead="{lead.pk}" data-status="contacted"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    entry = AuditEntry.objects.get(lead=lead)
    assert (entry.field, entry.before, entry.after, entry.actor) == (
        "status",
        "new",
        "contacted",
        agent,
    )


def test_an_illegal_drop_is_refused_with_the_rules_message(
    client: HttpClient, agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=agent, status=LeadStatus.QUOTED)
    client.force_login(agent)
    response = client.post(f"/leads/{lead.pk}/move/", {"status": "new"}, headers=HTMX)
    assert response.status_code == 422
    assert response.content.decode() == "A lead cannot move back from quoted to new."
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUOTED and not AuditEntry.objects.exists()


def test_an_illegal_move_from_the_menu_comes_back_with_a_message(
    client: HttpClient, agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=agent, status=LeadStatus.QUOTED)
    client.force_login(agent)
    response = client.post(
        f"/leads/{lead.pk}/move/",
        {"status": "new", "next": "/pipeline/?source=manual"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/pipeline/?source=manual"
    assert "A lead cannot move back from quoted to new." in response.content.decode()


def test_a_drop_on_won_opens_the_booking_form(
    client: HttpClient, agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=agent)
    client.force_login(agent)
    response = client.post(f"/leads/{lead.pk}/move/", {"status": "won"}, headers=HTMX)
    assert (
        response.status_code == 204 and response["HX-Redirect"] == f"/bookings/new/?lead={lead.pk}"
    )
    response = client.post(f"/leads/{lead.pk}/move/", {"status": "won"})
    assert response["Location"] == f"/bookings/new/?lead={lead.pk}"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_lost_needs_a_reason_from_the_list(
    client: HttpClient, agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=agent)
    reason = LostReason.objects.create(name="Too expensive")
    client.force_login(agent)
    response = client.post(f"/leads/{lead.pk}/move/", {"status": "lost"}, headers=HTMX)
    assert (
        response.status_code == 422 and "Choose why the lead was lost." in response.content.decode()
    )
    # Without scripts, the menu goes to a page that asks.
    response = client.post(f"/leads/{lead.pk}/move/", {"status": "lost"})
    assert response["Location"].startswith(f"/leads/{lead.pk}/lost/")
    assert client.get(response["Location"]).status_code == 200
    response = client.post(
        f"/leads/{lead.pk}/move/", {"status": "lost", "lost_reason": reason.pk}, headers=HTMX
    )
    assert response.status_code == 200 and "Too expensive" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.LOST and lead.lost_reason == reason
    assert set(AuditEntry.objects.values_list("field", "after")) == {
        ("status", "lost"),
        ("lost_reason", "Too expensive"),
    }


def test_the_lost_page_marks_the_lead_lost(
    client: HttpClient, agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=agent)
    reason = LostReason.objects.create(name="No answer")
    client.force_login(agent)
    assert client.post(f"/leads/{lead.pk}/lost/", {"lost_reason": ""}).status_code == 422
    response = client.post(
        f"/leads/{lead.pk}/lost/", {"lost_reason": reason.pk, "next": "/pipeline/"}
    )
    assert response["Location"] == "/pipeline/"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.LOST


def test_another_agents_lead_is_404_everywhere(
    client: HttpClient, agent: User, other_agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=other_agent)
    client.force_login(agent)
    assert (
        client.post(f"/leads/{lead.pk}/move/", {"status": "contacted"}, headers=HTMX).status_code
        == 404
    )
    assert client.get(f"/leads/{lead.pk}/").status_code == 404
    assert client.get(f"/leads/{lead.pk}/lost/").status_code == 404


def test_more_continues_each_column_after_its_last_card(
    client: HttpClient, manager: User, make_client: Any
) -> None:
    leads = _leads(make_client, 120)
    Lead.objects.filter(pk__in=[leads[0].pk, leads[1].pk]).update(last_message_at=None)
    client.force_login(manager)
    html = client.get("/pipeline/").content.decode()
    seen: set[int] = set()
    url = html.split('hx-get="/pipeline/column/new/?')[1].split('"')[0].replace("&amp;", "&")
    pages = 0
    while url:
        pages += 1
        part = client.get(f"/pipeline/column/new/?{url}").content.decode()
        ids = {int(chunk.split('"')[0]) for chunk in part.split('data-lead="')[1:]}
        assert not ids & seen
        seen |= ids
        url = (
            part.split('hx-get="/pipeline/column/new/?')[1].split('"')[0].replace("&amp;", "&")
            if "hx-get" in part
            else ""
        )
    first = {int(chunk.split('"')[0]) for chunk in html.split('data-lead="')[1:]}
    assert len(first) == FIRST_CARDS and first | seen == {lead.pk for lead in leads}
    assert len(seen) == 120 - FIRST_CARDS
    assert pages == 3  # 15 + 50 + 50 + 5: the last page has no "more"
    assert client.get("/pipeline/column/new/?cursor=garbage").status_code == 200
    assert client.get("/pipeline/column/nope/").status_code == 404


def test_filters_narrow_the_board(
    client: HttpClient, manager: User, agent: User, make_client: Any, make_tour: Any
) -> None:
    tour = make_tour()
    Lead.objects.create(client=make_client(name="By agent"), assigned_agent=agent)
    Lead.objects.create(client=make_client(name="By source"), source=LeadSource.WEBSITE)
    Lead.objects.create(client=make_client(name="By tour"), tour_interest=tour)
    old = Lead.objects.create(client=make_client(name="Old one"))
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    client.force_login(manager)

    def names(query: str) -> set[str]:
        html = client.get(f"/pipeline/?{query}").content.decode()
        return {n for n in ("By agent", "By source", "By tour", "Old one") if n in html}

    assert names(f"agent={agent.pk}") == {"By agent"}
    assert names("source=website") == {"By source"}
    assert names(f"tour={tour.pk}") == {"By tour"}
    day = (timezone.localdate() - timedelta(days=40)).isoformat()
    assert names(f"created_from={day}&created_to={day}") == {"Old one"}
    assert "By agent" not in names("agent=none")
    html = client.get("/pipeline/?created_from=not-a-date").content.decode()
    assert "Enter a valid date." in html and "By agent" in html


def test_a_manager_reassigns_several_cards_at_once(
    client: HttpClient, manager: User, agent: User, other_agent: User, make_client: Any
) -> None:
    leads = _leads(make_client, 3, assigned_agent=agent)
    client.force_login(manager)
    response = client.post(
        "/pipeline/assign/",
        {"leads": [leads[0].pk, leads[1].pk], "agent": other_agent.pk, "next": "/pipeline/"},
    )
    assert response["Location"] == "/pipeline/"
    assert [lead.assigned_agent_id for lead in Lead.objects.order_by("pk")] == [
        other_agent.pk,
        other_agent.pk,
        agent.pk,
    ]
    assert AuditEntry.objects.filter(field="assigned_agent", after=other_agent.name).count() == 2
    assert (
        client.post("/pipeline/assign/", {"agent": other_agent.pk}, follow=True).status_code == 200
    )


def test_agents_cannot_reassign(
    client: HttpClient, agent: User, other_agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1, assigned_agent=agent)
    client.force_login(agent)
    assert (
        client.post("/pipeline/assign/", {"leads": [lead.pk], "agent": other_agent.pk}).status_code
        == 403
    )
    assert 'id="bulk-assign"' not in client.get("/pipeline/").content.decode()


def test_the_lead_page_shows_its_audit_trail(
    client: HttpClient, manager: User, agent: User, make_client: Any
) -> None:
    (lead,) = _leads(make_client, 1)
    client.force_login(manager)
    client.post("/pipeline/assign/", {"leads": [lead.pk], "agent": agent.pk})
    client.post(f"/leads/{lead.pk}/move/", {"status": "qualified"})
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "History of changes" in html
    assert 'agent: <span class="muted">—</span> → <strong>Aigerim Agent</strong>' in html
    assert 'status: <span class="muted">New</span> → <strong>Qualified</strong>' in html
    assert "Madina Manager" in html


def test_pages_need_a_login(client: HttpClient) -> None:
    assert client.get("/pipeline/")["Location"].startswith("/login/")


def test_counts_by_source_and_tour_follow_an_edit_and_a_delete(
    client: HttpClient,
    manager: User,
    make_client: Any,
    make_tour: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    tour = make_tour()
    (lead,) = _leads(make_client, 1)
    client.force_login(manager)

    def new_count(query: str) -> str:
        html = client.get(f"/pipeline/?{query}").content.decode()
        return html.split('data-column="new"')[1].split("data-count>")[1].split("<")[0]

    assert new_count(f"tour={tour.pk}") == "0" and new_count("source=website") == "0"
    with django_capture_on_commit_callbacks(execute=True):
        lead_update(lead=lead, tour_interest=tour, source=LeadSource.WEBSITE, actor=manager)
    assert new_count(f"tour={tour.pk}") == "1" and new_count("source=website") == "1"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/v1/clients/{lead.client_id}", headers=_bearer(manager))
    assert response.status_code == 204
    assert new_count(f"tour={tour.pk}") == "0"


def test_the_filters_show_what_was_chosen_and_a_bad_value_as_typed(
    client: HttpClient, manager: User, agent: User, make_tour: Any
) -> None:
    tour = make_tour(name="Altai")
    client.force_login(manager)
    html = client.get(
        f"/pipeline/?agent={agent.pk}&source=website&tour={tour.pk}&created_to=oops"
    ).content.decode()
    assert f'<option value="{agent.pk}" selected>{agent.name}</option>' in html
    assert '<option value="website" selected>' in html
    assert f'<option value="{tour.pk}" selected>Altai</option>' in html
    assert 'name="created_to" value="oops" id="id_created_to"' in html
    assert 'class="bf has-error"' in html and "Enter a valid date." in html


@pytest.mark.parametrize(
    "cursor", ["2024-13-01T00:00|5", "2024-01-01T00:00|99999999999999999999", "x|y", "|", "²"]
)
def test_a_malformed_more_cursor_is_an_empty_page_not_an_error(
    client: HttpClient, manager: User, make_client: Any, cursor: str
) -> None:
    _leads(make_client, 3)
    client.force_login(manager)
    response = client.get("/pipeline/column/new/", {"cursor": cursor})
    assert response.status_code == 200
    assert "data-lead=" not in response.content.decode()
