"""The staff console in Chromium against two real workers on PostGIS + Redis: who may reach
what; a curator fixes a bundle, previews a quest, publishes (the other worker follows) and rolls
back; an admin onboards a shop, bans a player (the open socket closes) and reads the audit."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from game_server.staff.roles import Role
from tests.game_server.admin.helpers import PASSWORD
from tests.paths import CONTENT
from tests.web.conftest import new_context
from tests.web.console_env import (
    EMAILS,
    SHOP_NAME,
    TWO_COMUNI,
    Deployment,
    assert_fits_360,
    axe_violations,
    deployment,
    hold_coupons,
    new_guest,
    no_exceptions,
    play_as,
    shot,
    staff_token,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgis, pytest.mark.redis]
__all__ = ["deployment"]  # the module-scoped fixture, imported for pytest

PORTE = "lecce/quests/porte-della-citta.yaml"
SWITCH_BOUND_S = 30.0  # a bound on the wait, not a timing requirement
expect.set_options(timeout=15_000)


@pytest.fixture
def desk(browser: Browser, deployment: Deployment) -> Iterator[BrowserContext]:
    """A staff member's browser (a tablet-sized screen)."""
    context = new_context(browser, deployment.url, viewport={"width": 800, "height": 1000})
    yield context
    context.close()


def _sign_in(page: Page, role: Role | str) -> None:
    email = EMAILS[role] if isinstance(role, Role) else role
    page.goto("/admin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Entra").click()
    expect(page.locator("#who")).to_contain_text(email)


def _title_on(url: str, expected: str) -> None:
    """The worker at `url` serves the quest with `expected` as its English title, within the
    deadline (it polls the active version every 0.5 s)."""
    deadline = time.monotonic() + SWITCH_BOUND_S
    title = None
    while time.monotonic() < deadline:
        quest = httpx.get(f"{url}/v1/quests/porte-della-citta", headers={"Accept-Language": "en"})
        title = quest.json()["title"]
        if title == expected:
            return
        time.sleep(0.1)
    pytest.fail(f"{url} still serves {title!r}, not {expected!r}")


def _close_code(socket: ClientConnection, timeout_s: float = 10.0) -> int | None:
    """Read frames until the server closes the socket (bounded); its close code."""
    deadline = time.monotonic() + timeout_s
    try:
        while (left := deadline - time.monotonic()) > 0:
            socket.recv(timeout=left)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None
    return None


def test_nobody_anonymous_no_shop_and_no_curator_reaches_what_is_not_theirs(
    desk: BrowserContext, deployment: Deployment
) -> None:
    page = desk.new_page()
    page.goto("/admin/#moderation")
    expect(page.get_by_role("heading", name="Accesso dello staff")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    expect(page.locator("#players-table")).to_have_count(0)
    assert axe_violations(page) == []
    assert_fits_360(page)
    shot(page, "console-signin.png")
    assert httpx.get(f"{deployment.url}/admin/v1/players").status_code == 401

    # A shop's API key is not a staff token: the API refuses it and the page asks to sign in.
    shop = {"Authorization": f"Bearer {deployment.shop_key}"}
    assert httpx.get(f"{deployment.url}/admin/v1/auth/me", headers=shop).status_code in {401, 403}
    page.evaluate("(key) => sessionStorage.setItem('lupiae.staff.token', key)", deployment.shop_key)
    page.goto("/admin/#content")
    expect(page.get_by_role("heading", name="Accesso dello staff")).to_be_visible()
    expect(page.locator("#upload-folder")).to_have_count(0)

    # A curator sees content only; moderation and the audit log are refused, page and API.
    _sign_in(page, Role.CURATOR)
    expect(page.locator("#nav a")).to_have_text(["Contenuti"])
    expect(page.locator("#city option")).to_have_text(["Lecce"])  # the one comune it holds
    expect(page.locator("#city")).to_be_disabled()
    page.goto("/admin/#moderation")
    expect(page.locator("#denied")).to_contain_text("Il tuo ruolo (curatore) non può")
    expect(page.locator("#players-table")).to_have_count(0)
    curator = staff_token(deployment.url, Role.CURATOR)
    for path in ("/admin/v1/players", "/admin/v1/audit", "/admin/v1/staff"):
        assert httpx.get(f"{deployment.url}{path}", headers=curator).status_code == 403
    assert "token" not in page.evaluate("() => Object.keys(localStorage).join(' ')")


def _bundle_with_two_mistakes(folder: Path) -> tuple[Path, dict[str, tuple[int, str]]]:
    """A copy of the shipped content with an unknown site in a quest and a radius out of
    range; the lines of both mistakes."""
    root = folder / "content"
    shutil.copytree(CONTENT / "lecce", root / "lecce", ignore=shutil.ignore_patterns("reference"))
    porte = root / PORTE
    porte.write_text(porte.read_text().replace("visit: porta_napoli", "visit: porta_nowhere"))
    pois = root / "lecce" / "pois.yaml"
    lines = pois.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip() == "radius_m: 40")
    lines[index] = lines[index].replace("40", "400")
    pois.write_text("\n".join(lines) + "\n")
    porte_line = next(
        i for i, line in enumerate(porte.read_text().splitlines(), 1) if "porta_nowhere" in line
    )
    return root, {
        PORTE: (porte_line, "{id: napoli, visit: porta_nowhere}"),
        "lecce/pois.yaml": (index + 1, "radius_m: 400"),
    }


