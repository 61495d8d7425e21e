"""The pages under production's Content-Security-Policy (game_server/headers.py): the player
app with its MapLibre map, the shop's page and the staff console load and work, and the
browser reports no violation of the policy."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import new_context
from tests.web.console_env import off_loop
from tests.web.server import fresh_sqlite, serve

pytestmark = pytest.mark.browser

# Every violation the page's document sees, reported by the browser itself.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture(scope="module")
def production(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("production-server")
    database = fresh_sqlite(sqlite_template, folder)
    with contextlib.ExitStack() as stack:
        url = off_loop(
            lambda: stack.enter_context(
                serve(database, folder, LUPIAE_ENV="production", LUPIAE_LOG_LEVEL="warning")
            )
        )
        yield url


def _violations(page: Page, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__violations"), *console]


def test_the_pages_work_under_the_production_policy(browser: Browser, production: str) -> None:
    context = new_context(browser, production)
    context.add_init_script(WATCH)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    answer = page.goto("/")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    expect(page.locator("body")).to_have_attribute("data-sites-drawn", "54")
    page.get_by_role("button", name="Inizia a giocare").click()
    expect(page.locator("body")).to_have_attribute("data-status", "online")
    expect(page.locator("body")).to_have_attribute("data-map", "interactive")
    expect(page.locator("#map canvas")).to_have_count(1)
    page.get_by_role("button", name="Missioni").click()
    assert _violations(page, console) == []

    page.goto("/merchant/")
    expect(page.get_by_role("heading", name="Accedi con la chiave del negozio")).to_be_visible()
    assert _violations(page, console) == []

    page.goto("/admin/")
    expect(page.get_by_label("Email")).to_be_visible()
    assert _violations(page, console) == []
    context.close()
