"""The inbox in headless Chromium, as an agent: a webhook message appears live, opening it resets
unread, a reply goes through a local fake Graph API and its ticks move with status webhooks, a
closed window sends a template, a call is logged, the language switches; hostile names and
bodies stay text. Screenshots of each page at 1440x900 and 390x844 under var/screenshots/."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from dreamland.leads.models import Lead
from dreamland.messaging.models import Communication
from dreamland.messaging.services import template_create
from dreamland.messaging.tests.factories import conversation
from dreamland.whatsapp.testing import message_body, sign, status_body

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "browser_app_secret"
PHONE_NUMBER_ID = "106540352242922"
SEND_RESPONSE = Path(__file__).resolve().parents[3] / "dreamland/whatsapp/tests/fixtures"


class FakeGraph:
    """Meta's send endpoint on a free loopback port: answers send_response.json's shape with a
    fresh wamid per message, or Meta's 131047 error while `fail` is set."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = False
        self.ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append(json.loads(self.rfile.read(length) or b"{}"))
                body: dict[str, Any]
                if fake.fail:
                    status, body = (
                        400,
                        {
                            "error": {
                                "message": "Re-engagement message",
                                "type": "OAuthException",
                                "code": 131047,
                                "error_data": {"details": "More than 24 hours have passed"},
                            }
                        },
                    )
                else:
                    status = 200
                    body = {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": "77015550001", "wa_id": "77015550001"}],
                        "messages": [{"id": f"wamid.browser{next(fake.ids)}"}],
                    }
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v23.0"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def graph(settings: Any) -> Iterator[FakeGraph]:
    fake = FakeGraph()
    settings.WHATSAPP_API_BASE = fake.url
    settings.WHATSAPP_ACCESS_TOKEN = "browser-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_APP_SECRET = SECRET
    settings.LEAD_ROUND_ROBIN = True
    yield fake
    fake.close()


def _webhook(payload: dict[str, Any]) -> None:
    raw = json.dumps(payload).encode()
    response = HttpClient().post(
        "/webhooks/whatsapp",
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(raw, SECRET)},
    )
    assert response.status_code == 200


def _now_ts() -> str:
    return str(int(timezone.now().timestamp()))


def test_an_agent_works_the_inbox_live(
    page: Any, agent: Any, make_client: Any, log_in: Any, screenshot: Any, graph: FakeGraph
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message) or d.dismiss())  # type: ignore[func-returns-value]
    conversation(make_client, agent=agent, name="Earlier client", phone="+77015550009")
    log_in(page, agent)
    first = page.goto("/inbox/")
    assert first is not None and "script-src 'self'" in first.headers["content-security-policy"]
    assert page.locator("[data-row]").count() == 1

    # A WhatsApp message posted to the webhook appears without a reload.
    _webhook(
        message_body(
            {
                "id": "wamid.live1",
                "type": "text",
                "text": {"body": "Хотим на Кольсай, 2 человека"},
                "timestamp": _now_ts(),
            },
            wa_id="77015550001",
            name="Aliya Live",
        )
    )
    page.locator(".row-name", has_text="Aliya Live").wait_for(timeout=5000)
    assert page.locator("[data-row]").count() == 2
    assert "(1)" in page.title()
    screenshot(page, "inbox")

    # Open it: unread resets.
    page.locator(".row a", has_text="Aliya Live").click()
    page.wait_for_url("**/inbox/*/")
    lead = Lead.objects.get(client__phone="+77015550001")
    assert lead.assigned_agent == agent
    assert lead.unread_messages_count == 0
    assert page.locator(".msg-inbound", has_text="Кольсай").is_visible()
    assert page.locator(".window-note").inner_text().startswith("window closes in")

    # Reply inside the window with Ctrl+Enter; ticks move as status webhooks arrive.
    box = page.locator("textarea[name=body]")
    box.fill("Здравствуйте! Места есть.")
    box.press("Control+Enter")
    sent = page.locator(".msg-outbound", has_text="Места есть")
    sent.wait_for()
    assert graph.requests[-1]["text"]["body"] == "Здравствуйте! Места есть."
    assert box.input_value() == ""
    comm = Communication.objects.get(body="Здравствуйте! Места есть.")
    page.wait_for_function(
        "id => ['sent', 'pending'].includes(document.getElementById('m-' + id).dataset.status)",
        arg=comm.pk,
    )
    wamid = str(comm.whatsapp_message_id)
    _webhook(status_body(wamid, "delivered", timestamp=_now_ts()))
    page.wait_for_function(
        "id => document.getElementById('m-' + id).dataset.status === 'delivered'",
        arg=comm.pk,
        timeout=5000,
    )
    _webhook(status_body(wamid, "read", timestamp=_now_ts()))
    page.wait_for_function(
        "id => document.getElementById('m-' + id).dataset.status === 'read'",
        arg=comm.pk,
        timeout=5000,
    )

    # A failed send shows Meta's reason; retry really sends again.
    graph.fail = True
    box.fill("Second try")
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".msg-failed", has_text="Second try").wait_for()
    assert "Re-engagement" in page.locator(".msg-failed .msg-error").inner_text()
    graph.fail = False
    before = len(graph.requests)
    page.locator(".msg-failed .retry button").click()
    page.locator(".msg-outbound[data-status=sent]", has_text="Second try").wait_for()
    assert len(graph.requests) == before + 1

    # Drafts stay with their conversation.
    box.fill("A draft for Aliya")
    page.goto("/inbox/")
    page.locator(".row a", has_text="Earlier client").click()
    page.wait_for_url("**/inbox/*/")
    assert page.locator("textarea[name=body]").input_value() == ""
    page.keyboard.press("Alt+K")  # up to Aliya, the newest conversation
    page.wait_for_url(f"**/inbox/{lead.client_id}/**")
    assert page.locator("textarea[name=body]").input_value() == "A draft for Aliya"
    page.locator("textarea[name=body]").fill("")

    # Log a call.
    page.locator("details.log summary").click()
    page.select_option("select[name=communication_type]", "phone")
    page.fill("textarea[name=note]", "Called back, wants the Saturday departure")
    page.get_by_role("button", name="Save to history").click()
    page.locator(".msg-logged", has_text="Saturday departure").wait_for()
    assert Communication.objects.filter(communication_type="phone").count() == 1
    screenshot(page, "conversation")

    assert dialogs == []
    assert page.failures == [] and page.foreign == []


