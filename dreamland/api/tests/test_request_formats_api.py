"""Headers and bodies as real integrations send them: sloppy spacing, form posts, empty bodies."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.test import Client as HttpClient

from conftest import PASSWORD
from dreamland.api.services import api_token_create
from dreamland.bookings.models import Booking
from dreamland.leads.models import Lead


def test_bearer_is_accepted_in_any_case_and_with_extra_spaces(manager):
    raw = api_token_create(user=manager)[1]
    http = HttpClient()
    for header in (f"Bearer {raw}", f"bearer {raw}", f"BEARER {raw}", f"Bearer   {raw}  "):
        r = http.get("/api/v1/clients", headers={"Authorization": header})
        assert r.status_code == 200, header


def test_other_schemes_and_bad_tokens_are_401_with_a_challenge(manager):
    raw = api_token_create(user=manager)[1]
    http = HttpClient()
    for header in (f"Token {raw}", "Bearer", "Bearer nope", raw, ""):
        r = http.get("/api/v1/clients", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r["WWW-Authenticate"].startswith("Bearer"), header


def test_a_form_encoded_token_request_works(manager):
    r = HttpClient().post(
        "/api/v1/auth/token",
        urlencode({"email": manager.email, "password": PASSWORD}),
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200 and r.json()["token"]


def test_json_sent_as_text_plain_or_without_content_type_is_read(manager):
    body = json.dumps({"email": manager.email, "password": PASSWORD})
    for content_type in ("text/plain", ""):
        r = HttpClient().generic("POST", "/api/v1/auth/token", body, content_type=content_type)
        assert r.status_code == 200, content_type


def test_an_empty_or_broken_body_is_a_clear_4xx(manager):
    headers = {"Authorization": f"Bearer {api_token_create(user=manager)[1]}"}
    http = HttpClient()
    for raw in ("", "nonsense", "[]", "null", "{"):
        r = http.post("/api/v1/clients", raw, content_type="application/json", headers=headers)
        assert r.status_code in (400, 422), raw
        assert r.json()["detail"], raw


def test_a_string_or_boolean_participant_count_is_422(manager, make_client, make_departure):
    client, departure = make_client(), make_departure(capacity=10)
    lead = Lead.objects.create(client=client)
    headers = {"Authorization": f"Bearer {api_token_create(user=manager)[1]}"}
    http = HttpClient()
    for n in ("2", "abc", True, 1.5, None, 0, -1, 10**9):
        body = {"tour_departure_id": departure.pk, "num_participants": n}
        r = http.post(
            f"/api/v1/leads/{lead.pk}/convert",
            json.dumps(body),
            content_type="application/json",
            headers=headers,
        )
        assert r.status_code == 422, n
        r = http.post(
            "/api/v1/bookings",
            json.dumps({**body, "client_id": client.pk}),
            content_type="application/json",
            headers=headers,
        )
        assert r.status_code == 422, n
    assert not Booking.objects.exists()


def test_a_wrong_password_says_so_rather_than_asking_for_a_token(manager):
    r = HttpClient().post(
        "/api/v1/auth/token",
        json.dumps({"email": manager.email, "password": "wrong"}),
        content_type="application/json",
    )
    assert r.status_code == 401
    assert r.json()["detail"] == "Wrong email or password."


def test_a_form_encoded_patch_is_applied(manager, make_client):
    client = make_client(name="Old")
    r = HttpClient().patch(
        f"/api/v1/clients/{client.pk}",
        urlencode({"name": "New name"}),
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {api_token_create(user=manager)[1]}"},
    )
    assert r.status_code == 200 and r.json()["name"] == "New name"


def test_a_too_large_body_is_a_json_413(settings, manager):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "x" * 2000, "phone": "+77015550031"})
    r = HttpClient().post(
        "/api/v1/clients",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token_create(user=manager)[1]}"},
    )
    assert r.status_code == 413
    assert r.json()["code"] == "body_too_large"


def test_a_multipart_form_post_is_read(manager):
    r = HttpClient().post(
        "/api/v1/clients",
        {"name": "Multipart", "phone": "+77015550032"},
        headers={"Authorization": f"Bearer {api_token_create(user=manager)[1]}"},
    )
    assert r.status_code == 201, r.content
