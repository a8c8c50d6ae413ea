"""The back office in a real headless Chromium: login form, the admin's JavaScript, static files.

The test client cannot see what a browser does: CSS and JS served by the app, the "Add another"
inline rows built by the admin's scripts, the login form posting the email. These tests drive
Debian's Chromium through Playwright against a live server.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from conftest import PASSWORD
from dreamland.accounts.models import User
from dreamland.bookings.models import BookingStatus
from dreamland.bookings.services import booking_create
from dreamland.tours.models import Tour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, user: User, password: str = PASSWORD) -> None:
    page.goto("/admin/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")


def test_an_admin_logs_in_with_email_and_the_styled_site_loads(page: Any, admin_user: User) -> None:
    _log_in(page, admin_user, "not the password")
    assert page.locator(".errornote").is_visible()
    _log_in(page, admin_user)
    page.wait_for_url("**/admin/")
    assert "Dreamland PRO" in page.title()
    # The stylesheet really applied: the header is not the browser's default white.
    background = page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    for model in ("Clients", "Leads", "Bookings", "Payments", "Tours"):
        assert page.get_by_role("link", name=model, exact=True).first.is_visible()
    # The wrong password's 200 with an error is expected; nothing else may fail.
    assert page.failures == []


def test_a_tour_gets_departures_through_the_add_another_row(page: Any, admin_user: User) -> None:
    _log_in(page, admin_user)
    page.wait_for_url("**/admin/")
    page.goto("/admin/tours/tour/add/")
    page.fill("input[name=name]", "Kaindy Lake")
    page.fill("input[name=base_price]", "30000")
    page.fill("input[name=capacity]", "15")
    page.fill("input[name=duration_days]", "1")
    day = date.today() + timedelta(days=45)
    rows = page.locator("#departures-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#departures-group .add-row a").click()  # built by the admin's inlines.js
    assert rows.count() == before + 1
    page.fill(f"input[name='departures-{before}-departure_date']", day.isoformat())
    page.fill(f"input[name='departures-{before}-capacity']", "12")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/tours/tour/")
    tour = Tour.objects.get(name="Kaindy Lake")
    assert [(d.departure_date, d.capacity) for d in tour.departures.all()] == [(day, 12)]
    assert page.failures == []


def test_a_payment_recorded_in_the_browser_turns_the_booking_paid(
    page: Any, admin_user: User, make_client: Any, make_departure: Any
) -> None:
    departure = make_departure(price=Decimal("50000.00"), currency="KZT")
    booking = booking_create(
        client=make_client(name="Maria"), tour_departure=departure, num_participants=2
    )
    _log_in(page, admin_user)
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/bookings/booking/{booking.pk}/change/")
    assert "100" in page.locator("body").inner_text()  # the total, 100 000 ₸ in some format
    page.goto(f"/admin/bookings/payment/add/?booking={booking.pk}")
    page.fill("input[name=amount]", "100000")
    page.select_option("select[name=currency]", "KZT")
    page.fill("input[name=payment_date]", date.today().isoformat())
    page.select_option("select[name=payment_method]", "kaspi")
    page.select_option("select[name=status]", "completed")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/bookings/payment/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PAID
    assert page.failures == []