def test_a_closed_window_offers_templates_and_sends_one(
    page: Any,
    agent: Any,
    make_client: Any,
    make_tour: Any,
    log_in: Any,
    screenshot: Any,
    graph: FakeGraph,
) -> None:
    template_create(
        name="offer",
        content="Hello {{1}}! {{2}} is open for booking.",
        variables=["customer_name", "tour"],
        language="en",
    )
    tour = make_tour(name="Charyn Canyon")
    client, lead = conversation(
        make_client,
        agent=agent,
        name="Sam Closed",
        preferred_language="en",
        last_at=timezone.now() - timedelta(hours=30),
    )
    Lead.objects.filter(pk=lead.pk).update(tour_interest=tour)
    log_in(page, agent)
    page.goto(f"/inbox/{client.pk}/")
    assert page.locator("textarea[name=body]").count() == 0
    page.select_option("#template-pick", label="offer · English")
    page.locator("[data-template-form] input[name=var_1]").wait_for()
    assert page.locator("input[name=var_1]").input_value() == "Sam Closed"
    assert page.locator("input[name=var_2]").input_value() == "Charyn Canyon"
    page.fill("input[name=var_1]", "Sam")
    assert (
        page.locator("[data-preview]").inner_text()
        == "Hello Sam! Charyn Canyon is open for booking."
    )
    page.fill("input[name=var_2]", "")
    assert "[tour]" in page.locator("[data-preview]").inner_text()
    page.get_by_role("button", name="Send template").click()
    page.locator(".field-error").first.wait_for()
    assert graph.requests == []
    page.fill("input[name=var_2]", "Charyn")
    screenshot(page, "template-picker")
    page.get_by_role("button", name="Send template").click()
    page.locator(".msg-outbound", has_text="Hello Sam! Charyn is open").wait_for()
    assert graph.requests[-1]["template"]["name"] == "offer"
    # The refused send (a missing value) was the one 422, and nothing else failed.
    assert [f.split(" ")[0] for f in page.failures] == ["422"]
    assert page.foreign == []


def test_hostile_names_and_bodies_show_as_text_and_the_language_switches(
    page: Any, agent: Any, log_in: Any, screenshot: Any, graph: FakeGraph
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message) or d.dismiss())  # type: ignore[func-returns-value]
    _webhook(
        message_body(
            {
                "id": "wamid.evil",
                "type": "text",
                "text": {"body": "<img src=x onerror=alert(1)>"},
                "timestamp": _now_ts(),
            },
            wa_id="77015550066",
            name="<script>alert(2)</script>",
        )
    )
    log_in(page, agent)
    assert page.locator(".row-name").first.inner_text() == "<script>alert(2)</script>"
    page.locator(".row a").first.click()
    page.wait_for_url("**/inbox/*/")
    assert (
        page.locator(".msg-inbound .msg-body").first.inner_text() == "<img src=x onerror=alert(1)>"
    )
    assert page.locator(".msg img").count() == 0
    # Switch to Russian and back.
    page.get_by_role("button", name="RU").click()
    page.wait_for_url("**/inbox/*/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("button", name="Отправить").is_visible()
    screenshot(page, "conversation-ru")
    page.get_by_role("button", name="EN").click()
    page.wait_for_url("**/inbox/*/")
    assert page.get_by_role("button", name="Send", exact=True).is_visible()
    page.wait_for_timeout(3000)  # a poll or two: still nothing runs
    # Polls that fail show "offline"; the mark comes back once they succeed again.
    page.route("**/inbox/poll/**", lambda route: route.abort())
    page.locator(".live.offline").wait_for(timeout=10_000)
    assert "offline" in page.locator("[data-live]").inner_text()
    page.unroute("**/inbox/poll/**")
    page.locator(".live:not(.offline)").wait_for(timeout=20_000)
    assert dialogs == []
    assert page.failures == [] and page.foreign == []