def _fix(root: Path) -> None:
    porte = root / PORTE
    text = porte.read_text().replace("porta_nowhere", "porta_napoli")
    porte.write_text(text.replace('en: "The city gates"', 'en: "The gates of Lecce"'))
    pois = root / "lecce" / "pois.yaml"
    pois.write_text(pois.read_text().replace("radius_m: 400", "radius_m: 40"))


def test_a_curator_fixes_a_bundle_previews_a_quest_publishes_and_rolls_back(
    desk: BrowserContext, deployment: Deployment, tmp_path: Path
) -> None:
    root, mistakes = _bundle_with_two_mistakes(tmp_path)
    page = desk.new_page()
    with no_exceptions(page):
        _sign_in(page, Role.CURATOR)
        page.locator("#upload-folder").set_input_files(root)
        expect(page.locator("#content-message")).to_contain_text("2 problemi")
        rows = page.locator("#problems tbody tr")
        expect(rows).to_have_count(2)
        for file, (line, source) in mistakes.items():
            row = rows.filter(has_text=file)
            expect(row.locator("td").nth(1)).to_have_text(str(line))
            expect(row.locator("td").nth(3)).to_contain_text(source)
        expect(rows.filter(has_text=PORTE)).to_contain_text("porta_nowhere")
        assert axe_violations(page) == []
        shot(page, "console-problems.png")

        _fix(root)  # and upload the fixed folder as a zip this time
        archive = shutil.make_archive(str(tmp_path / "bundle"), "zip", root)
        page.locator("#upload-files").set_input_files(archive)
        expect(page.locator("#content-message")).to_contain_text("Nessun problema")
        changed = page.locator('#changes li[data-kind="quests"][data-change="changed"]')
        expect(changed).to_contain_text("porte-della-citta")
        expect(page.locator('#changes li[data-kind="pois"]')).to_have_count(0)

        page.get_by_label("Missione").select_option("porte-della-citta")
        page.get_by_role("button", name="Mostra sulla mappa").click()
        expect(page.locator("#preview-map")).to_have_attribute("data-steps-drawn", "4")
        expect(page.locator("#preview-steps li")).to_have_count(4)
        expect(page.locator("#preview-steps li").first).to_contain_text("Porta Napoli")
        expect(page.locator("#preview-steps li").nth(3)).to_contain_text("Porta Rudiae (quiz")
        # One marker per site, with the steps taken there: Porta Rudiae is steps 2 and 4.
        expect(page.locator(".step-marker")).to_have_text(["1", "2, 4", "3"])
        assert axe_violations(page) == []
        assert_fits_360(page)
        shot(page, "console-preview.png")

        before = page.locator("#versions-table tbody tr").first.get_attribute("data-version")
        page.get_by_role("button", name="Pubblica").click()
        expect(page.locator("#content-message")).to_contain_text("Pubblicata la versione")
        _title_on(deployment.urls[1], "The gates of Lecce")  # the other worker follows
        shot(page, "console-published.png")

        page.get_by_role("button", name=f"Torna alla versione {before}").click()
        expect(page.locator("#content-message")).to_contain_text(
            f"Ora è attiva la versione {before}"
        )
        _title_on(deployment.urls[1], "The city gates")


