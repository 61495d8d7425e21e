"""Lookup, void, history (JSON and CSV), totals and key rotation of the merchant API."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from game_server.app import create_app
from tests.conftest import make_settings
from tests.rewards.helpers import Shop, coupon, redeem, shop, shown


async def test_lookup_says_whether_it_can_be_redeemed_here_now(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    url = f"/merchant/v1/coupons/{shown(issued)}"
    before = await client.get(url, headers=bar.auth)
    assert before.status_code == 200
    assert before.json()["redeemable"] is True
    assert before.json()["state"] == "redeemable"
    spent = (await redeem(client, bar, shown(issued))).json()
    after = (await client.get(url.lower(), headers=bar.auth)).json()
    assert (after["redeemable"], after["state"]) == (False, "redeemed")
    assert after["redemption_id"] == spent["id"]


async def test_lookup_of_expired_foreign_and_unknown_coupons(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    await shop(app, "libreria", "Libreria")
    old = await coupon(app, valid_days=1, now=datetime.now(UTC) - timedelta(days=3))
    theirs = await coupon(app, merchant="libreria")
    expired = await client.get(f"/merchant/v1/coupons/{shown(old)}", headers=bar.auth)
    assert (expired.status_code, expired.json()["state"]) == (200, "expired")
    foreign = await client.get(f"/merchant/v1/coupons/{shown(theirs)}", headers=bar.auth)
    assert foreign.status_code == 403
    unknown = await client.get("/merchant/v1/coupons/2345-6789-A", headers=bar.auth)
    assert unknown.status_code == 404
    assert (await client.get(f"/merchant/v1/coupons/{shown(old)}")).status_code == 401


async def test_void_makes_the_coupon_usable_again(app: FastAPI, client: httpx.AsyncClient) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    first = (await redeem(client, bar, shown(issued))).json()
    voided = await client.post(f"/merchant/v1/redemptions/{first['id']}/void", headers=bar.auth)
    assert voided.status_code == 200
    assert voided.json()["voided_at"] is not None
    again = await client.post(f"/merchant/v1/redemptions/{first['id']}/void", headers=bar.auth)
    assert again.status_code == 200
    assert again.json()["voided_at"] == voided.json()["voided_at"]
    assert (await redeem(client, bar, shown(issued))).status_code == 201


async def test_void_of_another_shops_or_unknown_redemption(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar, other = await shop(app), await shop(app, "libreria", "Libreria")
    issued = await coupon(app)
    first = (await redeem(client, bar, shown(issued))).json()
    foreign = await client.post(f"/merchant/v1/redemptions/{first['id']}/void", headers=other.auth)
    assert foreign.status_code == 403
    assert (
        await client.get(f"/merchant/v1/redemptions/{first['id']}", headers=other.auth)
    ).status_code == 403
    unknown = await client.post(f"/merchant/v1/redemptions/{uuid.uuid4()}/void", headers=bar.auth)
    assert unknown.status_code == 404


@pytest.fixture
async def no_void_app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url, redemption_void_window_s=0))
    async with application.router.lifespan_context(application):
        yield application


async def test_void_after_the_window_is_409(no_void_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=no_void_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bar = await shop(no_void_app)
        issued = await coupon(no_void_app)
        first = (await redeem(client, bar, shown(issued))).json()
        late = await client.post(f"/merchant/v1/redemptions/{first['id']}/void", headers=bar.auth)
        assert late.status_code == 409
        assert late.json()["type"].endswith("/void-window-closed")


async def _three_sales(
    app: FastAPI, client: httpx.AsyncClient
) -> tuple[Shop, list[dict[str, Any]]]:
    bar = await shop(app)
    sales = []
    for n in range(3):
        issued = await coupon(app, slug="caffe" if n < 2 else "torta")
        sales.append((await redeem(client, bar, shown(issued), reference=f"=R{n}")).json())
    await client.post(f"/merchant/v1/redemptions/{sales[0]['id']}/void", headers=bar.auth)
    return bar, sales


async def test_history_as_json_filtered_by_date(app: FastAPI, client: httpx.AsyncClient) -> None:
    bar, sales = await _three_sales(app, client)
    today = datetime.now(UTC).date()
    page = await client.get("/merchant/v1/redemptions", headers=bar.auth)
    assert page.status_code == 200
    assert [item["id"] for item in page.json()["items"]] == [s["id"] for s in sales]
    assert page.json()["items"][0]["voided_at"] is not None
    paged = await client.get("/merchant/v1/redemptions?limit=2", headers=bar.auth)
    assert paged.json()["next_offset"] == 2
    tomorrow = today + timedelta(days=2)
    empty = await client.get(
        f"/merchant/v1/redemptions?from={tomorrow.isoformat()}", headers=bar.auth
    )
    assert empty.json()["items"] == []
    window = await client.get(
        "/merchant/v1/redemptions",
        params={"from": (today - timedelta(days=1)).isoformat(), "to": tomorrow.isoformat()},
        headers=bar.auth,
    )
    assert len(window.json()["items"]) == 3
    bad = await client.get("/merchant/v1/redemptions?from=yesterday", headers=bar.auth)
    assert bad.status_code == 422


@pytest.mark.parametrize("how", ["query", "accept"])
async def test_history_as_csv(app: FastAPI, client: httpx.AsyncClient, how: str) -> None:
    bar, sales = await _three_sales(app, client)
    headers = {**bar.auth}
    params = {"format": "csv"} if how == "query" else {}
    if how == "accept":
        headers["Accept"] = "text/csv"
    response = await client.get("/merchant/v1/redemptions", params=params, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["redemption_id"] for row in rows] == [s["id"] for s in sales]
    assert rows[0]["voided_at"] != ""
    assert rows[1]["voided_at"] == ""
    assert rows[1]["offer_it"] == "Un caffè in omaggio"
    assert rows[1]["reference"] == "'=R1"  # never a spreadsheet formula


async def test_totals_for_reconciliation(app: FastAPI, client: httpx.AsyncClient) -> None:
    bar, _ = await _three_sales(app, client)
    response = await client.get("/merchant/v1/totals", headers=bar.auth)
    assert response.status_code == 200
    body = response.json()
    assert (body["redeemed"], body["voided"]) == (2, 1)
    by_template = {t["template"]: (t["redeemed"], t["voided"]) for t in body["by_template"]}
    assert by_template == {"caffe": (1, 1), "torta": (1, 0)}
    assert set(body) >= {"from", "to", "merchant"}


async def test_history_of_one_shop_never_shows_another(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _three_sales(app, client)
    other = await shop(app, "libreria", "Libreria")
    page = await client.get("/merchant/v1/redemptions", headers=other.auth)
    assert page.json()["items"] == []
    assert (await client.get("/merchant/v1/totals", headers=other.auth)).json()["redeemed"] == 0


async def test_key_rotation_revokes_the_old_key(app: FastAPI, client: httpx.AsyncClient) -> None:
    bar = await shop(app)
    rotated = await client.post("/merchant/v1/keys/rotate", headers=bar.auth)
    assert rotated.status_code == 201
    new_key = rotated.json()["api_key"]
    assert new_key.startswith("lpm_")
    assert (await client.get("/merchant/v1/totals", headers=bar.auth)).status_code == 401
    fresh = {"Authorization": f"Bearer {new_key}"}
    assert (await client.get("/merchant/v1/totals", headers=fresh)).status_code == 200


async def test_key_rotation_with_a_grace_period(app: FastAPI, client: httpx.AsyncClient) -> None:
    bar = await shop(app)
    rotated = await client.post(
        "/merchant/v1/keys/rotate", json={"grace_s": 3600}, headers=bar.auth
    )
    fresh = {"Authorization": f"Bearer {rotated.json()['api_key']}"}
    assert (await client.get("/merchant/v1/totals", headers=bar.auth)).status_code == 200
    assert (await client.get("/merchant/v1/totals", headers=fresh)).status_code == 200
