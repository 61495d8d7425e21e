"""The shop's page at the till, in Chromium against two real workers on PostGIS + Redis: a real
coupon QR filmed by the camera is verified in the page, offline too, and redeemed exactly once;
typed codes are checked as they are typed; void, today's totals and the CSV."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from rewards.codes import check_character, display
from tests.web.conftest import new_context
from tests.web.console_env import (
    SHOP_NAME,
    Deployment,
    assert_fits_360,
    axe_violations,
    camera_script,
    deployment,
    give_coupon,
    new_guest,
    no_exceptions,
    qr_png,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgis, pytest.mark.redis]
__all__ = ["deployment"]  # the module-scoped fixture, imported for pytest


@pytest.fixture(scope="module")
def coupon(deployment: Deployment) -> tuple[str, bytes]:
    guest = new_guest(deployment.url)
    code = give_coupon(deployment, guest)
    return code, qr_png(deployment.url, guest, code)


@pytest.fixture
def till(
    browser: Browser, deployment: Deployment, coupon: tuple[str, bytes]
) -> Iterator[BrowserContext]:
    """The till's browser, whose camera films the coupon's QR."""
    context = new_context(browser, deployment.url)
    context.add_init_script(camera_script(coupon[1]))
    yield context
    context.close()


def _sign_in(page: Page, key: str) -> None:
    page.goto("/merchant/")
    page.get_by_label("Chiave API (lpm_…)").fill(key)
    page.get_by_role("button", name="Entra").click()
    expect(page.get_by_role("heading", name=SHOP_NAME)).to_be_visible()


def _scan(page: Page) -> None:
    page.get_by_role("button", name="Inquadra il QR").click()
    expect(page.locator("#verdict")).to_contain_text("Firma verificata", timeout=20_000)


def _redemptions_of(deployment: Deployment, code: str) -> list[dict[str, object]]:
    history = httpx.get(
        f"{deployment.urls[1]}/merchant/v1/redemptions",
        params={"from": "2000-01-01", "to": "2100-01-01"},
        headers={"Authorization": f"Bearer {deployment.shop_key}"},
    )
    return [r for r in history.json()["items"] if r["code"].replace("-", "") == code]


def test_sign_in_page_is_accessible(till: BrowserContext) -> None:
    page = till.new_page()
    page.goto("/merchant/")
    expect(page.get_by_role("heading", name="Accedi con la chiave del negozio")).to_be_visible()
    assert axe_violations(page) == []
    assert_fits_360(page)
    page.get_by_label("Chiave API (lpm_…)").fill("lpm_wrong")
    page.get_by_role("button", name="Entra").click()
    expect(page.get_by_role("alert")).to_contain_text("Chiave non valida")
    key_in_local_storage = page.evaluate("() => Object.values(localStorage).join(' ')")
    assert "lpm_" not in key_in_local_storage


def test_a_scanned_qr_is_verified_offline_and_redeemed_exactly_once(
    till: BrowserContext, deployment: Deployment, coupon: tuple[str, bytes]
) -> None:
    code, _ = coupon
    page = till.new_page()
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "redemptions" in r.url else None,
    )
    with no_exceptions(page):
        _sign_in(page, deployment.shop_key)
        assert deployment.shop_key not in page.evaluate(
            "() => Object.values(localStorage).join(' ')"
        )
        redeemed = page.locator("#figures [data-figure='redeemed']")
        expect(redeemed).to_have_text(re.compile(r"^\d+$"))
        before = int(redeemed.inner_text())
        _scan(page)
        expect(page.locator("#verdict")).to_contain_text(display(code))
        expect(page.locator("#outcome")).to_contain_text("si può riscattare")
        # A double tap: the second tap joins the first request.
        page.evaluate(
            "() => { const b = document.getElementById('redeem'); b.click(); b.click(); }"
        )
        expect(page.locator("#outcome")).to_contain_text("Riscattato")
        assert len(posts) == 1
        assert len(_redemptions_of(deployment, code)) == 1
        expect(page.locator("#history tbody tr")).to_have_count(1)
        expect(page.locator("#totals")).to_contain_text("Riscattati oggi: 1")
        # The shop's figures follow the redemption (they were read at sign-in only).
        expect(redeemed).to_have_text(str(before + 1))
        assert axe_violations(page) == []
        assert_fits_360(page)
        shot(page, "merchant-redeemed.png")

        # The same coupon again: when and where it was spent.
        _scan(page)
        expect(page.locator("#outcome")).to_contain_text("Già riscattato il")
        page.get_by_role("button", name="Riscatta").click()
        expect(page.locator("#outcome")).to_contain_text(f"presso {SHOP_NAME}")
        assert len(_redemptions_of(deployment, code)) == 1

        # Network down: the signature is still checked in the page; redeeming is refused.
        till.set_offline(True)
        _scan(page)
        expect(page.locator("#verdict")).to_contain_text(display(code))
        expect(page.locator("#outcome")).to_contain_text("Senza rete: non posso riscattare")
        expect(page.get_by_role("button", name="Riscatta")).to_be_disabled()
        shot(page, "merchant-offline.png")
        till.set_offline(False)


def test_a_camera_turned_while_reading_still_reads_the_code_and_stops_when_told(
    browser: Browser, deployment: Deployment, coupon: tuple[str, bytes]
) -> None:
    """The picture changes size mid-stream (a blank portrait frame first, the QR in landscape
    after): the page reads the frame it has now, at its size now, and then lets the camera go."""
    code, png = coupon
    context = new_context(browser, deployment.url)
    context.add_init_script(camera_script(png, turned_after_ms=1500))
    page = context.new_page()
    with no_exceptions(page):
        _sign_in(page, deployment.shop_key)
        _scan(page)
        expect(page.locator("#verdict")).to_contain_text(display(code))
        assert page.evaluate("() => fakeCameraStream.getVideoTracks()[0].readyState") == "ended"
        expect(page.locator("#camera")).to_be_hidden()

        # Started and stopped by hand: the camera light goes off too.
        page.get_by_role("button", name="Inquadra il QR").click()
        page.get_by_role("button", name="Ferma la fotocamera").click()
        expect(page.get_by_role("button", name="Inquadra il QR")).to_be_visible()
        assert page.evaluate("() => fakeCameraStream.getVideoTracks()[0].readyState") == "ended"
    context.close()


def test_without_a_camera_the_page_says_so_and_the_code_can_be_typed(
    browser: Browser, deployment: Deployment
) -> None:
    context = new_context(browser, deployment.url)
    context.add_init_script(
        """const refused = async () => { throw new DOMException("denied", "NotAllowedError"); };
           Object.defineProperty(navigator, "mediaDevices", {
             value: { getUserMedia: refused }, configurable: true,
           });"""
    )
    page = context.new_page()
    with no_exceptions(page):
        _sign_in(page, deployment.shop_key)
        page.get_by_role("button", name="Inquadra il QR").click()
        expect(page.locator("#verdict")).to_contain_text("Fotocamera non disponibile")
        expect(page.get_by_role("button", name="Inquadra il QR")).to_be_visible()
        expect(page.get_by_label("Oppure scrivi il codice")).to_be_editable()
    context.close()


def _check_typed(page: Page, code: str) -> None:
    page.get_by_label("Oppure scrivi il codice").fill(display(code))
    page.get_by_role("button", name="Controlla").click()


def test_other_shops_unknown_and_expired_coupons_get_clear_messages(
    till: BrowserContext, deployment: Deployment
) -> None:
    guest = new_guest(deployment.url)
    page = till.new_page()
    _sign_in(page, deployment.shop_key)
    _check_typed(page, give_coupon(deployment, guest, "pasticceria-trinchese-demo"))
    expect(page.locator("#outcome")).to_contain_text("di un altro negozio")
    unknown = "K7QM4XPR" + check_character("K7QM4XPR")
    _check_typed(page, unknown)
    expect(page.locator("#outcome")).to_contain_text("Coupon inesistente")
    expired = give_coupon(deployment, guest, days_ago=400)
    _check_typed(page, expired)
    expect(page.locator("#outcome")).to_contain_text("Scaduto il")
    page.get_by_role("button", name="Riscatta").click()
    expect(page.locator("#outcome")).to_contain_text("Coupon scaduto il")
    assert _redemptions_of(deployment, expired) == []

    # In English, the page asks the API in English too (the browser's own header says it-IT),
    # so a problem's detail shown as the server wrote it is in the page's language.
    page.locator("#lang").click()
    page.locator("#code").fill(display(unknown))
    with page.expect_request(lambda r: "/merchant/v1/coupons/" in r.url) as asked:
        page.locator("#check").click()
    assert asked.value.headers["accept-language"] == "en"
    expect(page.locator("#outcome")).to_contain_text("No such coupon")


def test_a_typed_code_is_checked_as_typed_and_a_reload_mid_redemption_replays(
    till: BrowserContext, deployment: Deployment, tmp_path: Path
) -> None:
    guest = new_guest(deployment.url)
    code = give_coupon(deployment, guest)
    page = till.new_page()
    _sign_in(page, deployment.shop_key)
    field = page.get_by_label("Oppure scrivi il codice")
    typo = code[:3] + ("2" if code[3] != "2" else "3") + code[4:]
    field.fill(display(typo))
    expect(page.locator("#code-check")).to_contain_text("errore di battitura")
    expect(page.get_by_role("button", name="Controlla")).to_be_disabled()
    field.fill(code[:4])
    expect(page.locator("#code-check")).to_contain_text("4 di 9")
    field.fill(code.lower()[:4] + "0")
    expect(page.locator("#code-check")).to_contain_text("non contiene mai 0")
    field.fill(display(code).lower())
    expect(page.locator("#code-check")).to_contain_text("Codice ben scritto")
    page.get_by_role("button", name="Controlla").click()
    expect(page.locator("#outcome")).to_contain_text("si può riscattare")

    # The server redeems, but the answer never reaches the page (as if the page reloaded
    # while it was on its way): the attempt stays pending with its Idempotency-Key.
    keys: list[str] = []

    def lose_answer(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        route.fetch()
        route.abort("connectionreset")

    page.route("**/merchant/v1/redemptions", lose_answer)
    page.get_by_role("button", name="Riscatta").click()
    expect(page.locator("#outcome")).to_contain_text("in sospeso")
    assert len(_redemptions_of(deployment, code)) == 1
    page.unroute("**/merchant/v1/redemptions")
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.headers.get("idempotency-key", ""))
            if r.method == "POST" and r.url.endswith("/redemptions")
            else None
        ),
    )
    page.reload()
    expect(page.locator("#outcome")).to_contain_text("non è stato riscattato due volte")
    assert sent == keys  # the same key, sent again after the reload
    assert len(_redemptions_of(deployment, code)) == 1

    # Void within the window: the coupon works again.
    voided = page.locator("#figures [data-figure='voided']")
    expect(voided).to_have_text(re.compile(r"^\d+$"))
    before = int(voided.inner_text())
    row = page.locator(f'#history tr[data-code="{code}"]')
    row.get_by_role("button", name=f"Annulla il riscatto di {display(code)}").click()
    expect(page.locator("#outcome")).to_contain_text("annullato")
    expect(row).to_contain_text("annullato alle")
    assert _redemptions_of(deployment, code)[0]["voided_at"] is not None
    expect(voided).to_have_text(str(before + 1))

    # The CSV of the period.
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica CSV").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8")
    assert csv.startswith("redemption_id,redeemed_at,voided_at,code")
    assert display(code) in csv or code in csv
    shot(page, "merchant-voided.png")
