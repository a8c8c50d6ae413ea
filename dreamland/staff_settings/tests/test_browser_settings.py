"""In Chromium: an admin creates a user, a template with its live preview, adds a rate and
uploads the National Bank's XML; a manager sees the settings read-only. Screenshots in English
and Russian under var/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dreamland.accounts.models import User
from dreamland.messaging.models import WhatsAppTemplate
from dreamland.money.models import ExchangeRate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NBK = Path(__file__).resolve().parents[2] / "money" / "tests" / "fixtures" / "nbk_2026-11-25.xml"


def _enter(page: Any, log_in: Any, user: User) -> None:
    log_in(page, user, expect="")
    page.wait_for_load_state()
    page.failures.clear()


def test_an_admin_creates_a_user_a_template_and_rates(
    page: Any, log_in: Any, screenshot: Any, admin_user: User
) -> None:
    _enter(page, log_in, admin_user)
    page.goto("/settings/")
    screenshot(page, "settings")
    page.get_by_role("button", name="Turn off").click()
    assert page.get_by_role("button", name="Turn on").is_visible()

    page.goto("/settings/users/")
    page.fill("input[name=name]", "Olga Agent")
    page.fill("input[name=email]", "olga@dreamland.test")
    page.select_option("select[name=role]", "agent")
    page.fill("input[name=password1]", "olga-secret-2026")
    page.fill("input[name=password2]", "olga-secret-2026")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_selector("text=User Olga Agent created.")
    assert User.objects.filter(email="olga@dreamland.test", role="agent").exists()
    screenshot(page, "settings-users")
    page.get_by_role("link", name="Olga Agent").click()
    screenshot(page, "settings-user")

    page.goto("/settings/templates/new/")
    page.fill("input[name=name]", "payment_reminder")
    page.fill("input[name=variables]", "customer_name, amount")
    page.fill("textarea[name=content]", "Hello {{1}}! {{2}} is still due.")
    preview = page.locator("#template-preview")
    preview.get_by_text("Hello [customer_name]! [amount] is still due.").wait_for()
    screenshot(page, "settings-template")
    page.get_by_role("button", name="Save template").click()
    page.wait_for_url("**/settings/templates/")
    assert WhatsAppTemplate.objects.filter(name="payment_reminder").exists()
    screenshot(page, "settings-templates")

    page.goto("/settings/rates/")
    page.select_option("select[name=currency]", "USD")
    page.fill("input[name=on_date]", "2026-11-24")
    page.fill("input[name=rate]", "509.75")
    page.get_by_role("button", name="Save rate").click()
    page.wait_for_selector("text=Rate saved")
    page.set_input_files("input[name=file]", str(NBK))
    page.get_by_role("button", name="Import rates").click()
    page.wait_for_selector("text=Imported 3 rate(s)")
    assert ExchangeRate.objects.count() == 4
    screenshot(page, "settings-rates")
    assert page.failures == [] and page.foreign == []


def test_a_manager_sees_the_settings_read_only(
    page: Any, log_in: Any, screenshot: Any, manager: User, agent: User
) -> None:
    _enter(page, log_in, manager)
    page.goto("/settings/")
    assert page.get_by_text("only an admin can change them").is_visible()
    assert page.get_by_role("button", name="Turn off").count() == 0
    page.goto("/settings/users/")
    assert page.get_by_role("button", name="Create user").count() == 0
    page.goto(f"/settings/users/{agent.pk}/")
    assert page.locator("select[name=role]").is_disabled()
    assert page.locator("input[name=email]").is_disabled()
    screenshot(page, "settings-user-manager")
    page.goto("/settings/rates/")
    assert page.locator("input[name=file]").is_disabled()
    assert page.failures == []


def test_the_settings_in_russian(page: Any, log_in: Any, screenshot: Any, admin_user: User) -> None:
    admin_user.preferred_language = "ru"
    admin_user.save()
    _enter(page, log_in, admin_user)
    for path, name in (
        ("/settings/", "settings-ru"),
        ("/settings/users/", "settings-users-ru"),
        ("/settings/templates/new/", "settings-template-ru"),
        ("/settings/rates/", "settings-rates-ru"),
        ("/settings/tour-aliases/", "settings-aliases-ru"),
    ):
        page.goto(path)
        screenshot(page, name)
    assert page.failures == []
