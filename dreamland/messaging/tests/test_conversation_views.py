"""The conversation page, its fragments and actions: permissions, unread, sending, templates,
retries, logged calls, tour interest, history pages, changes since a cursor and media."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from django.utils import timezone

from dreamland.bookings.models import Booking
from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication, WhatsAppStatus
from dreamland.messaging.selectors import FIRST_PAGE, poll_cursor
from dreamland.messaging.services import template_create
from dreamland.messaging.tests.conftest import API, PHONE_NUMBER_ID
from dreamland.messaging.tests.factories import conversation
from dreamland.whatsapp.tests.helpers import fixture

pytestmark = pytest.mark.django_db
SEND_URL = f"{API}/{PHONE_NUMBER_ID}/messages"
WAMID = fixture("send_response.json")["messages"][0]["id"]


def _as(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def mine(make_client: Any, agent: Any) -> tuple[Any, Lead]:
    return conversation(make_client, agent=agent, messages=3, unread=3, name="Aliya")


@pytest.fixture
def theirs(make_client: Any, other_agent: Any) -> tuple[Any, Lead]:
    return conversation(make_client, agent=other_agent, messages=1, name="Not yours")


def test_the_conversation_shows_the_history_oldest_first(agent: Any, mine: Any) -> None:
    client, _ = mine
    response = _as(agent).get(f"/inbox/{client.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    thread = html[html.index('id="thread-items"') :]
    assert thread.index("Message 0") < thread.index("Message 1") < thread.index("Message 2")
    assert '<textarea name="body"' in html
    assert "window closes in" in html


def test_opening_as_the_assigned_agent_resets_unread(agent: Any, mine: Any) -> None:
    client, lead = mine
    _as(agent).get(f"/inbox/{client.pk}/")
    lead.refresh_from_db()
    assert lead.unread_messages_count == 0


def test_a_manager_opening_it_leaves_the_agents_unread(manager: Any, mine: Any) -> None:
    client, lead = mine
    assert _as(manager).get(f"/inbox/{client.pk}/").status_code == 200
    lead.refresh_from_db()
    assert lead.unread_messages_count == 3


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/inbox/{c}/"),
        ("get", "/inbox/{c}/history/"),
        ("get", "/inbox/{c}/changes/"),
        ("get", "/inbox/{c}/composer/"),
        ("post", "/inbox/{c}/send/"),
        ("post", "/inbox/{c}/log/"),
        ("post", "/inbox/{c}/tour/"),
        ("post", "/inbox/{c}/retry/{m}/"),
        ("get", "/inbox/media/{m}/"),
    ],
)
def test_another_agents_conversation_fragments_actions_and_media_are_404(
    agent: Any, theirs: Any, method: str, path: str
) -> None:
    client, _ = theirs
    comm = Communication.objects.filter(client=client).first()
    assert comm is not None
    url = path.format(c=client.pk, m=comm.pk)
    response = getattr(_as(agent), method)(url, {"body": "hi"} if method == "post" else None)
    assert response.status_code == 404


@pytest.mark.parametrize("n", [1, 50])
def test_the_conversation_costs_the_same_queries_for_1_and_50_messages(
    make_client: Any, agent: Any, n: int, django_assert_num_queries: Any
) -> None:
    for _ in range(n - 1):
        conversation(make_client, agent=agent, messages=2)
    client, _ = conversation(
        make_client, agent=agent, messages=n, last_at=timezone.now() - timedelta(hours=1)
    )
    http = _as(agent)
    http.get(f"/inbox/{client.pk}/")
    # session, user, the client, unread reset, its lead with its window; the thread: messages,
    # reactions, lead and booking markers, poll cursor; tours (the tour-interest picker); the
    # unread total. The list beside comes by htmx once the page is shown.
    with django_assert_num_queries(12):
        response = http.get(f"/inbox/{client.pk}/")
    assert response.status_code == 200
    assert "page" not in response.context
    assert len([i for i in response.context["thread"].items if i.kind == "message"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_the_list_beside_a_conversation_costs_the_same_queries_for_1_and_50_rows(
    make_client: Any, agent: Any, n: int, django_assert_num_queries: Any
) -> None:
    clients = [conversation(make_client, agent=agent, messages=2)[0] for _ in range(n)]
    http = _as(agent)
    page = http.get(f"/inbox/{clients[-1].pk}/").content.decode()
    assert f'hx-get="/inbox/?part=list&amp;active={clients[-1].pk}"' in page
    part = {"part": "list", "active": clients[-1].pk}
    # session, user; rows with their unanswered flags, their last messages, tours; the
    # unanswered count (the poll cursor is the page's, not the list's)
    with django_assert_num_queries(6):
        response = http.get("/inbox/", part, HTTP_HX_REQUEST="true")
    rows = response.context["page"].rows
    assert len(rows) == min(n, FIRST_PAGE)
    assert [row.client_id for row in rows if row.active] == [clients[-1].pk]


def test_a_conversation_below_the_list_beside_asks_for_its_neighbours_on_a_key(
    make_client: Any, agent: Any
) -> None:
    for _ in range(FIRST_PAGE + 1):
        conversation(make_client, agent=agent, messages=2)
    client, _ = conversation(
        make_client, agent=agent, messages=50, last_at=timezone.now() - timedelta(hours=1)
    )
    http = _as(agent)
    response = http.get(f"/inbox/{client.pk}/", {"scope": "mine"})
    url = response.context["neighbours_url"]
    assert f'data-neighbours="{url.replace("&", "&amp;")}"' in response.content.decode()
    found = http.get(url).json()
    assert found["prev"].startswith("/inbox/") and found["prev"].endswith("/?scope=mine")
    assert found["next"] is None


def test_older_history_comes_in_pages(make_client: Any, agent: Any) -> None:
    client, _ = conversation(make_client, agent=agent, messages=120)
    http = _as(agent)
    page = http.get(f"/inbox/{client.pk}/")
    thread = page.context["thread"]
    shown = [i.comm.body for i in thread.items if i.kind == "message"]
    assert shown[0] == "Message 70" and shown[-1] == "Message 119"
    older = http.get(
        f"/inbox/{client.pk}/history/", {"before": thread.older_cursor}, HTTP_HX_REQUEST="true"
    )
    bodies = [i.comm.body for i in older.context["thread"].items if i.kind == "message"]
    assert bodies[0] == "Message 20" and bodies[-1] == "Message 69"
    last = http.get(
        f"/inbox/{client.pk}/history/",
        {"before": older.context["thread"].older_cursor},
        HTTP_HX_REQUEST="true",
    )
    assert next(i.comm.body for i in last.context["thread"].items if i.kind == "message") == (
        "Message 0"
    )
    assert last.context["thread"].older_cursor is None
    # The top of the history carries the marker where the lead started.
    assert any(i.kind == "lead" for i in last.context["thread"].items)


def test_markers_where_leads_and_bookings_start(
    make_client: Any, agent: Any, make_departure: Any
) -> None:
    client, lead = conversation(make_client, agent=agent, messages=2)
    departure = make_departure()
    Booking.objects.create(
        client=client,
        lead=lead,
        tour_departure=departure,
        num_participants=2,
        total_amount=1000,
        currency="KZT",
    )
    html = _as(agent).get(f"/inbox/{client.pk}/").content.decode()
    assert f"Lead #{lead.pk} opened" in html and "Booking #" in html


def test_changes_since_a_cursor_bring_new_messages_and_moved_ticks(agent: Any, mine: Any) -> None:
    client, lead = mine
    http = _as(agent)
    cursor = poll_cursor()
    assert http.get(f"/inbox/{client.pk}/changes/", {"since": cursor}).content.strip() == b""
    Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction="inbound",
        body="Just arrived",
        whatsapp_status="received",
        updated_at=timezone.now() + timedelta(seconds=1),
    )
    Lead.objects.filter(pk=lead.pk).update(unread_messages_count=1)
    response = http.get(f"/inbox/{client.pk}/changes/", {"since": cursor})
    html = response.content.decode()
    assert "Just arrived" in html and "Message 0" not in html
    assert response["X-Cursor"] != cursor and response["X-Window-Open"] == "1"
    lead.refresh_from_db()
    assert lead.unread_messages_count == 0


@respx.mock
def test_a_reply_inside_the_window_is_sent_and_shown(
    agent: Any, mine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, _ = mine
    respx.post(SEND_URL).mock(return_value=httpx.Response(200, json=fixture("send_response.json")))
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(agent).post(f"/inbox/{client.pk}/send/", {"body": "Есть места!"})
    assert response.status_code == 200
    assert "Есть места!" in response.content.decode()
    comm = Communication.objects.get(body="Есть места!")
    assert comm.whatsapp_message_id == WAMID and comm.sent_by == agent


def test_an_empty_reply_is_refused_beside_the_field(agent: Any, mine: Any) -> None:
    client, _ = mine
    response = _as(agent).post(f"/inbox/{client.pk}/send/", {"body": "  "})
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#composer"
    assert "field-error" in response.content.decode()
    assert not Communication.objects.filter(direction="outbound").exists()


def test_outside_the_window_the_box_is_the_template_picker(make_client: Any, agent: Any) -> None:
    template_create(name="welcome", content="Hi {{1}}", variables=["customer_name"], language="en")
    template_create(name="welcome", content="Привет, {{1}}", variables=["customer_name"])
    client, _ = conversation(
        make_client,
        agent=agent,
        last_at=timezone.now() - timedelta(hours=30),
        preferred_language="en",
    )
    response = _as(agent).get(f"/inbox/{client.pk}/")
    html = response.content.decode()
    assert '<textarea name="body"' not in html
    templates = response.context["templates"]
    assert [t.language for t in templates] == ["en", "ru"]
    # Free text is refused by the service too.
    refused = _as(agent).post(f"/inbox/{client.pk}/send/", {"body": "hello"})
    assert refused.status_code == 422 and "template" in refused.content.decode()


@respx.mock
def test_a_template_is_filled_with_what_the_system_knows_and_sent(
    make_client: Any,
    agent: Any,
    make_tour: Any,
    make_departure: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    respx.post(SEND_URL).mock(return_value=httpx.Response(200, json=fixture("send_response.json")))
    template = template_create(
        name="offer",
        content="{{1}}, {{2}} on {{3}}: {{4}} seats, {{5}}",
        variables=["customer_name", "tour", "departure_date", "seats_left", "price"],
    )
    tour = make_tour(name="Kolsai Lakes", capacity=16, base_price=65000)
    make_departure(tour=tour)
    client, lead = conversation(
        make_client, agent=agent, name="Dana", last_at=timezone.now() - timedelta(days=3)
    )
    Lead.objects.filter(pk=lead.pk).update(tour_interest=tour)
    http = _as(agent)
    form = http.get(f"/inbox/{client.pk}/template/", {"template": template.pk}).context["form"]
    assert form["var_1"].initial == "Dana" and form["var_2"].initial == "Kolsai Lakes"
    assert form["var_4"].initial == "16" and "65" in form["var_5"].initial
    missing = http.post(
        f"/inbox/{client.pk}/template/",
        {
            "template": template.pk,
            "var_1": "Dana",
            "var_2": "",
            "var_3": "x",
            "var_4": "1",
            "var_5": "1",
        },
    )
    assert missing.status_code == 422 and "Give a value" in missing.content.decode()
    assert not Communication.objects.filter(direction="outbound").exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = http.post(
            f"/inbox/{client.pk}/template/",
            {
                "template": template.pk,
                "var_1": "Dana",
                "var_2": "Kolsai",
                "var_3": "1.1",
                "var_4": "3",
                "var_5": "65 000 ₸",
            },
        )
    assert sent.status_code == 200
    comm = Communication.objects.get(direction="outbound")
    assert comm.body == "Dana, Kolsai on 1.1: 3 seats, 65 000 ₸" and comm.template == template


@respx.mock
def test_a_failed_message_shows_the_reason_and_retry_sends_again(
    agent: Any, mine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, lead = mine
    failed = Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction="outbound",
        body="Try me",
        whatsapp_status=WhatsAppStatus.FAILED,
        error_code=131047,
        error_message="Re-engagement message",
    )
    http = _as(agent)
    html = http.get(f"/inbox/{client.pk}/").content.decode()
    assert "Re-engagement message" in html and f"/retry/{failed.pk}/" in html
    route = respx.post(SEND_URL).mock(
        return_value=httpx.Response(200, json=fixture("send_response.json"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"/inbox/{client.pk}/retry/{failed.pk}/")
    assert response.status_code == 200 and route.call_count == 1
    assert json.loads(route.calls.last.request.content)["text"]["body"] == "Try me"
    assert Communication.objects.filter(body="Try me", whatsapp_status="sent").count() == 1


def test_retrying_a_message_that_did_not_fail_is_404(agent: Any, mine: Any) -> None:
    client, _ = mine
    comm = Communication.objects.filter(client=client).first()
    assert comm is not None
    assert _as(agent).post(f"/inbox/{client.pk}/retry/{comm.pk}/").status_code == 404


def test_logging_a_call_adds_it_to_the_history(agent: Any, mine: Any) -> None:
    client, lead = mine
    response = _as(agent).post(
        f"/inbox/{client.pk}/log/",
        {"communication_type": "phone", "direction": "outbound", "note": "Called, wants 2 seats"},
    )
    assert response.status_code == 200
    assert "Called, wants 2 seats" in response.content.decode()
    call = Communication.objects.get(communication_type="phone")
    assert call.lead == lead and call.sent_by == agent


@pytest.mark.parametrize(
    "data",
    [
        {"communication_type": "phone", "direction": "outbound", "note": ""},
        {"communication_type": "whatsapp", "direction": "outbound", "note": "x"},
        {"communication_type": "sms", "direction": "sideways", "note": "x"},
    ],
)
def test_a_bad_log_is_refused_and_nothing_is_written(
    agent: Any, mine: Any, data: dict[str, str]
) -> None:
    client, _ = mine
    before = Communication.objects.count()
    response = _as(agent).post(f"/inbox/{client.pk}/log/", data)
    assert response.status_code == 422 and "field-error" in response.content.decode()
    assert Communication.objects.count() == before


def test_the_agent_changes_the_tour_interest(agent: Any, mine: Any, make_tour: Any) -> None:
    client, lead = mine
    tour = make_tour(name="Charyn Canyon")
    response = _as(agent).post(f"/inbox/{client.pk}/tour/", {"tour": tour.pk})
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.tour_interest == tour
    assert _as(agent).post(f"/inbox/{client.pk}/tour/", {"tour": "999999"}).status_code == 422


def test_everything_from_outside_is_escaped(make_client: Any, agent: Any) -> None:
    evil = "<img src=x onerror=alert(1)>"
    client, lead = conversation(make_client, agent=agent, name="<script>alert(2)</script>")
    Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction="inbound",
        body=evil,
        message_type="document",
        media_url="whatsapp/x.pdf",
        metadata={"filename": evil, "caption": evil, "referral": {"headline": evil}},
    )
    http = _as(agent)
    for url in ("/inbox/", f"/inbox/{client.pk}/"):
        html = http.get(url).content.decode()
        assert "<script>alert(2)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_media_is_served_with_the_conversations_permissions(
    make_client: Any, agent: Any, mine: Any, settings: Any, tmp_path: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client, lead = mine
    image_name = default_storage.save("whatsapp/2026/01/a.jpg", ContentFile(b"\xff\xd8jpeg"))
    page_name = default_storage.save("whatsapp/2026/01/b.html", ContentFile(b"<script>x</script>"))
    image = Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction="inbound",
        message_type="image",
        media_url="/media/" + image_name,
        media_type="image/jpeg",
    )
    page = Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction="inbound",
        message_type="document",
        media_url=page_name,
        media_type="text/html",
        metadata={"filename": "offer.html"},
    )
    http = _as(agent)
    shown = http.get(f"/inbox/media/{image.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content) == b"\xff\xd8jpeg"  # type: ignore[attr-defined]
    assert shown["X-Content-Type-Options"] == "nosniff"
    download = http.get(f"/inbox/media/{page.pk}/")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
    missing = Communication.objects.create(
        client=client,
        communication_type="whatsapp",
        direction="inbound",
        message_type="image",
    )
    assert http.get(f"/inbox/media/{missing.pk}/").status_code == 404
