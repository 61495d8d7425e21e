"""The player app loads from the real server, draws the city and starts a guest in one tap."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_app_is_served_with_its_cache_policy(web_server: str) -> None:
    index = httpx.get(f"{web_server}/")
    assert index.status_code == 200
    assert index.headers["cache-control"] == "no-cache"
    assert '<div id="map"' in index.text
    script = next(
        p for p in index.text.split('"') if p.startswith("/assets/") and p.endswith(".js")
    )
    asset = httpx.get(f"{web_server}{script}")
    assert asset.status_code == 200
    assert "immutable" in asset.headers["cache-control"]
    assert httpx.get(f"{web_server}/manifest.webmanifest").json()["short_name"] == "Lupiae"
    assert httpx.get(f"{web_server}/v1/app-config").json() == {"map_style_url": None}
    assert httpx.get(f"{web_server}/healthz").status_code == 200


def test_guest_starts_in_one_tap_and_sites_are_drawn(page: Page) -> None:
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-sites-drawn", "54")
    page.get_by_role("button", name="Inizia a giocare").click()
    expect(page.locator("body")).to_have_attribute("data-status", "online")
    expect(page.get_by_role("navigation", name="Sezioni")).to_be_visible()
    expect(page.locator("[data-site=porta_napoli]")).to_contain_text("Porta Napoli")
