"""The card's writes: profile (phone normalised, another client's phone refused with a link),
the current lead (status by the pipeline rules, assignment by role, tour interest), new lead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.accounts.models import User
from dreamland.leads.models import Lead

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def _as(user: User) -> HttpClient:
    http = HttpClient(enforce_csrf_checks=False)
    http.force_login(user)
    return http


def _profile(client: Any, **changes: str) -> dict[str, str]:
    data = {
        "name": client.name,
        "phone": client.phone,
        "email": client.email or "",
        "preferred_language": client.preferred_language or "",
        "notes": client.notes or "",
    }
    data.update(changes)
    return data


# --- profile --------------------------------------------------------------------------------


def test_the_phone_is_saved_normalised(agent: User, make_client: Callable[..., Any]) -> None:
    client = make_client()
    response = _as(agent).post(
        f"/clients/{client.pk}/profile/", _profile(client, phone="8 (701) 555-12-34"), headers=HX
    )
    assert response.status_code == 200
    client.refresh_from_db()
    assert client.phone == "+77015551234"
    assert "+77015551234" in response.content.decode()


def test_another_clients_phone_is_refused_with_a_link_to_them(
    agent: User, make_client: Callable[..., Any]
) -> None:
    client = make_client()
    owner = make_client(name="Other Person", phone="+77017770000")
    before = client.phone
    response = _as(agent).post(
        f"/clients/{client.pk}/profile/", _profile(client, phone="8 701 777 00 00"), headers=HX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f'href="/clients/{owner.pk}/"' in html
    assert "already exists" in html
    client.refresh_from_db()
    assert client.phone == before


def test_a_bad_phone_and_email_are_field_errors_and_nothing_is_written(
    agent: User, make_client: Callable[..., Any]
) -> None:
    client = make_client(name="Kept")
    response = _as(agent).post(
        f"/clients/{client.pk}/profile/",
        _profile(client, name="Changed", phone="12", email="not-an-email"),
        headers=HX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not a valid phone number" in html or "is not a phone number" in html
    assert "valid email" in html
    client.refresh_from_db()
    assert client.name == "Kept"


def test_the_profile_form_works_without_htmx(agent: User, make_client: Callable[..., Any]) -> None:
    client = make_client()
    response = _as(agent).post(
        f"/clients/{client.pk}/profile/", _profile(client, email="M@Example.com")
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.email == "m@example.com"
    bad = _as(agent).post(f"/clients/{client.pk}/profile/", _profile(client, phone="x"))
    assert bad.status_code == 422
    assert "<html" in bad.content.decode()


def test_the_profile_of_another_agents_client_is_404(
    agent: User, other_agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    make_lead(client=client, assigned_agent=other_agent)
    response = _as(agent).post(f"/clients/{client.pk}/profile/", _profile(client, name="X"))
    assert response.status_code == 404


def test_the_profile_needs_post(agent: User, make_client: Callable[..., Any]) -> None:
    client = make_client()
    assert _as(agent).get(f"/clients/{client.pk}/profile/").status_code == 405


def test_the_profile_form_needs_the_csrf_token(
    agent: User, make_client: Callable[..., Any]
) -> None:
    client = make_client()
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(agent)
    response = http.post(f"/clients/{client.pk}/profile/", _profile(client, name="X"), headers=HX)
    assert response.status_code == 403


# --- the lead's status ----------------------------------------------------------------------


def test_a_legal_move_answers_the_panel(
    agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, assigned_agent=agent)
    response = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/status/", {"status": "qualified"}, headers=HX
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.status == "qualified"
    html = response.content.decode()
    assert 'id="lead-panel"' in html
    assert 'id="leads-table" hx-swap-oob="true"' in html


def test_an_illegal_move_is_a_422_with_the_rules_message(
    agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, assigned_agent=agent, status="quoted")
    response = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/status/", {"status": "new"}, headers=HX
    )
    assert response.status_code == 422
    assert "cannot move back from quoted to new" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "quoted"


def test_won_is_not_offered_and_refused(
    agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, assigned_agent=agent)
    html = _as(agent).get(f"/clients/{client.pk}/").content.decode()
    panel = html.split('id="lead-panel"')[1].split("</section>")[0]
    assert 'value="won"' not in panel
    response = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/status/", {"status": "won"}, headers=HX
    )
    assert response.status_code == 422


def test_the_status_of_another_agents_lead_is_404(
    agent: User, other_agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, assigned_agent=other_agent)
    response = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/status/", {"status": "contacted"}, headers=HX
    )
    assert response.status_code == 404


def test_a_lead_of_another_client_is_404(
    agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client, other = make_client(), make_client()
    lead = make_lead(client=other, assigned_agent=agent)
    response = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/status/", {"status": "contacted"}, headers=HX
    )
    assert response.status_code == 404


def test_without_htmx_a_move_redirects_to_the_card(
    agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, assigned_agent=agent, status="quoted")
    http = _as(agent)
    response = http.post(f"/clients/{client.pk}/leads/{lead.pk}/status/", {"status": "new"})
    assert response.status_code == 302
    assert "cannot move back" in http.get(response["Location"]).content.decode()


# --- assignment -----------------------------------------------------------------------------


def test_an_agent_takes_an_unassigned_lead(
    agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, auto_assign=False)
    html = _as(agent).get(f"/clients/{client.pk}/").content.decode()
    assert "Take this lead" in html
    response = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/assign/", {"agent": agent.pk}, headers=HX
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.assigned_agent == agent


def test_an_agent_cannot_give_a_lead_to_another_agent(
    agent: User, other_agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, auto_assign=False)
    response = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/assign/", {"agent": other_agent.pk}, headers=HX
    )
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.assigned_agent is None


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_reassign(
    persona: str,
    request: pytest.FixtureRequest,
    agent: User,
    other_agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
) -> None:
    user = request.getfixturevalue(persona)
    client = make_client()
    lead = make_lead(client=client, assigned_agent=agent)
    html = _as(user).get(f"/clients/{client.pk}/").content.decode()
    assert 'name="agent"' in html and "Daniyar Agent" in html
    response = _as(user).post(
        f"/clients/{client.pk}/leads/{lead.pk}/assign/", {"agent": other_agent.pk}, headers=HX
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.assigned_agent == other_agent


def test_an_admin_cannot_be_given_a_lead(
    manager: User, admin_user: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, auto_assign=False)
    response = _as(manager).post(
        f"/clients/{client.pk}/leads/{lead.pk}/assign/", {"agent": admin_user.pk}, headers=HX
    )
    assert response.status_code == 422
    lead.refresh_from_db()
    assert lead.assigned_agent is None


# --- tour interest and new lead -------------------------------------------------------------


def test_the_tour_interest_is_changed(
    agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
    make_tour: Callable[..., Any],
) -> None:
    client = make_client()
    lead = make_lead(client=client, assigned_agent=agent)
    tour = make_tour(name="Kolsai Lakes")
    response = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/tour/", {"tour_interest": tour.pk}, headers=HX
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.tour_interest == tour
    bad = _as(agent).post(
        f"/clients/{client.pk}/leads/{lead.pk}/tour/", {"tour_interest": 999999}, headers=HX
    )
    assert bad.status_code == 422


def test_an_agents_new_lead_is_theirs(agent: User, make_client: Callable[..., Any]) -> None:
    client = make_client()
    response = _as(agent).post(f"/clients/{client.pk}/leads/new/")
    assert response.status_code == 302
    lead = Lead.objects.get(client=client)
    assert (lead.status, lead.source, lead.assigned_agent) == ("new", "manual", agent)


def test_a_new_lead_for_another_agents_client_is_404(
    agent: User, other_agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    make_lead(client=client, assigned_agent=other_agent)
    assert _as(agent).post(f"/clients/{client.pk}/leads/new/").status_code == 404
    assert Lead.objects.filter(client=client).count() == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_the_card_with_an_open_lead_takes_constant_queries(
    rows: int,
    manager: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
    make_history: Callable[..., None],
    django_assert_num_queries: Any,
) -> None:
    client = make_client()
    make_history(client, rows)
    make_lead(client=client, assigned_agent=manager)
    http = _as(manager)
    http.get(f"/clients/{client.pk}/")
    # The card's 12, plus the lead panel's tours and assignable staff.
    with django_assert_num_queries(14):
        assert http.get(f"/clients/{client.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/clients/{c}/", {}),
        ("get", "/clients/{c}/timeline/?before=2026-01-01T00:00:00%2B00:00_1", {}),
        ("post", "/clients/{c}/profile/", {"name": "X", "phone": "+77010000001"}),
        ("post", "/clients/{c}/leads/new/", {}),
        ("post", "/clients/{c}/leads/{l}/status/", {"status": "contacted"}),
        ("post", "/clients/{c}/leads/{l}/assign/", {"agent": ""}),
        ("post", "/clients/{c}/leads/{l}/tour/", {"tour_interest": ""}),
    ],
)
def test_every_page_and_fragment_of_another_agents_client_is_404(
    method: str,
    path: str,
    data: dict[str, str],
    agent: User,
    other_agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
) -> None:
    client = make_client()
    lead = make_lead(client=client, assigned_agent=other_agent)
    url = path.format(c=client.pk, l=lead.pk)
    response = getattr(_as(agent), method)(url, data, headers=HX)
    assert response.status_code == 404
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_agent) == ("new", other_agent)
