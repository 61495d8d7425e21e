"""Italian and English, switched in the page; no serious or critical axe-core violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.paths import ROOT
from tests.web.conftest import shoot

pytestmark = pytest.mark.browser

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core (the npm package) run in the page: serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_switching_between_italian_and_english(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("heading", level=2)).to_have_text("Benvenuto nella Lecce storica")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2)).to_have_text("Welcome to historic Lecce")
    page.get_by_role("button", name="Start playing").click()
    expect(page.get_by_role("navigation", name="Sections")).to_be_visible()
    expect(page.locator("[data-site=porta_rudiae]")).to_contain_text("Rudiae Gate")
    page.get_by_role("button", name="Quests").click()
    expect(page.locator("[data-quest=porte-della-citta]")).to_contain_text("The city gates")
    shoot(page, "english")
    page.reload()  # the choice is kept
    expect(page.get_by_role("button", name="Quests")).to_be_visible()
    page.get_by_role("button", name="Italiano").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator("[data-site=porta_rudiae]")).to_contain_text("Porta Rudiae")
    page.get_by_role("button", name="Missioni").click()
    expect(page.locator("[data-quest=porte-della-citta]")).to_contain_text("Le porte della città")


def test_no_serious_accessibility_violation(page: Page) -> None:
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-sites-drawn", "54")
    shoot(page, "welcome")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Inizia a giocare").click()
    expect(page.locator("body")).to_have_attribute("data-status", "online")
    assert axe_violations(page) == []
    page.locator("[data-site=porta_rudiae]").click()
    expect(page.get_by_role("dialog")).to_contain_text("Porta Rudiae")
    shoot(page, "site")
    assert axe_violations(page) == []
    page.get_by_role("dialog").get_by_role("button", name="Chiudi").click()
    for tab in ["Missioni", "Premi", "Classifiche", "Squadra", "Profilo"]:
        page.get_by_role("button", name=tab).click()
        expect(page.locator("#view h2").first).to_be_visible()
        assert axe_violations(page) == [], tab
    page.get_by_role("button", name="Missioni").click()
    page.locator("[data-quest=porte-della-citta]").click()
    page.get_by_role("button", name="Inizia la missione").click()
    expect(page.locator("[data-step=quiz] form")).to_be_visible()
    assert axe_violations(page) == []


def test_a_keyboard_alone_starts_and_moves_between_sections(page: Page) -> None:
    page.goto("/")
    expect(page.locator("body")).to_have_attribute("data-sites-drawn", "54")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Vai al contenuto")).to_be_focused()
    for _ in range(10):  # skip link, language, then the welcome's first button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "start-guest":
            break
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_have_attribute("data-status", "online")
    page.get_by_role("button", name="Missioni", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#view")).to_be_focused()  # focus follows the section
    expect(page.get_by_role("heading", name="Missioni")).to_be_visible()


def test_every_section_tab_is_in_sight_at_360_px(page: Page) -> None:
    """A small phone (360 px): the six tabs fit on screen, none scrolled out of sight, each a
    44 px target with its whole label, in Italian and English; nothing sticks out sideways."""
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto("/")
    page.get_by_role("button", name="Inizia a giocare").click()
    tabs = page.locator("#tabs .tab")
    expect(tabs).to_have_count(6)
    for language in ("it", "en"):
        if language == "en":
            page.get_by_role("button", name="English").click()
            expect(tabs.nth(3)).to_have_text("Rankings")
        boxes = page.evaluate(
            "() => [...document.querySelectorAll('#tabs .tab')].map(t => {"
            " const r = t.getBoundingClientRect();"
            " return {left: r.left, right: r.right, height: r.height,"
            " clipped: t.scrollWidth > t.clientWidth, text: t.textContent}; })"
        )
        for box in boxes:
            assert box["left"] >= 0, box
            assert box["right"] <= 360, box
            assert box["height"] >= 44, box
            assert not box["clipped"], box
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
