"""Logging in to the workplace: email and password, the lockout, logout by POST, `/`."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from conftest import PASSWORD
from dreamland.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_login_page_has_an_email_and_a_password_input(client: HttpClient) -> None:
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="email"' in html and 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_an_agent_logs_in_by_email_and_lands_in_the_inbox(client: HttpClient, agent: User) -> None:
    response = client.post("/login/", {"email": agent.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_a_wrong_password_is_refused_in_the_users_language(client: HttpClient, agent: User) -> None:
    response = client.post(
        "/login/", {"email": agent.email, "password": "nope"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    assert "Неверный email или пароль" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_empty_form_gets_per_field_errors(client: HttpClient) -> None:
    response = client.post("/login/", {"email": "not an email"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address." in html
    assert "This field is required." in html


def test_the_lockout_that_guards_the_api_guards_the_login_page(
    client: HttpClient, agent: User, settings: object
) -> None:
    for _ in range(5):
        client.post("/login/", {"email": agent.email, "password": "wrong"})
    response = client.post(
        "/login/", {"email": agent.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_within_the_site(client: HttpClient, agent: User) -> None:
    inside = client.post(
        "/login/", {"email": agent.email, "password": PASSWORD, "next": "/clients/"}
    )
    assert inside["Location"] == "/clients/"
    client.logout()
    outside = client.post(
        "/login/", {"email": agent.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert outside["Location"] == "/inbox/"


def test_logout_is_a_post(client: HttpClient, agent: User) -> None:
    client.force_login(agent)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_front_door_goes_to_the_inbox_or_to_login(client: HttpClient, agent: User) -> None:
    assert client.get("/")["Location"].startswith("/login/?next=/")
    client.force_login(agent)
    assert client.get("/")["Location"] == "/inbox/"
