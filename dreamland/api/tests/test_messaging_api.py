from __future__ import annotations

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


def test_a_message_needs_body_or_template(agent, make_client, api_as):
    client = make_client()
    api = api_as(agent)
    assert api.post(f"/clients/{client.pk}/messages", {}).status_code == 422
    assert (
        api.post(f"/clients/{client.pk}/messages", {"body": "a", "template_id": 1}).status_code
        == 422
    )
    assert api.post(f"/clients/{client.pk}/messages", {"template_id": 12345}).status_code in (
        422,
        503,
    )


def test_templates_are_read_by_everyone_and_written_by_admins_only(agent, api_as):
    template = WhatsAppTemplate.objects.create(
        name="booking_confirmed", content="Hi {{1}}", variables='["name"]'
    )
    api = api_as(agent)
    assert api.get("/whatsapp-templates").json()["items"][0]["id"] == template.pk
    assert api.get(f"/whatsapp-templates/{template.pk}").json()["variables"] == '["name"]'
    assert api.post("/whatsapp-templates", {"name": "x", "content": "y"}).status_code == 403
    assert api.delete(f"/whatsapp-templates/{template.pk}").status_code == 403
