"""A guest walks "Le porte della città" with the browser's (emulated) geolocation, answers the
quiz in the page, gets the badge and the coupon; then keeps that progress with a passkey and
signs in with it in a fresh browser context (another device)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

from tests.web.conftest import new_context, player_page, shoot, start_guest
from tests.web.server import ServerClock, fresh_sqlite, serve_with_clock
from tests.web.walk import at, feed, path

pytestmark = pytest.mark.browser

QUEST = "porte-della-citta"
BADGE = "custode-delle-porte"


def localhost(url: str) -> str:
    """WebAuthn refuses IP addresses as relying party ids: the page must be on a name."""
    return url.replace("127.0.0.1", "localhost")


def open_quest(page: Page) -> None:
    page.get_by_role("button", name="Missioni").click()
    page.locator(f"[data-quest={QUEST}]").click()
    expect(page.locator("#quest-title")).to_contain_text("Le porte della città")


def answer_quiz_at_rudiae(page: Page) -> None:
    quiz = page.locator("[data-step=quiz]")
    expect(quiz.get_by_role("note")).to_contain_text("Porta Rudiae")
    quiz.get_by_label("La tua risposta").fill("Rudiae")
    quiz.get_by_role("button", name="Rispondi").click()
    expect(page.locator("[data-step=quiz]")).to_have_attribute("data-done", "true")


def authenticator(context: BrowserContext, page: Page) -> tuple[CDPSession, str]:
    """Chromium's virtual authenticator for this page: a phone's platform passkey store."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return cdp, added["authenticatorId"]


@pytest.fixture(scope="module")
def clocked_server(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, ServerClock]]:
    """A server of this module whose time the walk advances with the page's fake clock."""
    clock = ServerClock()
    folder = tmp_path_factory.mktemp("walk-server")
    with serve_with_clock(fresh_sqlite(sqlite_template, folder), clock) as url:
        yield url, clock


@pytest.fixture(scope="module")
def walked(browser: Browser, clocked_server: tuple[str, ServerClock]) -> Iterator[Page]:
    """A guest who walked the three gates, quiz answered at Porta Rudiae."""
    url, clock = clocked_server
    context = new_context(browser, localhost(url))
    napoli = at("porta_napoli")
    page = player_page(context, napoli.lat, napoli.lon)
    start_guest(page)
    open_quest(page)
    page.get_by_role("button", name="Inizia la missione").click()
    expect(page.locator("#quest-title [data-status]")).to_have_text("In corso")
    feed(
        page,
        path([at("porta_napoli", 30), at("porta_rudiae", 40)], seed=1),
        server_clock=clock.advance,
    )
    expect(page.locator("[data-step=napoli]")).to_have_attribute("data-done", "true")
    shoot(page, "quest-quiz")
    answer_quiz_at_rudiae(page)
    feed(
        page,
        path([at("porta_rudiae", 10), at("porta_san_biagio", 40)], seed=2),
        server_clock=clock.advance,
    )
    yield page
    context.close()


def test_the_walk_completes_the_quest_with_badge_and_coupon_qr(walked: Page) -> None:
    page = walked
    expect(page.locator("#quest-title [data-status]")).to_have_text("Completata")
    expect(page.locator("#log [data-kind='quest.completed']")).to_have_count(1)
    shoot(page, "quest-completed")
    page.get_by_role("button", name="Premi").click()
    expect(page.locator(f"[data-badge={BADGE}]")).to_contain_text("Custode delle porte")
    coupon = page.locator("[data-coupon][data-state=active]")
    expect(coupon).to_have_count(1)
    shoot(page, "rewards")
    coupon.get_by_role("button", name="Mostra alla cassa").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("img", name="QR del buono")).to_be_visible()
    expect(dialog.locator("svg")).to_have_count(1)
    expect(dialog.locator(".till-code")).to_have_text(coupon.get_attribute("data-coupon") or "")
    shoot(page, "coupon-qr")
    dialog.get_by_role("button", name="Chiudi").click()
    page.locator(f"[data-badge={BADGE}]").get_by_role("button").click()
    credential = page.get_by_role("dialog")
    expect(credential.locator("[data-issuer]")).to_contain_text("Emessa da")
    expect(credential.locator(".jwt")).to_contain_text("eyJ")
    credential.get_by_role("button", name="Chiudi").click()
    page.get_by_role("button", name="Classifiche").click()
    expect(page.locator(".my-rank")).to_contain_text("La tua posizione:")
    expect(page.locator(".board li.me")).to_have_count(1)


def test_a_passkey_keeps_the_progress_on_another_device(
    walked: Page, browser: Browser, clocked_server: tuple[str, ServerClock]
) -> None:
    page = walked
    cdp, first = authenticator(page.context, page)
    page.get_by_role("button", name="Profilo").click()
    player = page.locator("[data-player]").get_attribute("data-player")
    page.get_by_role("button", name="Crea una passkey").click()
    expect(page.locator(".passkey-count")).to_have_text("Passkey registrate: 1")
    shoot(page, "passkey")
    passkeys: list[dict[str, Any]] = cdp.send(
        "WebAuthn.getCredentials", {"authenticatorId": first}
    )["credentials"]
    assert len(passkeys) == 1
    assert passkeys[0]["isResidentCredential"]

    other = new_context(browser, localhost(clocked_server[0]))
    try:
        phone = other.new_page()
        cdp2, second = authenticator(other, phone)
        cdp2.send("WebAuthn.addCredential", {"authenticatorId": second, "credential": passkeys[0]})
        phone.goto("/")
        phone.get_by_role("button", name="Accedi con una passkey").click()
        expect(phone.locator("body")).to_have_attribute("data-status", "online")
        phone.get_by_role("button", name="Profilo").click()
        expect(phone.locator("[data-player]")).to_have_attribute("data-player", player or "")
        phone.get_by_role("button", name="Premi").click()
        expect(phone.locator(f"[data-badge={BADGE}]")).to_have_count(1)
        expect(phone.locator("[data-coupon][data-state=active]")).to_have_count(1)
    finally:
        other.close()
