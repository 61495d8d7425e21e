"""The coupon funnel, the footfall figures and a shop's own figures, through the HTTP API.

Coupons of the shipped Lecce campaigns are issued as the quests issue them; the shops redeem
and void them through the merchant API; the district manager's funnel must say exactly that.
A shop reads its own figures with its key, and nothing of another shop.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from shapely.geometry import Polygon

from content.model import Bundle
from game_server.app import create_app
from game_server.district.flush import upsert
from game_server.staff.roles import Role
from quests.models import Visit
from rewards import codes
from rewards.issuance import issue_coupon
from rewards.merchants import MerchantService, MerchantSpec
from rewards.repository import MerchantRepository
from tests.conftest import make_settings
from tests.game_server.admin.helpers import staff
from tests.game_server.gateway.live import publish_shipped
from tests.rewards import factories

ZONE = ZoneInfo("Europe/Rome")


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    await publish_shipped(database_url)
    application = create_app(make_settings(database_url))
    async with application.router.lifespan_context(application):
        yield application


def _bundle(app: FastAPI) -> Bundle:
    bundle: Bundle = app.state.catalog.require().bundle
    return bundle


async def _shop(app: FastAPI, slug: str) -> dict[str, str]:
    bundle = _bundle(app)
    merchant = next(m for m in bundle.merchants if m.slug == slug)
    district = bundle.area_by_role("district", "lecce")
    assert district is not None
    spec = MerchantSpec(
        slug=slug,
        name=merchant.name,
        category=merchant.category,
        street=merchant.street,
        lat=merchant.lat,
        lon=merchant.lon,
        city="lecce",
    )
    async with app.state.session_factory() as session:
        _, key = await MerchantService(MerchantRepository(session), actor="tests").create(
            spec, Polygon(district.polygon)
        )
        await session.commit()
    return {"Authorization": f"Bearer {key.api_key}", "Accept-Language": "en"}


async def _issue(app: FastAPI, template: str, quest: str, at: datetime) -> tuple[uuid.UUID, str]:
    tpl = next(c for c in _bundle(app).coupons if c.slug == template)
    async with app.state.session_factory() as session:
        player = await factories.player(session)
        issued = await issue_coupon(session, tpl, player, f"quest:{quest}:1", now=at)
        await session.commit()
    assert issued is not None
    return player, codes.display(issued.code)


async def _visit(app: FastAPI, player: uuid.UUID, poi: str, at: datetime) -> None:
    async with app.state.session_factory() as session:
        ts = int(at.timestamp() * 1000)
        session.add(Visit(player_id=player, poi=poi, entered_ts_ms=ts, visited_at=at, dwell_s=60))
        await session.commit()


async def _redeem(client: httpx.AsyncClient, auth: dict[str, str], code: str) -> dict:
    headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
    response = await client.post("/merchant/v1/redemptions", json={"code": code}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


async def test_the_funnel_matches_the_redemptions_made_through_the_merchant_api(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await _shop(app, "bar-della-piazza-demo")
    sweets = await _shop(app, "pasticceria-trinchese-demo")
    now = datetime.now(UTC)
    # The bar: 6 coupons; 3 redeemed (one of them voided, then redeemed again), 1 voided and
    # left, 2 never used. The pastry shop: 4; 1 redeemed, 1 expired (issued 20 days ago).
    bar_codes = [await _issue(app, "caffe-in-piazza", "porte-della-citta", now) for _ in range(6)]
    for player, _ in bar_codes[:3]:
        await _visit(app, player, "porta_napoli", now - timedelta(minutes=40))
    redeemed = [await _redeem(client, bar, code) for _, code in bar_codes[:4]]
    for r in (redeemed[0], redeemed[3]):
        void = await client.post(f"/merchant/v1/redemptions/{r['id']}/void", headers=bar)
        assert void.status_code == 200, void.text
    await _redeem(client, bar, bar_codes[0][1])
    sweet_codes = [await _issue(app, "dolce-trinchese", "insieme-in-piazza", now) for _ in range(3)]
    await _redeem(client, sweets, sweet_codes[0][1])
    await _issue(app, "dolce-trinchese", "insieme-in-piazza", now - timedelta(days=20))

    manager = await staff(app, client, Role.DISTRICT, cities=("lecce",))
    first = (now - timedelta(days=21)).astimezone(ZONE).date().isoformat()
    url = f"/admin/v1/district/lecce/coupons?from={first}"
    body = (await client.get(url, headers=manager.auth)).json()
    shops = {m["merchant"]: m for m in body["merchants"]}
    bar_funnel = shops["bar-della-piazza-demo"]
    assert {k: bar_funnel[k] for k in ("issued", "redeemed", "voided", "expired", "open")} == {
        "issued": 6,
        "redeemed": 3,
        "voided": 2,
        "expired": 0,
        "open": 3,
    }
    assert bar_funnel["redemption_rate"] == 0.5
    assert bar_funnel["by_quest"] == {"porte-della-citta": 3}
    assert bar_funnel["by_site"] == {"porta_napoli": 3}
    assert 0 <= bar_funnel["median_hours_to_redeem"] < 1
    sweet = shops["pasticceria-trinchese-demo"]
    assert (sweet["issued"], sweet["redeemed"], sweet["expired"], sweet["open"]) == (4, 1, 1, 2)
    assert body["total"]["issued"] == 10
    assert body["total"]["redeemed"] == 4
    campaigns = {c["template"]: c for c in body["campaigns"]}
    assert campaigns["caffe-in-piazza"]["funnel"]["redeemed"] == 3
    assert campaigns["dolce-trinchese"]["streets"] == ["via-trinchese"]
    assert campaigns["caffe-in-piazza"]["streets"] == ["piazza-sant-oronzo"]

    # Each shop sees its own figures, never the other's.
    mine = (await client.get(f"/merchant/v1/figures?from={first}", headers=bar)).json()
    assert (mine["merchant"], mine["issued"], mine["redeemed"], mine["voided"]) == (
        "bar-della-piazza-demo",
        6,
        3,
        2,
    )
    theirs = (await client.get(f"/merchant/v1/figures?from={first}", headers=sweets)).json()
    assert (theirs["merchant"], theirs["issued"], theirs["redeemed"]) == (
        "pasticceria-trinchese-demo",
        4,
        1,
    )
    # A shop's key cannot read the district's figures (nor name another shop).
    refused = await client.get(url + "&merchant=pasticceria-trinchese-demo", headers=bar)
    assert refused.status_code in (401, 403)
    sneaky = await client.get(
        f"/merchant/v1/figures?from={first}&merchant=pasticceria-trinchese-demo", headers=bar
    )
    assert sneaky.json()["merchant"] == "bar-della-piazza-demo"


async def test_footfall_against_the_baseline_and_the_roles(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # Tuesday 10:00 in Lecce: 40 players on Via Trinchese; the four Tuesdays before: 10, 20,
    # 30, 50 -> median 25, uplift (40 - 25) / 25 = 0.6.
    day = datetime(2026, 11, 24, 10, tzinfo=ZONE)
    rows = [
        {
            "city": "lecce",
            "street": "via-trinchese",
            "hour": (day - timedelta(weeks=k)).astimezone(UTC),
            "players": players,
            "passes": players + 2,
            "dwell_s": 120 * (players + 2),
            "updated_at": day,
        }
        for k, players in ((0, 40), (1, 10), (2, 20), (3, 30), (4, 50))
    ]
    async with app.state.session_factory() as session:
        await upsert(session, rows)
        await session.commit()
    manager = await staff(app, client, Role.DISTRICT, cities=("lecce",))
    url = "/admin/v1/district/lecce/footfall?from=2026-11-24&to=2026-11-24"
    body = (await client.get(url, headers=manager.auth)).json()
    trinchese = next(s for s in body["streets"] if s["slug"] == "via-trinchese")
    assert (trinchese["players"], trinchese["baseline_players"], trinchese["uplift"]) == (
        40,
        25.0,
        0.6,
    )
    assert trinchese["mean_dwell_s"] == 120.0
    assert trinchese["busiest_hour"] == 10
    assert body["by_hour_of_day"]["via-trinchese"][10] == 40
    hour = next(h for h in body["hours"] if h["street"] == "via-trinchese" and h["players"])
    assert hour["local"].startswith("2026-11-24T10:00")
    geo = (
        await client.get(
            "/admin/v1/district/lecce/streets?from=2026-11-24&to=2026-11-24", headers=manager.auth
        )
    ).json()
    feature = next(f for f in geo["features"] if f["properties"]["slug"] == "via-trinchese")
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["players"] == 40

    # Scoped to its comune; a curator sees nothing; bad input is a clear 422.
    assert (
        await client.get(url.replace("lecce", "bergamo"), headers=manager.auth)
    ).status_code == 403
    curator = await staff(app, client, Role.CURATOR)
    assert (await client.get(url, headers=curator.auth)).status_code == 403
    bad = await client.get(url.replace("2026-11-24&", "24/11/2026&"), headers=manager.auth)
    assert bad.status_code == 422
    assert "YYYY-MM-DD" in bad.json()["detail"]
    italian = await client.get(
        url.replace("2026-11-24&", "24/11/2026&"), headers={**manager.auth, "Accept-Language": "it"}
    )
    assert "AAAA-MM-GG" in italian.json()["detail"]
    unknown = await client.get(url + "&street=via-nessuna", headers=manager.auth)
    assert unknown.status_code == 404
