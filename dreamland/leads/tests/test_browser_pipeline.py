"""Browser: the pipeline board and a booking taken from it to paid, in headless Chromium."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from dreamland.accounts.models import User
from dreamland.bookings.models import Booking, BookingStatus
from dreamland.bookings.selectors import seats_left
from dreamland.bookings.services import booking_create
from dreamland.leads.board import FIRST_CARDS
from dreamland.leads.models import Lead, LeadStatus, LostReason
from dreamland.money.models import ExchangeRate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, user: User, target: str) -> None:
    page.goto(f"/login/?next={target}")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")


def _drag(page: Any, card: Any, status: str) -> None:
    """Drag a card into a column with the mouse, as SortableJS's fallback listens for."""
    target = page.locator(f'[data-cards="{status}"]')
    handle = card.locator(".lc-tour")  # plain text: links and buttons do not start a drag
    box, goal = handle.bounding_box(), target.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    gx, gy = goal["x"] + goal["width"] / 2, goal["y"] + 30
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(x + (gx - x) * step / 15, y + (gy - y) * step / 15)
        page.wait_for_timeout(30)
    page.mouse.up()


def _card(page: Any, lead: Lead) -> Any:
    return page.locator(f'.lead-card[data-lead="{lead.pk}"]')


def test_drag_cards_reassign_and_an_illegal_drop_comes_back(
    page: Any,
    agent: User,
    manager: User,
    other_agent: User,
    make_client: Any,
    make_tour: Any,
    screenshot: Any,
) -> None:
    tour = make_tour(name="Kolsai Lakes")
    reason = LostReason.objects.create(name="Too expensive")
    now = timezone.now()
    fresh = Lead.objects.create(
        client=make_client(name="Maria Ivanova"),
        assigned_agent=agent,
        tour_interest=tour,
        unread_messages_count=2,
        last_message_at=now,
    )
    quoted = Lead.objects.create(
        client=make_client(name="Arman Quoted"),
        assigned_agent=agent,
        status=LeadStatus.QUOTED,
        last_message_at=now - timedelta(hours=3),
    )
    for i in range(6):
        Lead.objects.create(
            client=make_client(name=f"Client with a rather long name {i}"),
            assigned_agent=other_agent,
            status=LeadStatus.values[i % 4],
            last_message_at=now - timedelta(days=i),
        )
    _log_in(page, manager, "/pipeline/")
    screenshot(page, "pipeline-board")

    _drag(page, _card(page, fresh), "contacted")
    page.wait_for_selector(
        f'[data-cards="contacted"] .lead-card[data-lead="{fresh.pk}"][data-status="contacted"]'
    )
    fresh.refresh_from_db()
    assert fresh.status == LeadStatus.CONTACTED

    _drag(page, _card(page, quoted), "new")
    error = page.locator("[data-board-error]")
    error.wait_for(state="visible")
    assert "cannot move back from quoted to new" in error.inner_text()
    page.wait_for_selector(f'[data-cards="quoted"] .lead-card[data-lead="{quoted.pk}"]')
    quoted.refresh_from_db()
    assert quoted.status == LeadStatus.QUOTED
    screenshot(page, "pipeline-refused")
    page.failures.clear()  # the refusal is a 422 by design

    # The keyboard/touch way: the card's status menu; lost asks for a reason.
    _card(page, quoted).locator("summary").click()
    _card(page, quoted).locator("button[value=lost]").click()
    page.locator("[data-lost-dialog]").wait_for(state="visible")
    screenshot(page, "pipeline-lost-reason")
    page.select_option("#lost-reason", str(reason.pk))
    page.click("[data-lost-dialog] button[value=ok]")
    page.wait_for_selector(
        f'[data-cards="lost"] .lead-card[data-lead="{quoted.pk}"][data-status="lost"]'
    )
    quoted.refresh_from_db()
    assert quoted.status == LeadStatus.LOST and quoted.lost_reason == reason
    # A manager reassigns a card.
    _card(page, fresh).locator(".lc-pick").check()
    page.select_option("#bulk-agent", str(other_agent.pk))
    page.click("#bulk-assign button[type=submit]")
    page.wait_for_url("**/pipeline/**")
    fresh.refresh_from_db()
    assert fresh.assigned_agent == other_agent
    assert "Daniyar Agent" in _card(page, fresh).inner_text()
    assert not page.failures and not page.foreign

    page.goto(f"/leads/{fresh.pk}/")
    assert "Daniyar Agent" in page.locator("[data-audit-trail]").inner_text()
    screenshot(page, "lead-page")
    page.goto("/settings/lost-reasons/")
    screenshot(page, "lost-reasons")
    assert not page.failures


