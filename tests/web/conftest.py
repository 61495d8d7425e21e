"""Browser tests: Debian's Chromium (Playwright) against a real server (docs/web.md).

Locally they skip with a reason when Chromium or the web build is missing; under CI=true they
fail instead, so CI can never go green without having run them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.services import IN_CI
from tests.web.server import DIST, fresh_sqlite, serve

CHROMIUM = os.environ.get("LUPIAE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
# Phone first: the tests (and the README's screenshots) use a 390×844 phone screen.
PHONE = {"width": 390, "height": 844}
# `make screenshots` sets it to docs/img (the README's pictures); otherwise they go to a
# scratch folder, so that a test run leaves the repository as it was.
SCREENSHOTS = Path(os.environ.get("LUPIAE_SCREENSHOTS_DIR") or tempfile.gettempdir()) / (
    "" if os.environ.get("LUPIAE_SCREENSHOTS_DIR") else "lupiae-screenshots"
)


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def web_server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real server for the session (each test plays its own guest)."""
    _require((DIST / "index.html").is_file(), f"no web build in {DIST}: run `make web`")
    folder = tmp_path_factory.mktemp("web-server")
    with serve(fresh_sqlite(sqlite_template, folder), folder) as url:
        yield url


@pytest.fixture(scope="module")
def playwright_instance(web_server: str) -> Iterator[Playwright]:
    """Per module: Playwright's sync API keeps an event loop running in this thread while it
    is open, so everything using asyncio.run (the server fixture) comes before it."""
    _require(
        shutil.which(CHROMIUM) is not None, f"{CHROMIUM} not installed (apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_context(browser: Browser, base_url: str, **options: object) -> BrowserContext:
    values: dict[str, object] = {
        "base_url": base_url,
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "it-IT",
        "service_workers": "block",
    }
    values.update(options)
    context = browser.new_context(**values)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def context(browser: Browser, web_server: str) -> Iterator[BrowserContext]:
    context = new_context(browser, web_server)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def player_page(context: BrowserContext, lat: float, lon: float) -> Page:
    """A page allowed to read the (emulated) position, with Playwright's fake clock running
    from now (tests/web/walk.py jumps it forward)."""
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
    page = context.new_page()
    page.clock.install(time=time.time())
    return page


def start_guest(page: Page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Inizia a giocare").click()
    expect(page.locator("body")).to_have_attribute("data-status", "online")


def shoot(page: Page, name: str) -> None:
    """A phone-sized screenshot for the README (docs/img/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
