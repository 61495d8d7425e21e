"""Installable: a manifest with icons, a service worker that controls the page, and a start
without network from what it cached (the app shell and the city's public content)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import new_context

pytestmark = pytest.mark.browser


def test_the_manifest_makes_the_app_installable(web_server: str) -> None:
    manifest = httpx.get(f"{web_server}/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert httpx.get(f"{web_server}{icon['src']}").status_code == 200


def test_the_app_starts_offline_from_its_service_worker(browser: Browser, web_server: str) -> None:
    context = new_context(browser, web_server, service_workers="allow")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("body")).to_have_attribute("data-sites-drawn", "54")
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
        page.reload()  # the content now comes through the worker, which keeps a copy
        expect(page.locator("body")).to_have_attribute("data-sites-drawn", "54")
        context.set_offline(True)
        page.reload()
        expect(page.get_by_role("heading", name="Benvenuto nella Lecce storica")).to_be_visible()
        expect(page.locator("body")).to_have_attribute("data-sites-drawn", "54")
    finally:
        context.close()
