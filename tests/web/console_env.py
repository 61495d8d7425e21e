"""The merchant page's and staff console's browser tests: two real workers on PostGIS and
Redis, staff accounts, a shop, coupons issued to a real player, a camera filming the coupon's
QR, the accessibility scan and the 360 px check."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page

from content import load_bundle
from game_server import migrate
from game_server.anticheat import service as anticheat
from game_server.audit.actors import Actor
from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.kit.clock import utcnow
from game_server.kit.db import make_engine, make_session_factory
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.service import StaffService
from rewards.codes import display
from rewards.issuance import issue_coupon
from tests.game_server.admin.helpers import PASSWORD
from tests.paths import CONTENT, ROOT
from tests.services import fresh_postgis_database, require_env
from tests.web.server import DIST, serve

T = TypeVar("T")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SHOP = "bar-della-piazza-demo"
SHOP_NAME = "Bar della Piazza (DEMO)"
EMAILS = {Role.ADMIN: "maria.rossi@comune.lecce.it", Role.CURATOR: "curatore@comune.lecce.it"}
# An admin of the Ambito holding both comuni the content ships (the console's comune picker).
TWO_COMUNI = "ambito@provincia.example.it"


@dataclass(frozen=True)
class Deployment:
    """Two workers sharing one PostGIS database and one Redis."""

    urls: tuple[str, str]
    database_url: str
    shop_key: str

    @property
    def url(self) -> str:
        return self.urls[0]


async def _create_staff(database_url: str) -> None:
    engine = make_engine(database_url)
    async with make_session_factory(engine)() as session:
        service = StaffService(StaffRepository(session), AuditLog(AuditRepository(session)))
        for role, email in EMAILS.items():
            await service.create(email, role, PASSWORD, by=Actor.cli("tests"))
        await service.create(
            TWO_COMUNI, Role.ADMIN, PASSWORD, by=Actor.cli("tests"), cities=("lecce", "bergamo")
        )
        await session.commit()
    await engine.dispose()


def staff_token(url: str, role: Role) -> dict[str, str]:
    login = httpx.post(
        f"{url}/admin/v1/auth/login", json={"email": EMAILS[role], "password": PASSWORD}
    )
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _onboard_shop(url: str) -> str:
    """The content's demo bar, onboarded through the admin API; its key (shown once)."""
    merchant = next(m for m in load_bundle(CONTENT).bundle.merchants if m.slug == SHOP)  # type: ignore[union-attr]
    body = {
        "slug": SHOP,
        "name": merchant.name,
        "category": merchant.category,
        "street": merchant.street,
        "lat": merchant.lat,
        "lon": merchant.lon,
    }
    created = httpx.post(
        f"{url}/admin/v1/merchants", json=body, headers=staff_token(url, Role.ADMIN)
    )
    assert created.status_code == 201, created.text
    return str(created.json()["api_key"])


def off_loop(function: Callable[[], T]) -> T:
    """Run `function` in a thread of its own: Playwright's sync API keeps an event loop running
    in this one, so `asyncio.run` (database set-up, `serve`) cannot run here."""
    with ThreadPoolExecutor(1) as executor:
        return executor.submit(function).result()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if not (DIST / "merchant" / "index.html").is_file():
        pytest.fail("no web build with the merchant page: run `make web`", pytrace=False)
    redis_url = require_env("LUPIAE_TEST_REDIS_URL", "Redis")
    base = require_env("LUPIAE_TEST_DATABASE_URL", "PostGIS")
    logs = tmp_path_factory.mktemp("console-workers")
    databases = fresh_postgis_database(base)
    database_url = off_loop(lambda: next(databases))
    env = {"LUPIAE_REDIS_URL": redis_url, "LUPIAE_CONTENT_POLL_S": "0.5"}
    with contextlib.ExitStack() as stack:
        stack.callback(off_loop, lambda: next(databases, None))  # drops the database
        off_loop(lambda: migrate.upgrade(database_url))
        off_loop(lambda: asyncio.run(_create_staff(database_url)))
        first = off_loop(lambda: stack.enter_context(serve(database_url, logs, **env)))
        second = off_loop(lambda: stack.enter_context(serve(database_url, logs, **env)))
        yield Deployment((first, second), database_url, _onboard_shop(first))


# ---- players and coupons ---------------------------------------------------------------


@dataclass(frozen=True)
class Guest:
    player_id: str
    access_token: str
    tokens: dict[str, Any]  # the whole answer of POST /v1/auth/guest

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def new_guest(url: str) -> Guest:
    body = httpx.post(f"{url}/v1/auth/guest").json()
    return Guest(body["player_id"], body["access_token"], body)


def play_as(page: Page, guest: Guest) -> None:
    """The player app opened as `guest`: its "start playing" gets this guest's tokens."""
    page.route("**/v1/auth/guest", lambda route: route.fulfill(json=guest.tokens))
    page.goto("/")
    page.get_by_role("button", name="Inizia a giocare").click()


async def _issue(database_url: str, player_id: str, template_slug: str, days_ago: int) -> str:
    template = next(
        t
        for t in load_bundle(CONTENT).bundle.coupons  # type: ignore[union-attr]
        if t.slug == template_slug
    )
    engine = make_engine(database_url)
    async with make_session_factory(engine)() as session:
        issued = await issue_coupon(
            session,
            template,
            uuid.UUID(player_id),
            f"test:{uuid.uuid4().hex}",
            now=utcnow() - timedelta(days=days_ago),
        )
        await session.commit()
    await engine.dispose()
    assert issued is not None
    return issued.code


