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


def test_guest_starts_in_one_tap_and_sites_are_drawn(page: Page, web_server: str) -> None:
    streets = httpx.get(f"{web_server}/v1/streets").json()["features"]
    assert {f["properties"]["city"] for f in streets} == {"lecce", "bergamo"}
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-sites-drawn", "54")
    # The district's shopping streets too, first on the sketch (SVG), then on MapLibre's map.
    expect(page.locator("body")).to_have_attribute("data-streets-drawn", str(len(streets)))
    expect(page.locator("#map svg.sketch path[stroke-linecap=round]")).to_have_count(len(streets))
    page.get_by_role("button", name="Inizia a giocare").click()
    expect(page.locator("body")).to_have_attribute("data-status", "online")
    expect(page.get_by_role("navigation", name="Sezioni")).to_be_visible()
    expect(page.locator("[data-site=porta_napoli]")).to_contain_text("Porta Napoli")
    # Playing needs the interactive map: MapLibre replaces the sketch, streets included.
    expect(page.locator("body")).to_have_attribute("data-map", "interactive")
    expect(page.locator("#map svg.sketch")).to_have_count(0)
    expect(page.locator("#map canvas")).to_have_count(1)
    in_view = int(page.locator("body").get_attribute("data-map-streets") or 0)
    lecce = sum(f["properties"]["city"] == "lecce" for f in streets)
    assert 0 < in_view <= lecce