def test_book_a_lead_from_the_board_pay_it_and_cancel(
    page: Any, agent: User, make_client: Any, make_tour: Any, make_departure: Any, screenshot: Any
) -> None:
    tour = make_tour(name="Charyn Canyon", capacity=4, base_price=Decimal("45000"))
    departure = make_departure(tour=tour, departure_date=date.today() + timedelta(days=20))
    booking_create(client=make_client(), tour_departure=departure, num_participants=1)
    lead = Lead.objects.create(
        client=make_client(name="Maria Ivanova"),
        assigned_agent=agent,
        tour_interest=tour,
        status=LeadStatus.QUOTED,
        last_message_at=timezone.now(),
    )
    ExchangeRate.objects.create(currency="USD", date=timezone.localdate(), rate=Decimal("500"))
    _log_in(page, agent, "/pipeline/")

    _drag(page, _card(page, lead), "won")
    page.wait_for_url("**/bookings/new/?lead=*")
    option = page.locator("#id_tour_departure option", has_text="Charyn Canyon")
    assert "3 seats left" in option.inner_text()
    page.select_option("#id_tour_departure", str(departure.pk))
    page.fill("#id_num_participants", "2")
    page.fill("#id_travellers", "Maria Ivanova\nIvan Ivanov")
    screenshot(page, "booking-new")
    page.click("button:has-text('Book')")
    page.wait_for_url("**/bookings/*/")
    booking = Booking.objects.get(lead=lead)
    assert list(booking.travellers.values_list("full_name", flat=True)) == [
        "Maria Ivanova",
        "Ivan Ivanov",
    ]
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON

    # Two payments, in KZT and USD, until the booking turns paid (90 000 ₸).
    page.fill("#id_amount", "40000")
    page.select_option("#id_payment_method", "kaspi")
    page.click("button:has-text('Add payment')")
    page.wait_for_selector("[data-payment]")
    assert "50,000" in page.locator("[data-balance-due]").inner_text()
    page.fill("#id_amount", "100")
    page.select_option("#id_currency", "USD")
    page.select_option("#id_payment_method", "card")
    page.click("button:has-text('Add payment')")
    page.wait_for_selector("[data-paid]")
    assert "1 USD = 500.0000 KZT" in page.locator("[data-rate]").inner_text()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID
    screenshot(page, "booking-paid")

    # Beyond the seats left: refused with the number left, beside the field.
    page.fill("#id_num_participants", "4")
    page.click("button:has-text('Change participants')")
    message = page.locator(".has-error .field-error").first
    assert "Only 3 seats left" in message.inner_text()
    page.failures.clear()  # the 422 is the refusal
    screenshot(page, "booking-refused")
    page.fill("#id_num_participants", "3")
    page.click("button:has-text('Change participants')")
    page.wait_for_selector("[data-participants]:has-text('3')")
    assert "participants: 2 → 3" in page.locator("[data-audit-trail]").inner_text()

    # Cancel: the seats are free again.
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('Cancel booking')")
    page.wait_for_selector("[data-booking-status=cancelled]")
    assert seats_left(departure) == 3
    assert "Cancelled" in page.locator("[data-audit-trail]").inner_text()
    page.goto("/bookings/")
    screenshot(page, "bookings-list")
    assert not page.failures and not page.foreign


def test_a_long_column_loads_the_rest_as_it_scrolls_in_russian(
    page: Any, agent: User, make_client: Any, screenshot: Any
) -> None:
    agent.preferred_language = "ru"
    agent.save(update_fields=["preferred_language"])
    now = timezone.now()
    leads = [
        Lead.objects.create(
            client=make_client(name=f"Клиент {i:02d}"),
            assigned_agent=agent,
            last_message_at=now - timedelta(minutes=i),
        )
        for i in range(FIRST_CARDS + 5)
    ]
    _log_in(page, agent, "/pipeline/")
    column = page.locator('[data-cards="new"] .lead-card')
    assert column.count() == FIRST_CARDS
    assert page.locator('[data-column="new"] [data-count]').inner_text() == str(len(leads))
    screenshot(page, "pipeline-first-cards-ru")
    page.locator('[data-cards="new"] .lc-more').scroll_into_view_if_needed()
    _card(page, leads[-1]).wait_for()  # the last of the column, loaded by the scroll
    assert column.count() == len(leads)
    assert page.locator('[data-cards="new"] .lc-more').count() == 0
    # A card that came with the scroll moves from its menu like the first ones.
    last = _card(page, leads[-1])
    last.locator("summary").click()
    last.locator("button[value=contacted]").click()
    page.wait_for_selector(
        f'[data-cards="contacted"] .lead-card[data-lead="{leads[-1].pk}"][data-status="contacted"]'
    )
    leads[-1].refresh_from_db()
    assert leads[-1].status == LeadStatus.CONTACTED
    screenshot(page, "pipeline-scrolled-ru")
    assert not page.failures
