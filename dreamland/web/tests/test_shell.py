"""The base layout: navigation by role, the user's name and unread total, the language switch,
security headers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client as HttpClient

from dreamland.accounts.models import User
from dreamland.api.access import visible_leads
from dreamland.leads.models import Lead
from dreamland.web.context_processors import unread_total

pytestmark = pytest.mark.django_db


def _page(client: HttpClient, user: User) -> Any:
    client.force_login(user)
    # The 404 page is rendered in the base layout: a page every role may open.
    return client.get("/no-such-page/")


def test_the_layout_shows_the_users_name_and_the_navigation_by_role(
    client: HttpClient, agent: User, manager: User
) -> None:
    html = _page(client, agent).content.decode()
    assert agent.name in html
    for path in ("/inbox/", "/pipeline/", "/clients/", "/tours/", "/bookings/", "/reports/"):
        assert f'href="{path}"' in html
    assert 'href="/settings/"' not in html
    assert 'href="/settings/"' in _page(client, manager).content.decode()


def test_the_unread_total_counts_the_agents_and_the_unassigned_leads(
    client: HttpClient, agent: User, other_agent: User, make_client: Any
) -> None:
    Lead.objects.create(client=make_client(), assigned_agent=agent, unread_messages_count=3)
    Lead.objects.create(client=make_client(), assigned_agent=None, unread_messages_count=2)
    Lead.objects.create(client=make_client(), assigned_agent=other_agent, unread_messages_count=7)
    html = _page(client, agent).content.decode()
    assert "<title>(5) " in html
    assert "data-unread-total>5<" in html


def test_the_unread_total_sums_the_leads_each_role_may_see(
    agent: User, other_agent: User, manager: User, make_client: Any
) -> None:
    for owner, unread in ((agent, 3), (None, 2), (other_agent, 7), (agent, 0), (None, 0)):
        Lead.objects.create(
            client=make_client(), assigned_agent=owner, unread_messages_count=unread
        )
    for user in (agent, other_agent, manager):
        seen = visible_leads(user).aggregate(total=Sum("unread_messages_count"))["total"]
        assert unread_total(user) == seen
    assert (unread_total(agent), unread_total(other_agent), unread_total(manager)) == (5, 9, 12)


def test_the_unread_total_is_zero_without_unread_leads(agent: User, manager: User) -> None:
    assert unread_total(agent) == 0 and unread_total(manager) == 0


def test_html_lang_follows_the_users_language_and_the_switch_saves_it(
    client: HttpClient, agent: User
) -> None:
    agent.preferred_language = "ru"
    agent.save()
    assert '<html lang="ru">' in _page(client, agent).content.decode()
    response = client.post("/account/language/", {"language": "en", "next": "/clients/"})
    assert response.status_code == 302 and response["Location"] == "/clients/"
    agent.refresh_from_db()
    assert agent.preferred_language == "en"
    assert '<html lang="en">' in _page(client, agent).content.decode()


def test_a_bad_language_changes_nothing(client: HttpClient, agent: User) -> None:
    client.force_login(agent)
    assert client.post("/account/language/", {"language": "xx"}).status_code == 400
    agent.refresh_from_db()
    assert agent.preferred_language == "en"


def test_pages_carry_a_csp_without_inline_scripts(client: HttpClient, agent: User) -> None:
    response = _page(client, agent)
    policy = response.headers["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert "<script>" not in html and " onclick=" not in html


def test_the_session_cookie_is_httponly_and_lax(client: HttpClient, agent: User) -> None:
    from conftest import PASSWORD

    response = client.post("/login/", {"email": agent.email, "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_static_libraries_come_from_the_app(client: HttpClient) -> None:
    html = client.get("/login/").content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "://" not in html.split("<body")[0].replace("http-equiv", "")
