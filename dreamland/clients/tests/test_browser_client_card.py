"""The client card in a real Chromium, as an agent: the phone refused when it is another client's
(with the link) and saved normalised in a new spelling; an illegal pipeline move refused with the
rule's message, a legal one shown; a new lead. Screenshots of /clients/ and /clients/<id>/ in
both languages at 1440x900 and 390x844 under var/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from dreamland.accounts.models import User
from dreamland.bookings.conversion import lead_convert
from dreamland.bookings.services import payment_create
from dreamland.clients.models import Client
from dreamland.leads.models import Lead
from dreamland.leads.services import lead_create, lead_transition
from dreamland.messaging.models import Communication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _history(client: Client, agent: User, make_departure: Callable[..., Any]) -> Lead:
    departure = make_departure(departure_date=date.today() + timedelta(days=20))
    departure.tour.name = "Кольсайские озёра и Чарынский каньон"
    departure.tour.save(update_fields=["name"])
    old = lead_create(client=client, source="whatsapp", assigned_agent=agent)
    booking = lead_convert(
        lead=old, tour_departure=departure, num_participants=2, total_amount=Decimal("250000")
    )
    payment_create(booking=booking, amount=Decimal("100000.00"), payment_method="kaspi")
    lost = lead_create(client=client, source="manual", assigned_agent=agent)
    lead_transition(lead=lost, status="lost")
    lead = lead_create(client=client, source="whatsapp", assigned_agent=agent)
    lead_transition(lead=lead, status="contacted")
    for direction, body in (
        ("inbound", "Здравствуйте! Хотим на Кольсай вдвоём, есть места на субботу?"),
        ("outbound", "Добрый день! Да, есть. Стоимость 125 000 ₸ с человека."),
        ("inbound", "<b>Отлично</b>, бронируйте. Достопримечательностей много?"),
    ):
        Communication.objects.create(
            client=client,
            lead=lead,
            communication_type="whatsapp",
            direction=direction,
            body=body,
            sent_by=agent if direction == "outbound" else None,
        )
    Communication.objects.create(
        client=client,
        lead=lead,
        communication_type="whatsapp",
        direction="inbound",
        message_type="image",
        media_id="m1",
        media_type="image/jpeg",
    )
    return lead


def test_an_agent_works_a_client_card(
    page: Any,
    log_in: Callable[..., None],
    screenshot: Callable[[Any, str], Any],
    agent: User,
    make_client: Callable[..., Any],
    make_departure: Callable[..., Any],
) -> None:
    client = make_client(
        name="Константинопольская-Переверзева Александра",
        phone="+77011112233",
        email="alexandra.konstantinopolskaya@example.kz",
        notes="Предпочитает звонки после 18:00. Аллергия на орехи.",
        preferred_language="ru",
    )
    other = make_client(name="Daniyar Sultanov", phone="+77017770000")
    make_client(name="Walk-in Without Lead", phone="+77019990011")
    lead = _history(client, agent, make_departure)

    log_in(page, agent)
    page.failures.clear()  # the inbox is another branch's page
    page.goto("/clients/")
    assert page.locator("text=Константинопольская-Переверзева Александра").is_visible()
    screenshot(page, "clients-list-en")
    page.goto(f"/clients/{client.pk}/")
    screenshot(page, "client-card-en")

    # Another client's number, in another spelling: refused with a link to that client.
    page.click("details.edit summary")
    page.fill("input[name=phone]", "8 (701) 777-00-00")
    page.click("#profile button[type=submit]")
    owner_link = page.locator("[data-test=phone-owner]")
    owner_link.wait_for()
    assert owner_link.get_attribute("href") == f"/clients/{other.pk}/"
    assert page.locator("[data-test=phone]").inner_text() == "+77011112233"

    # A new number in a national spelling: saved in E.164.
    page.fill("input[name=phone]", "8 701 555 12 34")
    page.click("#profile button[type=submit]")
    expect(page.locator("[data-test=phone]")).to_have_text("+77015551234")
    client.refresh_from_db()
    assert client.phone == "+77015551234"

    # Back from contacted to new: the rule's message; the lead stays.
    page.select_option("#lead-status", "new")
    page.click("#lead-panel button:has-text('Change status')")
    error = page.locator("[data-test=lead-error]")
    error.wait_for()
    assert "cannot move back from contacted to new" in error.inner_text()
    lead.refresh_from_db()
    assert lead.status == "contacted"

    # Forward to quoted: the panel and the leads table follow.
    page.select_option("#lead-status", "quoted")
    page.click("#lead-panel button:has-text('Change status')")
    expect(page.locator("[data-test=lead-status]")).to_have_text("Quoted")
    assert page.locator(f"#leads-table tr[data-lead='{lead.pk}'] .chip-quoted").is_visible()

    # Lost, then a new lead for the returning client.
    page.select_option("#lead-status", "lost")
    page.click("#lead-panel button:has-text('Change status')")
    page.locator("#lead-panel .empty").wait_for()
    page.click("[data-test=new-lead]")
    page.wait_for_url(f"**/clients/{client.pk}/")
    new = Lead.objects.filter(client=client).order_by("-pk").first()
    assert new is not None and new.status == "new" and new.assigned_agent == agent
    assert page.locator("[data-test=lead-status]").inner_text().strip() == "New"
    assert page.locator(f"text=Lead #{new.pk} created.").is_visible()

    # The refused phone and the illegal move answered 422 by design; nothing else failed.
    unexpected = [f for f in page.failures if not re.match(r"422 .*/clients/\d+/", f)]
    assert unexpected == []
    assert page.foreign == []

    # Both pages in Russian (the switch saves the agent's language).
    page.click(".lang-switch button")
    page.wait_for_url(f"**/clients/{client.pk}/")
    assert page.locator("h2:has-text('Текущий лид')").is_visible()
    screenshot(page, "client-card-ru")
    page.goto("/clients/")
    screenshot(page, "clients-list-ru")
    page.goto("/clients/?q=нет+такого")
    screenshot(page, "clients-list-empty-ru")
    page.goto(f"/clients/{other.pk}/")
    screenshot(page, "client-card-empty-ru")
