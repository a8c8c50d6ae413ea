"""Real Meta deliveries in shapes the README's samples do not show: all 200, stored, recorded."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from dreamland.clients.models import Client
from dreamland.messaging.models import Communication, Direction, WhatsAppStatus
from dreamland.whatsapp.models import EventStatus, WebhookEvent
from dreamland.whatsapp.tests.helpers import message_body, post_json, post_raw, status_body

pytestmark = pytest.mark.django_db


def envelope(*changes: dict[str, Any], entry_id: str = "102290129340398") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": entry_id, "changes": list(changes)}],
    }


def messages_value(messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "77273334455", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Aigerim"}, "wa_id": "77011234567"}],
        "messages": messages,
        **extra,
    }


def text(wamid: str, body: str = "hello", **extra: Any) -> dict[str, Any]:
    return {
        "from": "77011234567",
        "id": wamid,
        "timestamp": "1718000000",
        "type": "text",
        "text": {"body": body},
        **extra,
    }


def meta(comm: Communication) -> dict[str, Any]:
    assert isinstance(comm.metadata, dict)
    return comm.metadata


def only_event() -> WebhookEvent:
    return WebhookEvent.objects.get()


# --- 1. the dashboard's Test payload ----------------------------------------------------------------
DASHBOARD_TEST = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "0",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {
                            "display_phone_number": "16505551111",
                            "phone_number_id": "123456123",
                        },
                        "contacts": [
                            {"profile": {"name": "test user name"}, "wa_id": "16315551181"}
                        ],
                        "messages": [
                            {
                                "from": "16315551181",
                                "id": "ABGGFlA5Fpa",
                                "timestamp": "1504902988",
                                "type": "text",
                                "text": {"body": "this is a text message"},
                            }
                        ],
                    },
                }
            ],
        }
    ],
}


def test_the_dashboard_test_payload_is_recorded_as_a_message(client: HttpClient) -> None:
    assert post_json(client, DASHBOARD_TEST).status_code == 200
    assert post_json(client, DASHBOARD_TEST).status_code == 200
    comm = Communication.objects.get()
    assert (comm.whatsapp_message_id, comm.body) == ("ABGGFlA5Fpa", "this is a text message")
    assert comm.client.phone == "+16315551181"
    assert [e.status for e in WebhookEvent.objects.order_by("pk")] == [EventStatus.PROCESSED] * 2


# --- 2. change fields other than "messages" --------------------------------------------------------
OTHER_FIELDS: list[dict[str, Any]] = [
    {
        "field": "message_template_status_update",
        "value": {
            "event": "APPROVED",
            "message_template_id": 12345678,
            "message_template_name": "booking_confirmed",
            "message_template_language": "ru",
            "reason": "NONE",
        },
    },
    {
        "field": "account_update",
        "value": {"phone_number": "77273334455", "event": "VERIFIED_ACCOUNT"},
    },
    {
        "field": "phone_number_quality_update",
        "value": {
            "display_phone_number": "77273334455",
            "event": "FLAGGED",
            "current_limit": "TIER_10K",
        },
    },
    {
        "field": "template_category_update",
        "value": {
            "message_template_id": 1,
            "message_template_name": "x",
            "previous_category": "UTILITY",
            "new_category": "MARKETING",
        },
    },
    {
        "field": "smb_message_echoes",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "77273334455", "phone_number_id": "1"},
            "message_echoes": [
                {
                    "from": "77273334455",
                    "to": "77011234567",
                    "id": "wamid.echo",
                    "timestamp": "1718000000",
                    "type": "text",
                    "text": {"body": "sent from the phone app"},
                }
            ],
        },
    },
    {"field": "message_echoes", "value": {"message_echoes": []}},
    {
        "field": "history",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "77273334455", "phone_number_id": "1"},
            "history": [{"metadata": {"phase": 0}, "threads": [{"id": "7701", "messages": []}]}],
        },
    },
    {"field": "security", "value": None},
    {"field": "business_capability_update", "value": [1, 2]},
]


@pytest.mark.parametrize("change", OTHER_FIELDS, ids=[c["field"] for c in OTHER_FIELDS])
def test_another_change_field_alone_is_stored_and_ignored(
    client: HttpClient, change: dict[str, Any]
) -> None:
    assert post_json(client, envelope(change)).status_code == 200
    event = only_event()
    assert event.status == EventStatus.IGNORED
    assert event.notes and event.notes[0]["field"] == change["field"]
    assert not Communication.objects.exists()


def test_other_fields_do_not_block_a_message_in_the_same_body(client: HttpClient) -> None:
    body = envelope(
        *OTHER_FIELDS,
        {"field": "messages", "value": messages_value([text("wamid.mixed")])},
    )
    assert post_json(client, body).status_code == 200
    event = only_event()
    assert event.status == EventStatus.PROCESSED
    assert Communication.objects.get().whatsapp_message_id == "wamid.mixed"
    fields = {note.get("field") for note in event.notes or []}
    assert {"message_template_status_update", "history", "smb_message_echoes"} <= fields


# --- 3. message types beyond the README -------------------------------------------------------------
TYPES: list[tuple[dict[str, Any], str]] = [
    (
        {
            "type": "system",
            "system": {
                "body": "User A changed from 77011234567 to 77019998877",
                "new_wa_id": "77019998877",
                "type": "user_changed_number",
            },
        },
        "User A changed from 77011234567 to 77019998877",
    ),
    ({"type": "request_welcome"}, "[Welcome request]"),
    (
        {
            "type": "order",
            "order": {
                "catalog_id": "c1",
                "text": "please",
                "product_items": [
                    {
                        "product_retailer_id": "tour-1",
                        "quantity": "2",
                        "item_price": "100",
                        "currency": "USD",
                    },
                    {
                        "product_retailer_id": "tour-2",
                        "quantity": 1,
                        "item_price": 50,
                        "currency": "USD",
                    },
                ],
            },
        },
        "[Order] 2 item(s): please",
    ),
    (
        {
            "type": "interactive",
            "interactive": {
                "type": "nfm_reply",
                "nfm_reply": {
                    "response_json": '{"flow_token": "t", "date": "2026-12-01"}',
                    "body": "Sent",
                    "name": "flow",
                },
            },
        },
        "[Flow reply] Sent",
    ),
    ({"type": "button", "button": {"payload": "YES", "text": "Yes"}}, "Yes"),
    (
        {
            "type": "unknown",
            "errors": [{"code": 131051, "title": "Message type unknown", "details": "unsupported"}],
        },
        "[Unsupported message]",
    ),
    ({"type": "hologram", "hologram": {"id": "h1"}}, "[hologram message]"),
    ({"type": "order", "order": {"product_items": 7}}, "[Order] 0 item(s)"),
    (
        {"type": "contacts", "contacts": [{"phones": 5, "name": {"formatted_name": "A"}}]},
        "[Contacts] A",
    ),
    ({"type": 12}, "[Unsupported message]"),
]


@pytest.mark.parametrize(
    ("message", "expected"), TYPES, ids=[str(t[0]["type"]) + str(i) for i, t in enumerate(TYPES)]
)
def test_every_message_type_becomes_a_readable_communication(
    client: HttpClient, message: dict[str, Any], expected: str
) -> None:
    assert post_json(client, message_body({"id": "wamid.type", **message})).status_code == 200
    comm = Communication.objects.get()
    assert comm.body == expected
    assert comm.direction == Direction.INBOUND
    assert only_event().status == EventStatus.PROCESSED


# --- 4. odd but valid shapes --------------------------------------------------------------------
def test_a_message_without_contacts_or_profile(client: HttpClient) -> None:
    value = messages_value([text("wamid.nc1")])
    del value["contacts"]
    value2 = messages_value([text("wamid.nc2", **{"from": "77015550000"})])
    value2["contacts"] = [{"wa_id": "77015550000"}]
    assert (
        post_json(
            client,
            envelope({"field": "messages", "value": value}, {"field": "messages", "value": value2}),
        ).status_code
        == 200
    )
    assert Communication.objects.count() == 2
    assert set(Client.objects.values_list("name", flat=True)) == {"+77011234567", "+77015550000"}


@pytest.mark.parametrize("stamp", [None, "soon", "1718000000.5", "99999999999", "-5", [1], "1e30"])
def test_odd_timestamps_never_fail_and_never_land_in_the_future(
    client: HttpClient, stamp: Any
) -> None:
    message = text("wamid.ts")
    if stamp is None:
        del message["timestamp"]
    else:
        message["timestamp"] = stamp
    assert (
        post_json(
            client, envelope({"field": "messages", "value": messages_value([message])})
        ).status_code
        == 200
    )
    comm = Communication.objects.get()
    assert comm.created_at <= timezone.now() + timedelta(minutes=5)
    assert comm.lead is not None and comm.lead.last_message_at is not None
    assert comm.lead.last_message_at <= timezone.now() + timedelta(minutes=5)


def test_a_huge_text_with_emoji_rtl_and_nul_is_stored(client: HttpClient) -> None:
    body = ("Привет 👋🏽 مرحبا שלום \u0000 end " * 200)[:5000]
    message = text("wamid.huge", body)
    message["context"] = {"id": "wamid.\u0000ctx"}
    payload = envelope({"field": "messages", "value": messages_value([message])})
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "A\u0000B"
    assert post_json(client, payload).status_code == 200
    event = only_event()
    assert event.status == EventStatus.PROCESSED, event.last_error
    comm = Communication.objects.get()
    assert comm.body == body.replace("\u0000", "")
    assert "👋🏽" in (comm.body or "") and "مرحبا" in (comm.body or "")
    assert comm.client.name == "AB"


def test_a_nul_in_an_unknown_status_id_does_not_fail(client: HttpClient) -> None:
    assert post_json(client, status_body("wamid.\u0000nope", "delivered")).status_code == 200
    event = only_event()
    assert event.status == EventStatus.PROCESSED, event.last_error


def test_a_lone_surrogate_in_text_is_stored(client: HttpClient) -> None:
    raw = json.dumps(
        envelope({"field": "messages", "value": messages_value([text("wamid.sur", "a\ud800b")])})
    ).encode()
    assert post_raw(client, raw).status_code == 200
    assert only_event().status == EventStatus.PROCESSED, only_event().last_error
    assert Communication.objects.get().body is not None


def test_a_message_with_errors_is_kept(client: HttpClient) -> None:
    message = {
        "from": "77011234567",
        "id": "wamid.err",
        "timestamp": "1718000000",
        "type": "unsupported",
        "errors": [{"code": 131051, "title": "Message type unknown"}],
    }
    payload = envelope(
        {"field": "messages", "value": messages_value([message], errors=[{"code": 1}])}
    )
    assert post_json(client, payload).status_code == 200
    assert meta(Communication.objects.get())["errors"][0]["code"] == 131051


def test_a_plus_in_from_finds_the_same_client(client: HttpClient) -> None:
    post_json(client, envelope({"field": "messages", "value": messages_value([text("wamid.p1")])}))
    value = messages_value([text("wamid.p2", **{"from": "+77011234567"})])
    value["contacts"] = [
        {"profile": {"name": "Aigerim"}, "wa_id": "+77011234567"},
        {"wa_id": "77010000000"},
    ]
    assert post_json(client, envelope({"field": "messages", "value": value})).status_code == 200
    assert Client.objects.count() == 1
    assert Communication.objects.count() == 2


def test_ids_longer_than_255_chars_are_stored_and_deduplicated(client: HttpClient) -> None:
    long_id = "wamid." + "A" * 400
    message = text(long_id)
    message["context"] = {"id": "wamid." + "B" * 400}
    payload = envelope({"field": "messages", "value": messages_value([message])})
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"] = "KZ." + "U" * 300
    message["from_user_id"] = "KZ." + "U" * 300
    assert post_json(client, payload).status_code == 200
    assert post_json(client, payload).status_code == 200
    assert [e.status for e in WebhookEvent.objects.order_by("pk")] == [EventStatus.PROCESSED] * 2
    comm = Communication.objects.get()
    assert comm.whatsapp_message_id and len(comm.whatsapp_message_id) <= 255
    assert meta(comm)["wamid"] == long_id


def test_duplicate_keys_take_the_last_value(client: HttpClient) -> None:
    inner = json.dumps(
        envelope({"field": "messages", "value": messages_value([text("wamid.dup")])})
    )
    raw = inner.replace('"type": "text"', '"type": "image", "type": "text"').encode()
    assert post_raw(client, raw).status_code == 200
    assert Communication.objects.get().body == "hello"


def test_a_deeply_nested_valid_json_body_is_stored_not_refused(client: HttpClient) -> None:
    raw = b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert post_raw(client, raw).status_code == 200
    assert only_event().status == EventStatus.IGNORED


def test_a_deeply_nested_message_part_is_stored(client: HttpClient) -> None:
    nested: Any = "x"
    for _ in range(600):
        nested = {"a": nested}
    message = {
        "from": "77011234567",
        "id": "wamid.deep",
        "timestamp": "1718000000",
        "type": "hologram",
        "hologram": nested,
    }
    payload = envelope({"field": "messages", "value": messages_value([message])})
    assert post_json(client, payload).status_code == 200
    assert Communication.objects.get().body == "[hologram message]"


@pytest.mark.parametrize(
    "body",
    [
        {"object": "whatsapp_business_account", "entry": {"id": "1", "changes": []}},
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": None}]}],
        },
        {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": 5}]},
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {"messages": 5, "statuses": 7, "contacts": 3},
                        }
                    ],
                }
            ],
        },
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {"messages": [5, None, {"id": None}], "statuses": [None]},
                        }
                    ],
                }
            ],
        },
    ],
)
def test_broken_envelopes_are_acknowledged_and_stored(client: HttpClient, body: Any) -> None:
    assert post_json(client, body).status_code == 200
    # An id-less, sender-less message is kept in the notes as unmatched, for admins.
    assert only_event().status in (
        EventStatus.IGNORED,
        EventStatus.PROCESSED,
        EventStatus.UNMATCHED,
    )


def test_statuses_with_pricing_callback_data_and_errors_are_applied(client: HttpClient) -> None:
    customer = Client.objects.create(name="A", phone="+77011234567")
    Communication.objects.create(
        client=customer,
        communication_type="whatsapp",
        direction=Direction.OUTBOUND,
        body="hi",
        whatsapp_message_id="wamid.out",
        whatsapp_status=WhatsAppStatus.SENT,
    )
    body = status_body(
        "wamid.out",
        "delivered",
        biz_opaque_callback_data="booking:42",
        pricing={
            "billable": True,
            "pricing_model": "PMP",
            "category": "utility",
            "type": "regular",
        },
        errors=[{"code": 131000, "title": "warning"}],
    )
    del body["entry"][0]["changes"][0]["value"]["statuses"][0]["recipient_id"]
    assert post_json(client, body).status_code == 200
    assert only_event().status == EventStatus.PROCESSED
    comm = Communication.objects.get()
    assert comm.whatsapp_status == WhatsAppStatus.DELIVERED
    assert meta(comm)["delivery"]["pricing"]["pricing_model"] == "PMP"
    assert meta(comm)["delivery"]["biz_opaque_callback_data"] == "booking:42"
    assert meta(comm)["delivery"]["errors"][0]["code"] == 131000


def test_a_failed_status_with_a_string_code_keeps_the_code(client: HttpClient) -> None:
    customer = Client.objects.create(name="A", phone="+77011234567")
    Communication.objects.create(
        client=customer,
        communication_type="whatsapp",
        direction=Direction.OUTBOUND,
        whatsapp_message_id="wamid.f",
        whatsapp_status=WhatsAppStatus.SENT,
    )
    post_json(
        client,
        status_body("wamid.f", "failed", errors=[{"code": "131047", "title": "Re-engagement"}]),
    )
    comm = Communication.objects.get()
    assert (comm.whatsapp_status, comm.error_code) == (WhatsAppStatus.FAILED, 131047)


# --- 5. a matched and an unmatched message in one body ----------------------------------------------
def test_one_unmatched_message_does_not_mark_the_whole_event_unmatched(
    client: HttpClient, admin_client: HttpClient
) -> None:
    orphan = {
        "from_user_id": "KZ.orphan",
        "id": "wamid.orphan",
        "timestamp": "1718000000",
        "type": "text",
        "text": {"body": "hi"},
    }
    value = messages_value([text("wamid.ok"), orphan])
    value["contacts"].append({"profile": {"name": "Ghost"}, "user_id": "KZ.orphan"})
    assert post_json(client, envelope({"field": "messages", "value": value})).status_code == 200
    event = only_event()
    assert event.status == EventStatus.PROCESSED
    assert event.unmatched_messages == 1
    assert event.notes == [
        {"unmatched_message": "wamid.orphan", "user_id": "KZ.orphan", "type": "text"}
    ]
    assert Communication.objects.get().whatsapp_message_id == "wamid.ok"
    listing = admin_client.get("/admin/whatsapp/webhookevent/?needs_attention=unmatched")
    assert listing.status_code == 200
    assert f"/admin/whatsapp/webhookevent/{event.pk}/change/" in listing.content.decode()
    other = admin_client.get("/admin/whatsapp/webhookevent/?needs_attention=failed")
    assert f"/admin/whatsapp/webhookevent/{event.pk}/change/" not in other.content.decode()


# --- more odd shapes ---------------------------------------------------------------------------
def test_a_message_without_a_usable_id_is_kept_once(client: HttpClient) -> None:
    message = text("x")
    del message["id"]
    messages: list[Any] = [message, "junk"]
    payload = envelope({"field": "messages", "value": messages_value(messages)})
    assert post_json(client, payload).status_code == 200
    assert post_json(client, payload).status_code == 200
    comm = Communication.objects.get()
    assert comm.body == "hello"
    assert comm.whatsapp_message_id and comm.whatsapp_message_id.startswith("noid.")
    first = WebhookEvent.objects.order_by("pk").first()
    assert first is not None and first.status == EventStatus.PROCESSED
    assert {"skipped_message": "junk"} in (first.notes or [])


def test_an_empty_text_still_has_a_readable_body(client: HttpClient) -> None:
    message = text("wamid.empty")
    message["text"] = {"body": 5}
    assert (
        post_json(
            client, envelope({"field": "messages", "value": messages_value([message])})
        ).status_code
        == 200
    )
    assert Communication.objects.get().body == "[text message]"


def test_a_timestamp_before_whatsapp_existed_is_not_believed(client: HttpClient) -> None:
    message = text("wamid.old", timestamp="-5")
    assert (
        post_json(
            client, envelope({"field": "messages", "value": messages_value([message])})
        ).status_code
        == 200
    )
    assert Communication.objects.get().created_at.year >= 2009


def test_nan_and_infinity_in_a_body_do_not_fail_the_event(client: HttpClient) -> None:
    message = {
        "from": "77011234567",
        "id": "wamid.nan",
        "timestamp": "1718000000",
        "type": "location",
        "location": {"latitude": float("nan"), "longitude": float("inf")},
    }
    raw = json.dumps(envelope({"field": "messages", "value": messages_value([message])})).encode()
    assert b"NaN" in raw
    assert post_raw(client, raw).status_code == 200
    assert only_event().status == EventStatus.PROCESSED, only_event().last_error
    assert Communication.objects.get().body.startswith("[Location]")  # type: ignore[union-attr]


def test_a_bsuid_message_is_never_filed_under_the_lone_contact_of_another_sender(
    client: HttpClient,
) -> None:
    orphan = {"from_user_id": "US.9", "id": "wamid.o9", "timestamp": "1718000000", "type": "text"}
    value = messages_value([orphan])
    value["contacts"] = [{"profile": {"name": "Other"}, "wa_id": "77011234567", "user_id": "US.1"}]
    assert post_json(client, envelope({"field": "messages", "value": value})).status_code == 200
    assert not Communication.objects.exists()
    assert only_event().status == EventStatus.UNMATCHED


def test_a_status_name_we_do_not_know_is_noted_as_such_not_as_an_unknown_message(
    client: HttpClient,
) -> None:
    customer = Client.objects.create(name="A", phone="+77011234567")
    Communication.objects.create(
        client=customer,
        communication_type="whatsapp",
        direction=Direction.OUTBOUND,
        whatsapp_message_id="wamid.w",
        whatsapp_status=WhatsAppStatus.SENT,
    )
    assert post_json(client, status_body("wamid.w", "warning")).status_code == 200
    event = only_event()
    assert event.status == EventStatus.PROCESSED
    assert event.notes == [{"unhandled_status": "warning", "id": "wamid.w"}]
    assert Communication.objects.get().whatsapp_status == WhatsAppStatus.SENT


def test_a_message_without_a_type_is_read_by_the_part_it_carries(client: HttpClient) -> None:
    message = text("wamid.notype", "no type here")
    del message["type"]
    assert (
        post_json(
            client, envelope({"field": "messages", "value": messages_value([message])})
        ).status_code
        == 200
    )
    comm = Communication.objects.get()
    assert (comm.body, comm.message_type) == ("no type here", "text")
