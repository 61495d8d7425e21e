"""The district's dashboard and a shop's own figures in Chromium, on two real workers
(PostGIS + Redis): footfall rows of the last weeks and coupons redeemed through the merchant
API; the district manager sees the charts drawn, filters by street and period, the map of the
streets coloured by footfall, and builds the monthly report; the shop sees its own figures."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from game_server.district.flush import upsert
from game_server.kit.db import make_engine, make_session_factory
from game_server.staff.roles import Role
from rewards.codes import display
from tests.game_server.admin.helpers import PASSWORD
from tests.web.conftest import new_context
from tests.web.console_env import (
    SHOP,
    SHOP_NAME,
    Deployment,
    assert_fits_360,
    axe_violations,
    deployment,
    give_coupon,
    new_guest,
    no_exceptions,
    off_loop,
    shot,
    staff_token,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgis, pytest.mark.redis]
__all__ = ["deployment"]  # the module-scoped fixture, imported for pytest

MANAGER = "distretto@comune.lecce.it"
expect.set_options(timeout=20_000)


async def _footfall(database_url: str) -> None:
    """Every hour from 9:00 to 20:00 UTC of the last five weeks on three streets."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = []
    for days in range(35):
        for hour in range(9, 21):
            at = (now - timedelta(days=days)).replace(hour=hour)
            for street, players in (
                ("via-trinchese", 40),
                ("piazza-sant-oronzo", 25),
                ("via-libertini", 12),
            ):
                busy = players + (10 if days < 7 else 0) + (hour % 5)
                rows.append(
                    {
                        "city": "lecce",
                        "street": street,
                        "hour": at,
                        "players": busy,
                        "passes": busy + 3,
                        "dwell_s": 95 * (busy + 3),
                        "updated_at": now,
                    }
                )
    engine = make_engine(database_url)
    async with make_session_factory(engine)() as session:
        await upsert(session, rows)
        await session.commit()
    await engine.dispose()


