"""pytest plugin for browser tests (`-p dreamland.web.testing`): Debian's headless Chromium
through Playwright, against Django's live server.

Fixtures: `browser` (one Chromium per module), `page` (a fresh context at 1440x900 collecting
every failed request, script error, CSP violation and request to another host), `log_in(page,
user)`, and `screenshot(page, name)` which saves the page at 1440x900 and at 390x844 under
`var/screenshots/` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium's background services only fail on a machine with a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh context on the live server. `page.failures` collects failed responses (≥ 400),
    script errors and CSP violations; `page.foreign` every request that left the app's host."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.failures = []
    page.foreign = []
    host = urlsplit(live_server.url).netloc

    def on_response(response: Any) -> None:
        if response.status >= 400:
            page.failures.append(f"{response.status} {response.url}")

    def on_request(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            page.foreign.append(request.url)

    def on_console(message: Any) -> None:
        # "Failed to load resource" repeats a failed response, which on_response has noted.
        if message.type == "error" and "Failed to load resource" not in message.text:
            page.failures.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.failures.append(f"script error: {exc}"))
    yield page
    context.close()


@pytest.fixture
def log_in() -> Callable[..., None]:
    """Log in through `/login/` as a person would; waits until the inbox (or `expect`) loads.
    With `next`, the login goes on to that page (as after following a link while logged out)."""
    from conftest import PASSWORD

    def do(
        page: Any, user: Any, password: str = PASSWORD, expect: str = "**/inbox/**", next: str = ""
    ) -> None:
        page.goto(f"/login/?next={next}" if next else "/login/")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        if expect:
            page.wait_for_url(expect)

    return do


@pytest.fixture
def screenshot() -> Callable[[Any, str], list[Path]]:
    """Save the current page at 1440x900 and at 390x844 (full page), back at desktop size after."""

    def take(page: Any, name: str) -> list[Path]:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        paths = []
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.wait_for_timeout(150)
            path = SCREENSHOTS / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        page.set_viewport_size(DESKTOP)
        return paths

    return take
