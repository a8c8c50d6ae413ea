from __future__ import annotations

import pytest

from conftest import PASSWORD
from dreamland.api.models import ApiToken
from dreamland.api.services import token_hash


def test_it_issues_a_token_for_email_and_password(agent, api_as):
    anon = api_as(None)
    r = anon.post("/auth/token", {"email": agent.email.upper(), "password": PASSWORD})
    assert r.status_code == 200
    raw = r.json()["token"]
    stored = ApiToken.objects.get(user=agent)
    assert stored.token_hash == token_hash(raw) and raw not in stored.token_hash
    assert raw.startswith(stored.prefix)
    anon.headers = {"Authorization": f"Bearer {raw}"}
    assert anon.get("/leads").status_code == 200
    assert ApiToken.objects.get(pk=stored.pk).last_used_at is not None


def test_wrong_credentials_get_401(agent, api_as):
    r = api_as(None).post("/auth/token", {"email": agent.email, "password": "nope"})
    assert r.status_code == 401
    assert api_as(None).post("/auth/token", {"email": "x@y.z", "password": "p"}).status_code == 401


def test_a_locked_account_gets_429_even_with_the_right_password(agent, api_as, settings):
    anon = api_as(None)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        anon.post("/auth/token", {"email": agent.email, "password": "wrong"})
    r = anon.post("/auth/token", {"email": agent.email, "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["code"] == "account_locked"


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Token abc", "Bearer "])
def test_requests_without_a_valid_token_get_401(db, api_as, header):
    api = api_as(None)
    if header:
        api.headers = {"Authorization": header}
    assert api.get("/clients").status_code == 401


def test_a_revoked_token_stops_working(agent, api_as):
    api = api_as(agent)
    token = ApiToken.objects.get(user=agent)
    assert api.delete(f"/auth/tokens/{token.pk}").status_code == 204
    assert api.get("/clients").status_code == 401


def test_a_deactivated_users_tokens_stop_working(agent, api_as):
    api = api_as(agent)
    agent.is_active = False
    agent.save()
    assert api.get("/clients").status_code == 401


def test_users_list_their_own_tokens_and_cannot_revoke_others(agent, other_agent, api_as):
    api = api_as(agent)
    api_as(other_agent)
    body = api.get("/auth/tokens").json()
    assert body["count"] == 1 and body["items"][0]["user_id"] == agent.pk
    theirs = ApiToken.objects.get(user=other_agent)
    assert api.delete(f"/auth/tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_admins_revoke_anyones_token(agent, admin_user, api_as):
    api_as(agent)
    token = ApiToken.objects.get(user=agent)
    assert api_as(admin_user).delete(f"/auth/tokens/{token.pk}").status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
