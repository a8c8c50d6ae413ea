"""Inbound messages of every type become a client, an open lead and a communication."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from dreamland.clients.models import Client
from dreamland.leads.models import Lead, LeadSource, LeadStatus
from dreamland.messaging.models import Communication, Direction, WhatsAppStatus
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import (
    fixture,
    fixture_bytes,
    message_body,
    post_json,
    post_raw,
)

pytestmark = pytest.mark.django_db


def meta(comm: Communication) -> dict[str, Any]:
    assert isinstance(comm.metadata, dict)
    return comm.metadata


def test_a_kazakh_text_creates_client_lead_and_communication(client: HttpClient) -> None:
    response = post_raw(client, fixture_bytes("kz_text_message.json"))
    assert response.status_code == 200
    customer = Client.objects.get()
    assert customer.phone == "+77011234567"
    assert customer.name == "Айгерим Сапарова"
    lead = Lead.objects.get()
    assert (lead.client, lead.source, lead.status) == (
        customer,
        LeadSource.WHATSAPP,
        LeadStatus.NEW,
    )
    assert lead.unread_messages_count == 1
    comm = Communication.objects.get()
    assert comm.client == customer and comm.lead == lead
    assert comm.communication_type == "whatsapp"
    assert comm.direction == Direction.INBOUND
    assert comm.whatsapp_status == WhatsAppStatus.RECEIVED
    assert comm.body == "Здравствуйте! Есть туры в Анталью на 10 июля?"
    assert comm.message_type == "text"
    assert (
        comm.whatsapp_message_id == "wamid.HBgLNzcwMTEyMzQ1NjcVAgASGBQzQUIxMjM0NTY3ODlBQkNERUYwMTIA"
    )
    expected = datetime.fromtimestamp(1718000000, tz=UTC)
    assert comm.created_at == expected
    assert lead.last_message_at == expected
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSED


def test_a_returning_client_keeps_the_name_and_gets_the_message_on_the_open_lead(
    client: HttpClient, make_client: Any
) -> None:
    known = make_client(name="Aigerim (VIP)", phone="+77011234567")
    lead = Lead.objects.create(client=known, status=LeadStatus.QUOTED, unread_messages_count=2)
    post_raw(client, fixture_bytes("kz_text_message.json"))
    known.refresh_from_db()
    lead.refresh_from_db()
    assert known.name == "Aigerim (VIP)"
    assert Lead.objects.count() == 1
    assert lead.unread_messages_count == 3
    assert Communication.objects.get().lead == lead


def test_a_client_whose_leads_are_closed_gets_a_new_lead(
    client: HttpClient, make_client: Any
) -> None:
    known = make_client(phone="+77011234567")
    Lead.objects.create(client=known, status=LeadStatus.WON)
    post_raw(client, fixture_bytes("kz_text_message.json"))
    new = Lead.objects.get(status=LeadStatus.NEW)
    assert new.client == known and new.source == LeadSource.WHATSAPP
    assert Communication.objects.get().lead == new


def test_a_duplicate_delivery_is_stored_once_and_counted_once(client: HttpClient) -> None:
    raw = fixture_bytes("kz_text_message.json")
    assert post_raw(client, raw).status_code == 200
    assert post_raw(client, raw).status_code == 200
    assert Communication.objects.count() == 1
    assert Lead.objects.get().unread_messages_count == 1
    assert WebhookEvent.objects.count() == 2


def test_several_entries_changes_and_messages_in_one_body_are_all_stored(
    client: HttpClient,
) -> None:
    first = message_body({"id": "wamid.A1", "type": "text", "text": {"body": "one"}})
    second = message_body(
        {"id": "wamid.B1", "type": "text", "text": {"body": "two"}},
        wa_id="77029876543",
        name="Daniyar",
    )
    value = first["entry"][0]["changes"][0]["value"]
    value["messages"].append(
        {
            "id": "wamid.A2",
            "from": "77011234567",
            "timestamp": "1718000050",
            "type": "text",
            "text": {"body": "three"},
        }
    )
    first["entry"][0]["changes"].append(second["entry"][0]["changes"][0])
    first["entry"].append(
        message_body(
            {"id": "wamid.C1", "type": "text", "text": {"body": "four"}},
            wa_id="77051112233",
            name="Madina",
        )["entry"][0]
    )
    assert post_json(client, first).status_code == 200
    assert set(Communication.objects.values_list("body", flat=True)) == {
        "one",
        "two",
        "three",
        "four",
    }
    assert Client.objects.count() == 3
    aigerim = Lead.objects.get(client__phone="+77011234567")
    assert aigerim.unread_messages_count == 2
    assert aigerim.last_message_at == datetime.fromtimestamp(1718000050, tz=UTC)


@pytest.mark.parametrize(
    ("name", "message_type", "body", "media_type"),
    [
        ("text_message.json", "text", None, None),
        ("image_message.json", "image", "[Image]", "image/jpeg"),
        ("audio_message.json", "audio", "[Audio]", "audio/ogg; codecs=opus"),
        ("document_message.json", "document", "caption", "application/pdf"),
        ("button_reply.json", "interactive", "title", None),
    ],
)
def test_the_recorded_samples_are_stored(
    client: HttpClient, name: str, message_type: str, body: str | None, media_type: str | None
) -> None:
    assert post_raw(client, fixture_bytes(name)).status_code == 200
    comm = Communication.objects.get()
    assert comm.message_type == message_type
    assert comm.client.phone == "+972987654321"
    if body is not None:
        assert comm.body == body
    assert comm.media_type == media_type
    payload = fixture(name)
    assert (
        comm.whatsapp_message_id == payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    )


def test_media_keeps_its_id_and_checksum_until_downloaded(client: HttpClient) -> None:
    post_raw(client, fixture_bytes("document_message.json"))
    comm = Communication.objects.get()
    assert comm.media_id == "1234567890987654321"
    assert comm.media_url is None
    assert meta(comm)["filename"] == "filename.pdf"
    assert meta(comm)["sha256"].startswith("grwfwe")
    assert meta(comm)["context"] == {"forwarded": True}


def test_the_bsuid_is_stored_on_the_client(client: HttpClient) -> None:
    post_raw(client, fixture_bytes("image_message.json"))
    assert Client.objects.get().whatsapp_user_id == "US.13491208655302741918"


def _one(client: HttpClient, message: dict[str, Any], **kwargs: Any) -> Communication:
    assert post_json(client, message_body(message, **kwargs)).status_code == 200
    return Communication.objects.get(whatsapp_message_id=message["id"])


def test_video_with_a_caption(client: HttpClient) -> None:
    comm = _one(
        client,
        {
            "id": "wamid.v",
            "type": "video",
            "context": {"forwarded": True},
            "video": {"caption": "Kolsai", "mime_type": "video/mp4", "sha256": "x", "id": "777"},
        },
    )
    assert (comm.body, comm.media_id, comm.media_type) == ("Kolsai", "777", "video/mp4")


def test_a_voice_note(client: HttpClient) -> None:
    comm = _one(
        client,
        {
            "id": "wamid.voice",
            "type": "audio",
            "audio": {
                "mime_type": "audio/ogg; codecs=opus",
                "sha256": "x",
                "id": "55",
                "voice": True,
            },
        },
    )
    assert comm.body == "[Voice message]"
    assert meta(comm)["voice"] is True


def test_a_sticker(client: HttpClient) -> None:
    comm = _one(
        client,
        {
            "id": "wamid.st",
            "type": "sticker",
            "sticker": {"mime_type": "image/webp", "sha256": "x", "id": "66", "animated": False},
        },
    )
    assert (comm.body, comm.media_type, comm.media_id) == ("[Sticker]", "image/webp", "66")


def test_an_image_with_url(client: HttpClient) -> None:
    comm = _one(
        client,
        {
            "id": "wamid.iu",
            "type": "image",
            "image": {
                "mime_type": "image/jpeg",
                "sha256": "x",
                "id": "67",
                "url": "https://lookaside.fbsbx.com/x",
            },
        },
    )
    assert meta(comm)["url"] == "https://lookaside.fbsbx.com/x"


def test_a_location_with_name_and_address(client: HttpClient) -> None:
    location = {
        "latitude": 43.238949,
        "longitude": 76.889709,
        "name": "Dreamland office",
        "address": "Almaty, Abay 10",
        "url": "https://dreamland.kz",
    }
    comm = _one(client, {"id": "wamid.loc", "type": "location", "location": location})
    assert meta(comm)["location"] == location
    assert "Dreamland office" in (comm.body or "") and "43.238949" in (comm.body or "")


def test_a_current_location(client: HttpClient) -> None:
    comm = _one(
        client,
        {"id": "wamid.loc2", "type": "location", "location": {"latitude": 43.2, "longitude": 76.8}},
    )
    assert comm.body == "[Location] (43.2, 76.8)"


def test_shared_contacts(client: HttpClient) -> None:
    contacts = [
        {
            "name": {"formatted_name": "Arman Tour", "first_name": "Arman"},
            "phones": [{"phone": "+7 701 555 0000", "type": "CELL", "wa_id": "77015550000"}],
        }
    ]
    comm = _one(client, {"id": "wamid.c", "type": "contacts", "contacts": contacts})
    assert meta(comm)["contacts"] == contacts
    assert "Arman Tour" in (comm.body or "") and "+7 701 555 0000" in (comm.body or "")
    # The shared contact is not the sender: the message is the sender's.
    assert comm.client.phone == "+77011234567"


def test_a_list_reply(client: HttpClient) -> None:
    comm = _one(
        client,
        {
            "id": "wamid.l",
            "type": "interactive",
            "context": {"from": "77273334455", "id": "wamid.menu"},
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": "tour_7", "title": "Charyn", "description": "1 day"},
            },
        },
    )
    assert comm.body == "Charyn"
    assert meta(comm)["interactive"] == {
        "type": "list_reply",
        "id": "tour_7",
        "title": "Charyn",
        "description": "1 day",
    }
    assert comm.reply_to_message_id == "wamid.menu"


def test_a_button_reply_keeps_id_and_title(client: HttpClient) -> None:
    post_raw(client, fixture_bytes("button_reply.json"))
    comm = Communication.objects.get()
    assert meta(comm)["interactive"] == {
        "type": "button_reply",
        "id": "callback_data",
        "title": "title",
    }
    assert comm.reply_to_message_id == "wamid.xyzxyz"


def test_a_template_quick_reply_button(client: HttpClient) -> None:
    comm = _one(
        client,
        {
            "id": "wamid.b",
            "type": "button",
            "context": {"from": "77273334455", "id": "wamid.tpl"},
            "button": {"payload": "CONFIRM_BOOKING_4711", "text": "Подтверждаю"},
        },
    )
    assert comm.body == "Подтверждаю"
    assert meta(comm)["button"] == {"payload": "CONFIRM_BOOKING_4711", "text": "Подтверждаю"}
    assert comm.reply_to_message_id == "wamid.tpl"


def test_a_reaction_and_its_removal(client: HttpClient) -> None:
    added = _one(
        client,
        {
            "id": "wamid.r1",
            "type": "reaction",
            "reaction": {"message_id": "wamid.ours", "emoji": "👍"},
        },
    )
    removed = _one(
        client,
        {
            "id": "wamid.r2",
            "type": "reaction",
            "reaction": {"message_id": "wamid.ours", "emoji": ""},
        },
    )
    assert meta(added)["reaction"] == {"message_id": "wamid.ours", "emoji": "👍"}
    assert added.reply_to_message_id == "wamid.ours"
    assert removed.body == "[Reaction removed]"
    assert meta(removed)["reaction"]["emoji"] == ""


def test_a_reply_with_context(client: HttpClient) -> None:
    comm = _one(
        client,
        {
            "id": "wamid.rep",
            "type": "text",
            "text": {"body": "Да"},
            "context": {"from": "77273334455", "id": "wamid.quoted"},
        },
    )
    assert comm.reply_to_message_id == "wamid.quoted"
    assert comm.body == "Да"


def test_an_ad_referral(client: HttpClient) -> None:
    referral = {
        "source_url": "https://fb.me/ad",
        "source_id": "120",
        "source_type": "ad",
        "headline": "Altai",
        "body": "Tour",
        "media_type": "image",
        "image_url": "https://x",
        "ctwa_clid": "ARAkxyz",
    }
    comm = _one(
        client,
        {"id": "wamid.ad", "type": "text", "text": {"body": "Хочу тур"}, "referral": referral},
    )
    assert meta(comm)["referral"]["ctwa_clid"] == "ARAkxyz"


@pytest.mark.parametrize("extra", [{}, {"unsupported": {"type": "poll"}}])
def test_unsupported_messages_keep_their_errors(client: HttpClient, extra: dict[str, Any]) -> None:
    errors = [
        {
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."},
        }
    ]
    comm = _one(client, {"id": "wamid.u", "type": "unsupported", "errors": errors, **extra})
    assert comm.body == "[Unsupported message]"
    assert meta(comm)["errors"] == errors


def test_an_unknown_future_type_is_still_recorded(client: HttpClient) -> None:
    comm = _one(client, {"id": "wamid.f", "type": "hologram", "hologram": {"x": 1}})
    assert comm.message_type == "hologram"
    assert comm.metadata == {"hologram": {"x": 1}}


def test_a_bsuid_only_message_is_kept_as_unmatched(client: HttpClient) -> None:
    body = message_body(
        {"id": "wamid.bs", "from_user_id": "US.999", "type": "text", "text": {"body": "hi"}},
        wa_id=None,
        user_id="US.999",
    )
    assert post_json(client, body).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.UNMATCHED
    assert event.notes == [{"unmatched_message": "wamid.bs", "user_id": "US.999", "type": "text"}]
    assert Communication.objects.count() == 0


def test_a_bsuid_only_message_of_a_known_client_is_tied_to_them(
    client: HttpClient, make_client: Any
) -> None:
    known = make_client(whatsapp_user_id="US.999")
    body = message_body(
        {"id": "wamid.bs", "from_user_id": "US.999", "type": "text", "text": {"body": "hi"}},
        wa_id=None,
        user_id="US.999",
    )
    post_json(client, body)
    assert Communication.objects.get().client == known
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSED


def test_the_dashboard_test_message_without_a_wamid_prefix_is_stored(client: HttpClient) -> None:
    body = message_body(
        {"id": "ABGGFlA5Fpa", "type": "text", "text": {"body": "this is a text message"}},
        wa_id="16315551181",
        name="test user name",
    )
    body["entry"][0]["id"] = "0"
    assert post_json(client, body).status_code == 200
    comm = Communication.objects.get()
    assert comm.whatsapp_message_id == "ABGGFlA5Fpa"
    assert comm.client.phone == "+16315551181"