def test_an_admin_onboards_a_shop_bans_a_player_and_reads_the_audit(
    desk: BrowserContext, deployment: Deployment
) -> None:
    guest = new_guest(deployment.url)
    socket_url = deployment.urls[1].replace("http://", "ws://") + "/v1/play"
    page = desk.new_page()
    with no_exceptions(page), connect(socket_url) as socket:
        socket.send(f'{{"type": "hello", "token": "{guest.access_token}"}}')
        assert '"welcome"' in str(socket.recv(timeout=10))
        _sign_in(page, Role.ADMIN)
        expect(page.locator("#nav a")).to_have_text(
            ["Contenuti", "Staff", "Negozi", "Moderazione", "Distretto", "Registro"]
        )

        page.get_by_role("link", name="Staff").click()
        page.locator("#staff-email").fill("nuovo.curatore@comune.lecce.it")
        page.locator("#staff-password").fill("another long passphrase 42")
        page.get_by_role("button", name="Crea").click()
        expect(page.locator("#staff-table")).to_contain_text("nuovo.curatore@comune.lecce.it")
        assert axe_violations(page) == []
        assert_fits_360(page)
        shot(page, "console-staff.png")

        # The server's problem details come in the page's language, whatever the browser's is
        # (this context's locale is Italian): the same account again, in English then Italian.
        page.locator("#lang").click()
        expect(page.locator("#nav a").nth(1)).to_have_text("Staff")
        expect(page.locator("#staff-title")).to_have_text("Staff accounts")
        for language, said in (
            ("en", "a staff account nuovo.curatore@comune.lecce.it already exists"),
            ("it", "l'account dello staff nuovo.curatore@comune.lecce.it esiste già"),
        ):
            if language == "it":
                page.locator("#lang").click()
                expect(page.locator("#staff-title")).to_have_text("Account dello staff")
            page.locator("#staff-email").fill("nuovo.curatore@comune.lecce.it")
            page.locator("#staff-password").fill("another long passphrase 42")
            page.locator("#staff-form button[type=submit]").click()
            expect(page.locator("#staff-title ~ div[role=status]")).to_contain_text(f"409: {said}")

        page.get_by_role("link", name="Negozi").click()
        for name, value in {
            "slug": "libreria-prova",
            "name": "Libreria di prova",
            "category": "bookshop",
            "street": "Via Palmieri",
            "lat": "40.3529",
            "lon": "18.1700",
        }.items():
            page.locator(f"#merchant-{name}").fill(value)
        page.get_by_role("button", name="Registra").click()
        key = page.locator("#key-once")
        expect(key).to_contain_text("lpm_")
        first_key = key.inner_text()
        assert (
            httpx.get(
                f"{deployment.url}/merchant/v1/totals",
                headers={"Authorization": f"Bearer {first_key}"},
            ).json()["merchant"]["slug"]
            == "libreria-prova"
        )
        page.get_by_role("button", name="Nuova chiave per libreria-prova").click()
        expect(key).not_to_have_text(first_key)
        assert axe_violations(page) == []
        assert_fits_360(page)
        shot(page, "console-merchants.png")

        page.get_by_role("link", name="Moderazione").click()
        # The anti-cheat panel (issue #17): players by risk, with evidence and held coupons.
        expect(page.locator("#risk h3")).to_contain_text("Giocatori per rischio anti-cheat")
        page.get_by_label("Nome o id").fill(guest.player_id)
        page.get_by_role("button", name="Cerca").click()
        found = page.locator(f'#players-table[data-query="{guest.player_id}"] tbody tr')
        expect(found).to_have_count(1)
        reason = "posizioni falsificate per tre giorni"
        page.locator(f"#reason-{guest.player_id}").fill(reason)
        page.get_by_role("button", name="Banna").click()
        expect(page.locator("#moderation-message")).to_contain_text(
            "bannato e scollegato dal gioco"
        )
        assert _close_code(socket) == 1008
        expect(page.locator("#players-table")).to_contain_text(reason)
        assert axe_violations(page) == []
        assert_fits_360(page)
        shot(page, "console-moderation.png")

        page.get_by_role("link", name="Registro").click()
        page.locator("#audit-city").select_option("")  # a ban concerns no comune
        page.get_by_label("Azione (es. player.*, content.publish)").fill("player.*")
        page.get_by_role("button", name="Filtra").click()
        ban = page.locator('#audit-table tr[data-action="player.ban"]')
        expect(ban).to_have_count(1)
        expect(ban).to_contain_text(EMAILS[Role.ADMIN])
        expect(ban).to_contain_text(reason)
        expect(ban).to_contain_text(f"player:{guest.player_id}")
        assert axe_violations(page) == []
        assert_fits_360(page)
        shot(page, "console-audit.png")


