"""Outsiders type `/clients/` as often as `/clients`: both answer the same, never an HTML 404."""

from __future__ import annotations

import json

from django.test import Client as HttpClient

from conftest import PASSWORD
from dreamland.accounts.models import User
from dreamland.api.services import api_token_create
from dreamland.clients.models import Client


def _bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user)[1]}"}


def test_a_token_is_issued_with_a_trailing_slash_too(manager):
    r = HttpClient().post(
        "/api/v1/auth/token/",
        json.dumps({"email": manager.email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["token"]


def test_lists_and_items_answer_with_a_trailing_slash(manager, make_client):
    client = make_client()
    http, headers = HttpClient(), _bearer(manager)
    assert http.get("/api/v1/clients/", headers=headers).json()["count"] == 1
    assert http.get(f"/api/v1/clients/{client.pk}/", headers=headers).json()["id"] == client.pk


def test_a_post_with_a_trailing_slash_keeps_its_body(manager):
    r = HttpClient().post(
        "/api/v1/clients/",
        json.dumps({"name": "Slash", "phone": "+77015550101"}),
        content_type="application/json",
        headers=_bearer(manager),
    )
    assert r.status_code == 201
    assert Client.objects.filter(phone="+77015550101").exists()


def test_an_unknown_api_path_is_a_json_404(manager):
    http = HttpClient()
    for path in ("/api/v1/nonexistent", "/api/v1/nonexistent/", "/api/v1/clients/x/y/"):
        r = http.get(path, headers=_bearer(manager))
        assert r.status_code == 404, path
        assert r["Content-Type"].startswith("application/json"), path
        assert r.json()["detail"]


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(manager):
    r = HttpClient().put("/api/v1/tours", "{}", headers=_bearer(manager))
    assert r.status_code == 405
    assert r["Content-Type"].startswith("application/json")
    assert "GET" in r["Allow"] and "GET" in r.json()["detail"]


def test_the_api_root_is_a_json_404(manager):
    r = HttpClient().get("/api/v1/", headers=_bearer(manager))
    assert r.status_code == 404 and r.json()["detail"]
