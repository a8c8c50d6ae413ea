"""The client card /clients/<id>/: who sees it, what it shows, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.accounts.models import User
from dreamland.leads.services import lead_transition
from dreamland.messaging.models import Communication

pytestmark = pytest.mark.django_db


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_it_needs_login(make_client: Callable[..., Any]) -> None:
    client = make_client()
    response = HttpClient().get(f"/clients/{client.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_agent_sees_the_card_of_their_client(
    agent: User, make_client: Callable[..., Any], make_history: Callable[..., None]
) -> None:
    client = make_client(name="Maria <b>Ivanova</b>", notes="<script>alert(1)</script>")
    make_history(client, 2, agent=agent)
    response = _as(agent).get(f"/clients/{client.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maria &lt;b&gt;Ivanova&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert f'href="/inbox/{client.pk}/"' in html
    assert f'href="/bookings/new/?client={client.pk}"' in html
    assert "message 0" in html and "message 1" in html
    # Two bookings of 100 000 ₸ with 40 000 ₸ paid on each: 80 000 ₸ lifetime value.
    assert "$" not in html.split('data-test="lifetime-value"')[1][:80]
    assert "80,000" in html


def test_another_agents_client_is_404(
    agent: User, other_agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    make_lead(client=client, assigned_agent=other_agent)
    assert _as(agent).get(f"/clients/{client.pk}/").status_code == 404
    assert _as(other_agent).get(f"/clients/{client.pk}/").status_code == 200


def test_a_client_without_leads_is_visible_to_every_agent(
    agent: User, make_client: Callable[..., Any]
) -> None:
    client = make_client()
    response = _as(agent).get(f"/clients/{client.pk}/")
    assert response.status_code == 200
    assert "No open lead" in response.content.decode()
    assert "No bookings yet" in response.content.decode()


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_and_admins_see_every_card(
    persona: str,
    request: pytest.FixtureRequest,
    other_agent: User,
    make_client: Callable[..., Any],
    make_lead: Callable[..., Any],
) -> None:
    user = request.getfixturevalue(persona)
    client = make_client()
    make_lead(client=client, assigned_agent=other_agent)
    response = _as(user).get(f"/clients/{client.pk}/")
    assert response.status_code == 200
    assert "Daniyar Agent" in response.content.decode()


def test_an_unknown_client_is_404(manager: User) -> None:
    assert _as(manager).get("/clients/999999/").status_code == 404


def test_lifetime_value_is_in_the_viewers_preferred_currency(
    manager: User, make_client: Callable[..., Any], make_history: Callable[..., None]
) -> None:
    from datetime import date, timedelta

    from dreamland.money.models import ExchangeRate

    for back in range(0, 10):
        ExchangeRate.objects.create(
            currency="USD", date=date.today() - timedelta(days=back), rate=Decimal("500")
        )
    manager.preferred_currency = "USD"
    manager.save(update_fields=["preferred_currency"])
    client = make_client()
    make_history(client, 2)
    html = _as(manager).get(f"/clients/{client.pk}/").content.decode()
    # 80 000 ₸ at 500 ₸ per dollar.
    assert "$160.00" in html.split('data-test="lifetime-value"')[1][:120]


@pytest.mark.parametrize("rows", [1, 50])
def test_the_card_takes_the_same_queries_for_1_or_50_rows(
    rows: int,
    agent: User,
    make_client: Callable[..., Any],
    make_history: Callable[..., None],
    django_assert_num_queries: Any,
) -> None:
    client = make_client()
    make_history(client, rows, agent=agent)
    http = _as(agent)
    http.get(f"/clients/{client.pk}/")  # warm the session
    with django_assert_num_queries(CARD_QUERIES):
        response = http.get(f"/clients/{client.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('class="tl-item') == min(rows, 30)


# session, user, client, leads, bookings + 2 prefetches, payments, lifetime value, timeline,
# the history of changes, the layout's unread total (no open lead here, so no tours select).
CARD_QUERIES = 12


def test_the_timeline_pages_back_with_older(agent: User, make_client: Callable[..., Any]) -> None:
    client = make_client()
    Communication.objects.bulk_create(
        Communication(
            client=client, communication_type="whatsapp", direction="inbound", body=f"m{i:02d}"
        )
        for i in range(35)
    )
    http = _as(agent)
    html = http.get(f"/clients/{client.pk}/").content.decode()
    assert html.count('class="tl-item') == 30
    older = html.split('data-test="older"')[0].rsplit('hx-get="', 1)[1].split('"')[0]
    fragment = http.get(older.replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.content.decode().count('class="tl-item') == 5
    assert 'data-test="older"' not in fragment.content.decode()


def test_the_timeline_fragment_refuses_a_bad_cursor(
    agent: User, make_client: Callable[..., Any]
) -> None:
    client = make_client()
    assert _as(agent).get(f"/clients/{client.pk}/timeline/?before=x").status_code == 400


def test_the_timeline_shows_media_as_a_label_and_escapes_the_body(
    agent: User, make_client: Callable[..., Any]
) -> None:
    client = make_client()
    Communication.objects.create(
        client=client,
        communication_type="whatsapp",
        direction="inbound",
        message_type="image",
        media_id="123",
        media_type="image/jpeg",
        body='<img src=x onerror="alert(1)">',
    )
    html = _as(agent).get(f"/clients/{client.pk}/").content.decode()
    assert "Attachment: image/jpeg" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_the_card_speaks_the_viewers_language_with_local_money_and_dates(
    agent: User, make_client: Callable[..., Any], make_history: Callable[..., None]
) -> None:
    agent.preferred_language = "ru"
    agent.save(update_fields=["preferred_language"])
    client = make_client()
    make_history(client, 1, agent=agent)
    html = _as(agent).get(f"/clients/{client.pk}/").content.decode()
    assert "Текущий лид" in html and "История общения" in html
    assert "40\u00a0000\u00a0₸" in html or "40 000 ₸" in html
    months = [
        "янв.",
        "февр.",
        "мар.",
        "апр.",
        "мая",
        "июн.",
        "июл.",
        "авг.",
        "сент.",
        "окт.",
        "нояб.",
        "дек.",
    ]
    assert any(f" {m}" in html for m in months)


def test_the_card_shows_the_history_of_changes(
    agent: User, make_client: Callable[..., Any], make_lead: Callable[..., Any]
) -> None:
    client = make_client()
    lead = make_lead(client=client, assigned_agent=agent)
    lead_transition(lead=lead, status="contacted", actor=agent)
    html = _as(agent).get(f"/clients/{client.pk}/").content.decode()
    trail = html.split("data-audit-trail")[1]
    assert "Contacted" in trail and agent.name in trail