def test_an_admin_of_two_comuni_picks_one_and_the_console_follows(
    desk: BrowserContext, deployment: Deployment
) -> None:
    token = httpx.post(
        f"{deployment.url}/admin/v1/auth/login", json={"email": TWO_COMUNI, "password": PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    served = httpx.get(f"{deployment.url}/v1/cities", headers={"Accept-Language": "it"}).json()
    names = {c["slug"]: c["name"] for c in served}
    page = desk.new_page()
    with no_exceptions(page):
        _sign_in(page, TWO_COMUNI)
        picker = page.locator("#city")
        expect(picker.locator("option")).to_have_text([names["bergamo"], names["lecce"]])
        expect(picker).to_be_enabled()

        for city in ("bergamo", "lecce"):
            name = names[city]
            picker.select_option(city)
            page.get_by_role("link", name="Contenuti").click()
            expect(page.locator("#versions-scope")).to_contain_text(name)
            own = httpx.get(
                f"{deployment.url}/admin/v1/content/versions?city={city}", headers=auth
            ).json()
            assert own, f"no version of {city}"
            rows = page.locator("#versions-table tbody tr")
            expect(rows).to_have_count(len(own))
            assert [rows.nth(i).get_attribute("data-version") for i in range(len(own))] == [
                str(v["id"]) for v in own
            ]

            page.get_by_role("link", name="Negozi").click()
            expect(page.locator("#merchants-scope")).to_contain_text(name)
            shops = page.locator("#merchants-table tbody")
            if city == "lecce":
                expect(shops).to_contain_text(SHOP_NAME)
            else:
                expect(shops).not_to_contain_text(SHOP_NAME)

            page.get_by_role("link", name="Staff").click()
            expect(page.locator("#staff-table")).to_contain_text(TWO_COMUNI)
            staff = page.locator("#staff-table")
            if city == "lecce":
                expect(staff).to_contain_text(EMAILS[Role.CURATOR])
            else:  # the Lecce curator holds nothing in Bergamo
                expect(staff).not_to_contain_text(EMAILS[Role.CURATOR])

        page.reload()  # the choice lasts the tab's session
        expect(page.locator("#who")).to_contain_text(TWO_COMUNI)
        expect(picker).to_have_value("lecce")
        picker.select_option("bergamo")
        assert axe_violations(page) == []
        assert_fits_360(page)
        shot(page, "console-comuni.png")


def _players_coupons(phone: Page) -> Locator:
    phone.get_by_role("button", name="Premi").click()
    return phone.locator("[data-coupon]")


def test_an_admin_releases_one_held_coupon_and_refuses_another(
    browser: Browser, desk: BrowserContext, deployment: Deployment
) -> None:
    guest = new_guest(deployment.url)
    released, refused = hold_coupons(deployment, guest)
    # The player's phone: both coupons being checked, why, and no QR to show at the till.
    pocket = new_context(browser, deployment.url)
    phone = pocket.new_page()
    with no_exceptions(phone):
        play_as(phone, guest)
        coupons = _players_coupons(phone)
        expect(coupons).to_have_count(2)
        for code in (released, refused):
            held = phone.locator(f'[data-coupon="{code}"]')
            expect(held).to_have_attribute("data-state", "held")
            expect(held).to_contain_text("In verifica")
            expect(held).to_contain_text("Motivo: punteggio di rischio 12 ≥ 10")
            expect(held.get_by_role("button", name="Mostra alla cassa")).to_have_count(0)
        assert axe_violations(phone) == []
        shot(phone, "player-held-coupons.png")

    page = desk.new_page()
    with no_exceptions(page):
        _sign_in(page, Role.ADMIN)
        page.get_by_role("link", name="Moderazione").click()
        row = page.locator(f'#risk-table tr[data-risk-player="{guest.player_id}"]')
        expect(row).to_contain_text("replay (+")  # the recorded evidence
        expect(row).to_contain_text("repeated_fixes")
        for code in (released, refused):
            held = row.locator(f'li[data-coupon="{code}"]')
            expect(held).to_contain_text("trattenuto")
            expect(held).to_contain_text("punteggio di rischio 12 ≥ 10: lo controlla un moderatore")
        assert axe_violations(page) == []
        assert_fits_360(page)
        shot(page, "console-held-coupons.png")

        first = row.locator(f'li[data-coupon="{released}"]')
        first.get_by_label(f"Nota per il coupon {released}").fill("verificato con il negozio")
        first.get_by_role("button", name="Rilascia").click()
        message = page.locator("#moderation-message")
        expect(message).to_contain_text(f"Coupon {released} rilasciato")
        expect(row.locator(f'li[data-coupon="{released}"]')).to_have_count(0)  # no longer held

        second = row.locator(f'li[data-coupon="{refused}"]')
        second.get_by_label(f"Nota per il coupon {refused}").fill("traccia ripetuta")
        second.get_by_role("button", name="Rifiuta").click()
        expect(message).to_contain_text(f"Coupon {refused} rifiutato")
        decided = row.locator(f'li[data-coupon="{refused}"]')
        expect(decided).to_contain_text("rifiutato da un moderatore: traccia ripetuta")
        expect(decided.get_by_role("button")).to_have_count(0)

    # On the phone: one coupon to show at the till, one refused with the moderator's note.
    with no_exceptions(phone):
        phone.reload()
        _players_coupons(phone)
        good = phone.locator(f'[data-coupon="{released}"]')
        expect(good).to_have_attribute("data-state", "active")
        expect(good.get_by_role("button", name="Mostra alla cassa")).to_be_visible()
        expect(good).not_to_contain_text("Motivo")
        gone = phone.locator(f'[data-coupon="{refused}"]')
        expect(gone).to_have_attribute("data-state", "refused")
        expect(gone).to_contain_text("Rifiutato")
        expect(gone).to_contain_text("Motivo: rifiutato da un moderatore: traccia ripetuta")
        expect(gone.get_by_role("button", name="Mostra alla cassa")).to_have_count(0)
    pocket.close()

    # What the player and the shop see now: one coupon good at the till, one never.
    mine = httpx.get(f"{deployment.url}/v1/me/coupons", headers=guest.auth).json()
    states = {c["code"]: c["state"] for c in mine}
    assert states[released] == "active"
    assert states[refused] == "refused"
    shop = {"Authorization": f"Bearer {deployment.shop_key}"}
    check = httpx.get(f"{deployment.url}/merchant/v1/coupons/{released}", headers=shop).json()
    assert check["state"] == "redeemable"

    page.get_by_role("link", name="Registro").click()
    page.locator("#audit-city").select_option("")
    page.get_by_label("Azione (es. player.*, content.publish)").fill("coupon.*")
    page.get_by_role("button", name="Filtra").click()
    expect(page.locator('#audit-table tr[data-action="coupon.release"]')).to_contain_text(
        "verificato con il negozio"
    )
    expect(page.locator('#audit-table tr[data-action="coupon.refuse"]')).to_contain_text(
        "traccia ripetuta"
    )
