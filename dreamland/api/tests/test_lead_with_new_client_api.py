"""POST /leads by phone: a website form makes the client and the lead in one call."""

from __future__ import annotations

from dreamland.clients.models import Client
from dreamland.leads.models import Lead


def test_a_lead_for_a_new_phone_creates_the_client(agent, api_as):
    r = api_as(agent).post(
        "/leads",
        {"phone": "8 (701) 555-00-11", "name": "Web Visitor", "source": "website"},
    )
    assert r.status_code == 201, r.content
    client = Client.objects.get(phone="+77015550011")
    assert client.name == "Web Visitor"
    assert r.json()["client_id"] == client.pk and r.json()["source"] == "website"


def test_a_lead_for_a_known_phone_in_another_spelling_reuses_the_client(
    manager, make_client, api_as
):
    client = make_client(phone="+77015550012", name="Known")
    r = api_as(manager).post("/leads", {"phone": "+7 701 555 0012", "name": "Other name"})
    assert r.status_code == 201
    assert r.json()["client_id"] == client.pk
    assert Client.objects.count() == 1
    client.refresh_from_db()
    assert client.name == "Known"


def test_a_lead_needs_exactly_one_of_client_id_and_phone(manager, make_client, api_as):
    api = api_as(manager)
    client = make_client()
    assert api.post("/leads", {}).status_code == 422
    both = {"client_id": client.pk, "phone": "+77015550013"}
    assert api.post("/leads", both).status_code == 422
    assert api.post("/leads", {"name": "No phone"}).status_code == 422
    r = api.post("/leads", {"phone": "garbage", "name": "X"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "phone"
    assert not Lead.objects.exists()
    assert Client.objects.count() == 1


def test_a_new_clients_malformed_email_is_a_field_error_and_stores_nothing(manager, api_as):
    r = api_as(manager).post(
        "/leads", {"phone": "+77015550014", "name": "Web Visitor", "email": "not an email"}
    )
    assert r.status_code == 422, r.content
    assert r.json()["detail"][0]["loc"][-1] == "email"
    assert not Client.objects.exists()
    assert not Lead.objects.exists()
