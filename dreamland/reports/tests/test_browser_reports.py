"""The reports page in Chromium, in English and Russian, with data and without."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from conftest import PASSWORD
from dreamland.reports.tests.fixtures import add_more_of_the_same, build_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RANGE = "start=2026-01-01&end=2026-03-31"


def _log_in(page, user, target):
    page.goto(f"/login/?next={quote(target)}")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/reports/**")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_reports_page_draws_its_charts(page, screenshot, manager, agent, other_agent, language):
    manager.preferred_language = language
    manager.save()
    q = build_quarter(agent, other_agent)
    add_more_of_the_same(q, 12)
    _log_in(page, manager, f"/reports/?{RANGE}")

    assert page.locator("svg.chart").count() >= 9
    assert page.locator("svg.chart rect.chart-bar").count() > 0
    heading = "Reports" if language == "en" else "Отчёты"
    assert page.locator("h1").inner_text() == heading
    # No chart text sticks out of its card.
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('section.card')].filter(
            c => c.scrollWidth > c.clientWidth + 1).map(c => c.id)"""
    )
    assert overflow == []
    screenshot(page, f"reports-{language}")
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow
    for section in ("funnel", "acquisition", "agents", "revenue"):  # close-ups to look at
        page.locator(f"#{section}").screenshot(
            path=f"var/screenshots/reports-{language}-phone-{section}.png"
        )
    assert page.failures == []
    assert page.foreign == []


def test_the_empty_reports_page(page, screenshot, agent):
    agent.preferred_language = "ru"
    agent.save()
    _log_in(page, agent, "/reports/")
    assert page.locator(".empty").count() >= 5
    screenshot(page, "reports-empty-ru")
    assert page.failures == []