def give_coupon(
    deployment: Deployment, guest: Guest, merchant: str = SHOP, *, days_ago: int = 0
) -> str:
    """A coupon of the content's template for `merchant`, issued to the guest as a quest
    would (rewards.issuance) `days_ago` days ago; its code."""
    template = next(
        t.slug
        for t in load_bundle(CONTENT).bundle.coupons  # type: ignore[union-attr]
        if t.merchant == merchant
    )
    return off_loop(
        lambda: asyncio.run(_issue(deployment.database_url, guest.player_id, template, days_ago))
    )


async def _hold(database_url: str, player_id: str, templates: list[str]) -> list[str]:
    """A pattern no honest phone produces on the player's record, and one held coupon of each
    template (as the anti-cheat issues them over the risk threshold); their codes."""
    bundle = load_bundle(CONTENT).bundle
    assert bundle is not None
    engine = make_engine(database_url)
    codes = []
    async with make_session_factory(engine)() as session:
        await anticheat.record(
            session, uuid.UUID(player_id), "replay", {"repeated_fixes": 40, "window_s": 120}
        )
        for slug in templates:
            template = next(t for t in bundle.coupons if t.slug == slug)
            issued = await issue_coupon(
                session,
                template,
                uuid.UUID(player_id),
                f"test:{uuid.uuid4().hex}",
                hold_reason="risk score 12 ≥ 10: a moderator checks",
            )
            assert issued is not None
            assert issued.hold_reason
            codes.append(display(issued.code))
        await session.commit()
    await engine.dispose()
    return codes


def hold_coupons(deployment: Deployment, guest: Guest) -> list[str]:
    """Two coupons (the demo bar's, then another Lecce shop's) issued held to a guest with a
    replayed trace on record; their codes as shown (`K7QM-4XPR-W`)."""
    templates = ["caffe-in-piazza", "dolce-trinchese"]
    return off_loop(lambda: asyncio.run(_hold(deployment.database_url, guest.player_id, templates)))


def qr_png(url: str, guest: Guest, code: str) -> bytes:
    """The coupon's QR image exactly as the player's app gets it."""
    response = httpx.get(f"{url}/v1/me/coupons/{code}/qr.png", headers=guest.auth)
    response.raise_for_status()
    return response.content


def camera_script(png: bytes, *, turned_after_ms: int = 0) -> str:
    """A page script (for `add_init_script`) whose camera films the QR image on white.

    `getUserMedia` answers with the video of a 640×480 canvas repainted ten times a second, so
    the page's own decoder (@zxing/browser) reads real video frames. It replaces Chromium's
    fake-capture flags, whose permission prompt and frame delivery differ between Chromium
    builds (Debian's and Chrome for Testing); the pixels are passed as data, so no image load
    depends on the page's Content-Security-Policy.

    With `turned_after_ms`, the camera first films a blank 240×320 portrait picture (a phone
    held upright, pointed at the counter) and only after that many milliseconds turns to the
    640×480 picture of the QR: the video changes size while the page is reading it."""
    qr = Image.open(io.BytesIO(png)).convert("L")
    side = min(400, max(qr.size))
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    canvas = Image.new("L", (640, 480), 255)
    canvas.paste(qr, ((640 - side) // 2, (480 - side) // 2))
    luma = base64.b64encode(canvas.tobytes()).decode("ascii")
    return (
        (
            """
(() => {
  const luma = Uint8Array.from(atob("LUMA"), (c) => c.charCodeAt(0));
  const turnedAfter = TURNED_AFTER;
  const fake = async () => {
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d");
    const started = Date.now();
    let image = null;
    const paint = () => {
      if (Date.now() - started < turnedAfter) {
        canvas.width = 240;
        canvas.height = 320;
        context.fillStyle = "#fff";
        context.fillRect(0, 0, 240, 320);
        return;
      }
      if (image === null) {
        canvas.width = 640;
        canvas.height = 480;
        image = context.createImageData(640, 480);
        for (let i = 0; i < luma.length; i++) {
          image.data.set([luma[i], luma[i], luma[i], 255], i * 4);
        }
      }
      context.putImageData(image, 0, 0);
    };
    paint();
    setInterval(paint, 100);
    window.fakeCameraStream = canvas.captureStream(10);
    return window.fakeCameraStream;
  };
  Object.defineProperty(navigator, "mediaDevices", {
    value: { getUserMedia: fake, enumerateDevices: async () => [] },
    configurable: true,
  });
})();
"""
        )
        .replace("LUMA", luma)
        .replace("TURNED_AFTER", str(int(turned_after_ms)))
    )


# ---- page checks -----------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa']})).violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))"
    )
    return list(result)


def assert_fits_360(page: Page) -> None:
    """At 360 px wide nothing sticks out sideways (no page-level horizontal scroll)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 780})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360 px"
    if size:
        page.set_viewport_size(size)


def shot(page: Page, name: str) -> None:
    from tests.web.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@contextlib.contextmanager
def no_exceptions(page: Page) -> Iterator[list[str]]:
    """Collect the page's uncaught errors; the block asserts none happened."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    assert errors == []
