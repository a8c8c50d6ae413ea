"""In Chromium: a manager creates a tour and a departure, sees its occupancy on /tours/, opens the
manifest and downloads the CSV. Screenshots of each page at 1440x900 and 390x844, in English and
Russian, under var/screenshots/."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from dreamland.accounts.models import User
from dreamland.bookings.services import booking_cancel, booking_create
from dreamland.tours.models import Tour
from dreamland.web.templatetags.dates import short_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _enter(page: Any, log_in: Any, user: User) -> None:
    """Log in; the inbox it lands on is another branch's page, so its answer is not checked."""
    log_in(page, user, expect="")
    page.wait_for_load_state()
    page.failures.clear()


def test_a_manager_creates_a_tour_and_a_departure_and_downloads_the_manifest(
    page: Any, log_in: Any, screenshot: Any, manager: User, make_client: Any
) -> None:
    _enter(page, log_in, manager)
    page.goto("/tours/")
    screenshot(page, "tours-empty")
    page.get_by_role("link", name="New tour").click()
    page.fill("input[name=name]", "Kolsai Lakes")
    page.fill("textarea[name=description]", "Three mountain lakes, two days in the Tian Shan.")
    page.fill("input[name=base_price]", "65000")
    page.fill("input[name=capacity]", "18")
    page.fill("input[name=duration_days]", "2")
    screenshot(page, "tour-new")
    page.get_by_role("button", name="Create tour").click()
    page.wait_for_url("**/tours/*/")
    tour = Tour.objects.get(name="Kolsai Lakes")
    page.get_by_role("link", name="Add a departure").first.click()
    day = date.today() + timedelta(days=21)
    page.fill("input[name=departure_date]", day.isoformat())
    page.fill("input[name=capacity]", "12")
    page.get_by_role("button", name="Create departure").click()
    page.wait_for_url("**/departures/*/")
    departure = tour.departures.get()

    # Bookings come from the sales pages; here they are made through the service.
    booking_create(
        client=make_client(name="Maria Ivanova"), tour_departure=departure, num_participants=3
    )
    booking_create(
        client=make_client(name="Алия Серикова"), tour_departure=departure, num_participants=4
    )
    gone = booking_create(
        client=make_client(name="Ivan Petrov"), tour_departure=departure, num_participants=2
    )
    booking_cancel(booking=gone)

    page.goto("/tours/")
    card = page.locator(f"[data-tour='{tour.pk}']")
    assert "7 / 12" in card.inner_text()
    assert card.locator("meter.occupancy").get_attribute("value") == "58"
    screenshot(page, "tours")
    with translation.override("en"):
        shown = short_date(day)  # "Dec 24" this year, "Dec 24, 2027" later
    card.get_by_role("link", name=shown).click()
    page.wait_for_url(f"**/departures/{departure.pk}/")
    assert page.locator(".manifest-table tbody tr").count() == 3  # 2 active + 1 cancelled
    assert page.locator(".cancelled-bookings s", has_text="Ivan Petrov").is_visible()
    screenshot(page, "departure")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    content = Path(info.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode()) and "Алия Серикова" in content.decode("utf-8-sig")
    page.goto(f"/tours/{tour.pk}/")
    screenshot(page, "tour")
    page.goto(f"/departures/{departure.pk}/edit/")
    page.fill("input[name=capacity]", "5")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".has-error .field-error").inner_text().startswith("Capacity 5 is below")
    screenshot(page, "departure-edit-error")
    page.failures[:] = [f for f in page.failures if not f.startswith("422 ")]  # the refusal
    assert page.failures == [] and page.foreign == []


def test_the_tours_pages_in_russian(
    page: Any,
    log_in: Any,
    screenshot: Any,
    manager: User,
    make_tour: Any,
    make_departure: Any,
    make_client: Any,
) -> None:
    manager.preferred_language = "ru"
    manager.save()
    tour = make_tour(name="Чарынский каньон", capacity=20, base_price=Decimal("45000"))
    departure = make_departure(tour=tour, departure_date=date.today() + timedelta(days=9))
    for n in range(5):
        booking_create(
            client=make_client(name=f"Клиент Долгофамильный-{n}"),
            tour_departure=departure,
            num_participants=2,
        )
    make_departure(
        tour=make_tour(name="Большое Алматинское озеро"),
        departure_date=date.today() + timedelta(days=3),
    )
    _enter(page, log_in, manager)
    page.goto("/tours/")
    assert page.locator("h1").inner_text() == "Туры"
    screenshot(page, "tours-ru")
    page.goto(f"/departures/{departure.pk}/")
    screenshot(page, "departure-ru")
    page.goto(f"/tours/{tour.pk}/")
    screenshot(page, "tour-ru")
    assert page.failures == []
