from __future__ import annotations

import pytest

from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication, WhatsAppTemplate


def test_communications_are_listed_by_client_lead_and_type(agent, other_agent, make_client, api_as):
    mine, theirs = make_client(), make_client()
    lead = Lead.objects.create(client=mine, assigned_agent=agent)
    Lead.objects.create(client=theirs, assigned_agent=other_agent)
    shown = Communication.objects.create(
        client=mine, lead=lead, communication_type="whatsapp", direction="inbound", body="Salem"
    )
    hidden = Communication.objects.create(
        client=theirs, communication_type="whatsapp", direction="inbound"
    )
    api = api_as(agent)
    assert [c["id"] for c in api.get("/communications").json()["items"]] == [shown.pk]
    assert (
        api.get(f"/communications?lead_id={lead.pk}&communication_type=whatsapp").json()["count"]
        == 1
    )
    assert (
        api.get(f"/communications?client_id={mine.pk}&communication_type=email").json()["count"]
        == 0
    )
    assert api.get(f"/communications/{hidden.pk}").status_code == 404
    assert api.post("/communications", {"body": "x"}).status_code == 405


def test_opening_a_conversation_resets_the_assigned_agents_unread_only(
    agent, other_agent, manager, make_client, api_as
):
    client = make_client()
    mine = Lead.objects.create(client=client, assigned_agent=agent, unread_messages_count=3)
    theirs = Lead.objects.create(
        client=make_client(), assigned_agent=other_agent, unread_messages_count=2
    )
    api_as(manager).get(f"/communications?client_id={client.pk}")  # a manager looking on
    api_as(agent).get(f"/communications?lead_id={theirs.pk}")  # not the agent's conversation
    api_as(agent).get("/communications")  # the whole list is no conversation
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.unread_messages_count, theirs.unread_messages_count) == (3, 2)
    assert api_as(agent).get(f"/communications?client_id={client.pk}").status_code == 200
    assert api_as(agent).get(f"/leads/{mine.pk}").json()["unread_messages_count"] == 0
    api_as(other_agent).get(f"/communications?lead_id={theirs.pk}")
    theirs.refresh_from_db()
    assert theirs.unread_messages_count == 0


@pytest.fixture
def whatsapp(settings):
    settings.WHATSAPP_ACCESS_TOKEN = "test-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.WHATSAPP_API_BASE = "https://graph.test/v23.0"


def test_a_message_needs_body_or_template(agent, make_client, api_as, whatsapp):
    client = make_client()
    api = api_as(agent)
    assert api.post(f"/clients/{client.pk}/messages", {}).status_code == 422
    both = {"body": "a", "template_id": 1}
    assert api.post(f"/clients/{client.pk}/messages", both).status_code == 422
    assert api.post(f"/clients/{client.pk}/messages", {"template_id": 12345}).status_code == 422


def test_a_text_inside_the_window_is_queued_as_an_outbound_communication(
    agent, make_client, api_as, whatsapp, django_capture_on_commit_callbacks
):
    client = make_client()
    Communication.objects.create(
        client=client, communication_type="whatsapp", direction="inbound", body="Hi"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = api_as(agent).post(f"/clients/{client.pk}/messages", {"body": "Salem! Seats are free."})
    assert r.status_code == 202
    body = r.json()
    assert body["direction"] == "outbound" and body["whatsapp_status"] == "pending"
    assert body["sent_by_id"] == agent.pk and body["client_id"] == client.pk
    assert len(callbacks) == 1  # the background send


def test_a_text_outside_the_window_is_422_window_closed(agent, make_client, api_as, whatsapp):
    client = make_client()
    r = api_as(agent).post(f"/clients/{client.pk}/messages", {"body": "Hello"})
    assert r.status_code == 422 and r.json()["code"] == "window_closed"
    assert not Communication.objects.exists()


def test_a_template_is_queued_at_any_time(agent, make_client, api_as, whatsapp):
    client = make_client()
    template = WhatsAppTemplate.objects.create(
        name="booking_confirmed", content="Hi {{1}}", variables='["name"]', language="ru"
    )
    r = api_as(agent).post(
        f"/clients/{client.pk}/messages",
        {"template_id": template.pk, "variables": {"name": "Maria"}},
    )
    assert r.status_code == 202 and r.json()["body"] == "Hi Maria"
    assert r.json()["template_id"] == template.pk


def test_without_whatsapp_configured_a_send_is_503(agent, make_client, api_as, settings):
    settings.WHATSAPP_ACCESS_TOKEN = ""
    r = api_as(agent).post(f"/clients/{make_client().pk}/messages", {"body": "Hello"})
    assert r.status_code == 503


def test_an_agent_cannot_message_another_agents_client(
    agent, other_agent, make_client, api_as, whatsapp
):
    client = make_client()
    Lead.objects.create(client=client, assigned_agent=other_agent)
    assert api_as(agent).post(f"/clients/{client.pk}/messages", {"body": "Hi"}).status_code == 404


def test_admins_create_update_and_delete_templates(admin_user, api_as):
    api = api_as(admin_user)
    r = api.post(
        "/whatsapp-templates",
        {
            "name": "reminder",
            "content": "Hi {{1}}, trip on {{2}}",
            "variables": ["name", "date"],
            "category": "UTILITY",
        },
    )
    assert r.status_code == 201 and r.json()["variables"] == '["name", "date"]'
    template_id = r.json()["id"]
    broken = {"name": "broken", "content": "Hi {{1}} {{2}}", "variables": ["a"]}
    assert api.post("/whatsapp-templates", broken).status_code == 422
    assert (
        api.patch(f"/whatsapp-templates/{template_id}", {"active": False}).json()["active"] is False
    )
    assert api.delete(f"/whatsapp-templates/{template_id}").status_code == 204
    assert not WhatsAppTemplate.objects.exists()


def test_templates_are_read_by_everyone_and_written_by_admins_only(agent, api_as):
    template = WhatsAppTemplate.objects.create(
        name="booking_confirmed", content="Hi {{1}}", variables='["name"]'
    )
    api = api_as(agent)
    assert api.get("/whatsapp-templates").json()["items"][0]["id"] == template.pk
    assert api.get(f"/whatsapp-templates/{template.pk}").json()["variables"] == '["name"]'
    assert api.post("/whatsapp-templates", {"name": "x", "content": "y"}).status_code == 403
    assert api.delete(f"/whatsapp-templates/{template.pk}").status_code == 403