@pytest.fixture(scope="module")
def district(deployment: Deployment) -> Deployment:
    off_loop(lambda: asyncio.run(_footfall(deployment.database_url)))
    created = httpx.post(
        f"{deployment.url}/admin/v1/staff",
        json={"email": MANAGER, "role": "district", "password": PASSWORD, "cities": ["lecce"]},
        headers=staff_token(deployment.url, Role.ADMIN),
    )
    assert created.status_code == 201, created.text
    # Three coupons of the bar, issued yesterday: two redeemed through the merchant API, one
    # voided. The campaign has run through yesterday's busy hours, so it has footfall to
    # compare whatever the time of day (issued now, at night it had none, and no uplift).
    shop = {"Authorization": f"Bearer {deployment.shop_key}"}
    for n in range(3):
        code = give_coupon(deployment, new_guest(deployment.url), days_ago=1)
        spent = httpx.post(
            f"{deployment.urls[1]}/merchant/v1/redemptions",
            json={"code": display(code)},
            headers={**shop, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert spent.status_code == 201, spent.text
        if n == 2:
            voided = httpx.post(
                f"{deployment.url}/merchant/v1/redemptions/{spent.json()['id']}/void", headers=shop
            )
            assert voided.status_code == 200, voided.text
    return deployment


@pytest.fixture
def desk(browser: Browser, district: Deployment) -> Iterator[BrowserContext]:
    context = new_context(
        browser,
        district.url,
        viewport={"width": 1100, "height": 1400},
        is_mobile=False,
        has_touch=False,
        device_scale_factor=1,
    )
    yield context
    context.close()


def _pixel_of(canvas: Locator, colour: tuple[int, int, int]) -> tuple[int, int]:
    """Where on the canvas (CSS px) the colour is drawn: the middle of its pixels."""
    image = Image.open(io.BytesIO(canvas.screenshot(scale="css"))).convert("RGB")
    found = [
        (x, y)
        for y in range(image.height)
        for x in range(image.width)
        if sum(abs(a - b) for a, b in zip(image.getpixel((x, y)), colour, strict=True)) < 12
    ]
    assert found, f"no pixel of {colour} on the map"
    return sorted(found)[len(found) // 2]


def _sign_in(page: Page) -> None:
    page.goto("/admin/")
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Entra").click()
    expect(page.locator("#who")).to_contain_text(MANAGER)


def test_the_district_dashboard(desk: BrowserContext) -> None:
    page = desk.new_page()
    with no_exceptions(page) as errors:
        _sign_in(page)
        # A district manager lands on the district; content and moderation are not offered.
        expect(
            page.get_by_role("heading", name="Distretto Urbano del Commercio di Lecce")
        ).to_be_visible()
        nav = page.locator("#nav")
        expect(nav.get_by_role("link", name="Distretto")).to_be_visible()
        expect(nav.get_by_role("link", name="Contenuti")).to_have_count(0)
        view = page.locator("#view")
        expect(view).to_have_attribute("data-charts-drawn", "4")
        for chart in ("#chart-streets", "#chart-hours", "#chart-funnel", "#chart-uplift"):
            box = page.locator(chart).bounding_box()
            assert box is not None, chart
            assert box["width"] > 200, chart
            assert box["height"] > 100, chart
            # Chart.js drew on it: some pixels are not blank.
            drawn = page.evaluate(
                """(id) => { const c = document.querySelector(id); const d = c.getContext('2d')
                .getImageData(0, 0, c.width, c.height).data; let n = 0;
                for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""",
                chart,
            )
            assert drawn > 1000, chart
        expect(page.locator("#district-map")).to_have_attribute("data-streets-drawn", "7")
        table = page.locator("#district-streets")
        expect(table.locator("tr[data-street='via-trinchese']")).to_be_visible()
        expect(table.locator("caption")).to_contain_text("3 emessi, 2 riscattati")
        # This week is busier than the four before: a positive uplift on Via Trinchese.
        expect(table.locator("tr[data-street='via-trinchese'] td").nth(3)).to_contain_text("+")
        shot(page, "district-dashboard.png")
        # A district manager reads it on a phone too: nothing sticks out sideways at 360 px,
        # and the charts (canvases) are named for a screen reader.
        assert axe_violations(page) == []
        assert_fits_360(page)
        # The map has no labels: a tap on the busiest street (drawn red) names it.
        x, y = _pixel_of(page.locator("#district-map canvas"), (181, 50, 43))
        page.locator("#district-map canvas").click(position={"x": x, "y": y})
        expect(page.locator(".street-popup")).to_contain_text("Via Salvatore Trinchese: 4368")

        # Filters: one street.
        page.get_by_label("Via", exact=True).select_option("via-libertini")
        page.get_by_role("button", name="Mostra").click()
        expect(table.locator("tbody tr")).to_have_count(1)
        expect(table.locator("tr[data-street='via-libertini']")).to_be_visible()
        # The uplift chart has its campaign's bar, no empty axis.
        expect(page.locator("#chart-uplift")).to_be_visible()
        expect(page.locator("#chart-uplift-empty")).to_be_hidden()

        # Three weeks ago: footfall, but no coupon out yet; the empty charts say so in words.
        weeks_ago = datetime.now(ZoneInfo("Europe/Rome")).date() - timedelta(weeks=3)
        page.get_by_label("Dal").fill((weeks_ago - timedelta(days=6)).isoformat())
        page.get_by_label("Al", exact=True).fill(weeks_ago.isoformat())
        page.get_by_role("button", name="Mostra").click()
        expect(page.locator("#chart-funnel-empty")).to_have_text(
            "Nessun buono emesso in questo periodo."
        )
        expect(page.locator("#chart-uplift-empty")).to_contain_text("Nessuna campagna")
        expect(page.locator("#chart-uplift")).to_be_hidden()
        expect(page.locator("#chart-funnel")).to_be_hidden()
        expect(view).to_have_attribute("data-charts-drawn", "2")

        # The monthly pack, built from the console.
        page.get_by_role("button", name="Genera PDF e CSV").click()
        expect(page.locator("#district-pdf")).to_be_visible()
        expect(page.locator("#district-report")).to_be_visible()
        expect(page.get_by_text("Rapporto pronto (5 pagine)")).to_be_visible()

        # English, like the rest of the console.
        page.locator("#lang").click()
        expect(
            page.get_by_role("heading", name="Urban Commercial District of Lecce")
        ).to_be_visible()
        expect(page.locator("#view")).to_have_attribute("data-charts-drawn", "4")
        page.get_by_label("From").fill((weeks_ago - timedelta(days=6)).isoformat())
        page.get_by_label("To", exact=True).fill(weeks_ago.isoformat())
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#chart-funnel-empty")).to_have_text("No coupon issued in this period.")
        expect(page.locator("#chart-uplift-empty")).to_contain_text("No campaign to compare")
    assert errors == []


def test_a_shop_sees_its_own_figures(browser: Browser, district: Deployment) -> None:
    context = new_context(browser, district.url)
    page = context.new_page()
    try:
        page.goto("/merchant/")
        page.get_by_label("Chiave API (lpm_…)").fill(district.shop_key)
        page.get_by_role("button", name="Entra").click()
        expect(page.get_by_role("heading", name=SHOP_NAME)).to_be_visible()
        figures = page.locator("#figures")
        expect(figures.locator("[data-figure='issued']")).to_have_text("3")
        expect(figures.locator("[data-figure='redeemed']")).to_have_text("2")
        expect(figures.locator("[data-figure='voided']")).to_have_text("1")
        expect(figures.locator("[data-figure='rate']")).to_have_text("67 %")
        expect(page.locator("#figures-street")).to_contain_text("Piazza Sant'Oronzo")
        shot(page, "merchant-figures.png")
    finally:
        context.close()
    # Through the API, the key reads its own shop only, whatever it asks.
    mine = httpx.get(
        f"{district.url}/merchant/v1/figures?merchant=pasticceria-trinchese-demo",
        headers={"Authorization": f"Bearer {district.shop_key}"},
    ).json()
    assert mine["merchant"] == SHOP
