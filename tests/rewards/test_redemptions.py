from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from game_server.app import create_app
from rewards.auth import MerchantLimits
from rewards.exceptions import RateLimited
from rewards.idempotency import IdempotencyStore, fingerprint
from rewards.models import MerchantAuditEntry, Redemption
from rewards.repository import MerchantRepository
from tests.conftest import make_settings
from tests.rewards.helpers import coupon, redeem, shop, shown


async def _count_redemptions(app: FastAPI) -> int:
    async with app.state.session_factory() as session:
        return int((await session.execute(select(func.count(Redemption.id)))).scalar_one())


async def test_first_redemption_is_201_with_what_the_till_needs(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    response = await redeem(client, bar, shown(issued).lower(), reference="R-42")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == shown(issued)
    assert body["merchant"] == {"slug": "caffe-alvino", "name": "Caffè Alvino"}
    assert body["offer"]["en"] == "A free coffee"
    assert body["reference"] == "R-42"
    assert body["voided_at"] is None
    assert response.headers["location"] == f"/merchant/v1/redemptions/{body['id']}"
    assert "idempotency-replayed" not in response.headers
    again = await client.get(response.headers["location"], headers=bar.auth)
    assert again.status_code == 200
    assert again.json() == body


async def test_a_retry_with_the_same_key_replays_the_response(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    first = await redeem(client, bar, shown(issued), key="sale-1")
    retry = await redeem(client, bar, shown(issued).replace("-", " "), key="sale-1")
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["idempotency-replayed"] == "true"
    assert retry.headers["location"] == first.headers["location"]
    assert await _count_redemptions(app) == 1


async def test_the_same_key_with_another_body_is_422(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    one, other = await coupon(app), await coupon(app)
    assert (await redeem(client, bar, shown(one), key="k")).status_code == 201
    response = await redeem(client, bar, shown(other), key="k")
    assert response.status_code == 422
    assert response.json()["type"].endswith("/idempotency-key-reused")
    other_reference = await redeem(client, bar, shown(one), key="k", reference="changed")
    assert other_reference.status_code == 422


async def test_keys_are_scoped_per_merchant(app: FastAPI, client: httpx.AsyncClient) -> None:
    bar, shop_b = await shop(app), await shop(app, "libreria", "Libreria")
    mine, theirs = await coupon(app), await coupon(app, merchant="libreria")
    assert (await redeem(client, bar, shown(mine), key="same")).status_code == 201
    assert (await redeem(client, shop_b, shown(theirs), key="same")).status_code == 201


@pytest.mark.parametrize("key", [None, "", "x" * 256, "tab\tkey"])
async def test_a_missing_or_bad_idempotency_key_is_400(
    app: FastAPI, client: httpx.AsyncClient, key: str | None
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    headers = {**bar.auth} if key is None else {**bar.auth, "Idempotency-Key": key}
    response = await client.post(
        "/merchant/v1/redemptions", json={"code": shown(issued)}, headers=headers
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await _count_redemptions(app) == 0


async def test_a_spent_coupon_is_409_saying_when_and_where(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    first = (await redeem(client, bar, shown(issued))).json()
    response = await redeem(client, bar, shown(issued))
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"].endswith("/coupon-spent")
    assert problem["redeemed_at"] == first["redeemed_at"]
    assert problem["merchant"] == {"slug": "caffe-alvino", "name": "Caffè Alvino"}
    assert "Caffè Alvino" in problem["detail"]


async def test_an_expired_coupon_is_410(app: FastAPI, client: httpx.AsyncClient) -> None:
    bar = await shop(app)
    issued = await coupon(app, valid_days=1, now=datetime.now(UTC) - timedelta(days=2))
    response = await redeem(client, bar, shown(issued))
    assert response.status_code == 410
    assert response.json()["type"].endswith("/coupon-expired")


async def test_another_merchants_coupon_is_403(app: FastAPI, client: httpx.AsyncClient) -> None:
    bar = await shop(app)
    await shop(app, "libreria", "Libreria")
    theirs = await coupon(app, merchant="libreria")
    response = await redeem(client, bar, shown(theirs))
    assert response.status_code == 403
    assert response.json()["type"].endswith("/coupon-other-merchant")
    assert await _count_redemptions(app) == 0


@pytest.mark.parametrize("code", ["2345-6789-A", "K7QM-4XPR-0", "nonsense"])
async def test_an_unknown_or_mistyped_code_is_404(
    app: FastAPI, client: httpx.AsyncClient, code: str
) -> None:
    bar = await shop(app)
    response = await redeem(client, bar, code)
    assert response.status_code == 404
    assert response.json()["type"].endswith("/coupon-unknown")


async def test_a_typo_in_a_real_code_is_404_not_someone_elses_coupon(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    code = (await coupon(app)).code
    if code[0] != code[1]:
        mistyped = code[1] + code[0] + code[2:]
    else:  # no swap to make: mistype the check character instead, never into itself
        mistyped = code[:8] + ("2" if code[8] != "2" else "3")
    assert mistyped != code
    response = await redeem(client, bar, mistyped)
    assert response.status_code == 404
    assert response.json()["reason"] == "malformed"


async def test_a_duplicate_while_the_first_is_in_flight_is_409(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    await _claim_without_finishing(app, bar.slug, "in-flight", shown(issued), datetime.now(UTC))
    response = await redeem(client, bar, shown(issued), key="in-flight")
    assert response.status_code == 409
    assert response.json()["type"].endswith("/idempotency-in-flight")
    assert await _count_redemptions(app) == 0


async def test_a_claim_left_by_a_crashed_worker_is_taken_over_after_its_lease(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    await _claim_without_finishing(app, bar.slug, "crashed", shown(issued), long_ago)
    response = await redeem(client, bar, shown(issued), key="crashed")
    assert response.status_code == 201
    assert await _count_redemptions(app) == 1


async def _claim_without_finishing(
    app: FastAPI, slug: str, key: str, code: str, at: datetime
) -> None:
    async with app.state.session_factory() as session:
        merchant = await MerchantRepository(session).by_slug(slug)
        assert merchant is not None
        store = IdempotencyStore(session, app.state.settings)
        print_ = fingerprint({"code": code.replace("-", ""), "reference": None})
        await store.claim(merchant.id, key, print_, at)
        await session.commit()


async def test_without_a_valid_api_key_it_is_401(app: FastAPI, client: httpx.AsyncClient) -> None:
    await shop(app)
    issued = await coupon(app)
    for headers in ({}, {"Authorization": "Bearer lpm_wrong"}, {"Authorization": "Bearer x"}):
        response = await client.post(
            "/merchant/v1/redemptions",
            json={"code": shown(issued)},
            headers={**headers, "Idempotency-Key": "k"},
        )
        assert response.status_code == 401


async def test_every_attempt_is_audited_failures_included(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    await redeem(client, bar, shown(issued), key="a")
    await redeem(client, bar, shown(issued), key="a")
    await redeem(client, bar, shown(issued), key="b")
    await redeem(client, bar, "2345-6789-A")
    await client.get(f"/merchant/v1/coupons/{shown(issued)}", headers=bar.auth)
    await client.get("/merchant/v1/coupons/nonsense", headers=bar.auth)
    async with app.state.session_factory() as session:
        entries = (
            await session.execute(
                select(MerchantAuditEntry.action, MerchantAuditEntry.status)
                .where(MerchantAuditEntry.actor == "merchant")
                .order_by(MerchantAuditEntry.id)
            )
        ).all()
    assert [tuple(e) for e in entries] == [
        ("redeem", 201),
        ("redeem", 201),
        ("redeem", 409),
        ("redeem", 404),
        ("lookup", 200),
        ("lookup", 404),
    ]


@pytest.fixture
async def strict_app(database_url: str) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url, merchant_failed_redemptions_per_min=3, merchant_lookups_per_min=4
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def test_failed_redemptions_are_rate_limited_per_key(strict_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=strict_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bar = await shop(strict_app)
        issued = await coupon(strict_app)
        statuses = [(await redeem(client, bar, "2345-6789-A")).status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
        refused = await redeem(client, bar, shown(issued))
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["content-type"] == "application/problem+json"
        other_shop = await shop(strict_app, "libreria", "Libreria")
        other = await coupon(strict_app, merchant="libreria")
        assert (await redeem(client, other_shop, shown(other))).status_code == 201


async def test_lookups_are_rate_limited_per_key(strict_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=strict_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bar = await shop(strict_app)
        issued = await coupon(strict_app)
        url = f"/merchant/v1/coupons/{shown(issued)}"
        statuses = [(await client.get(url, headers=bar.auth)).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]


async def test_successful_redemptions_do_not_count_against_the_failure_limit(
    strict_app: FastAPI,
) -> None:
    transport = httpx.ASGITransport(app=strict_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bar = await shop(strict_app)
        for _ in range(5):
            issued = await coupon(strict_app)
            assert (await redeem(client, bar, shown(issued))).status_code == 201


def test_redemption_ids_are_uuids() -> None:
    assert uuid.UUID(str(uuid.uuid4()))


async def test_a_refused_attempt_holds_no_slot_of_the_failure_budget(strict_app: FastAPI) -> None:
    """Three redemptions running at a busy till hold the budget (3 here); the till's attempts
    refused meanwhile give their slot back, so once the three succeed the next one is
    checked, not refused for the rest of the minute."""
    limits = MerchantLimits(strict_app.state.counters, strict_app.state.settings)
    till = uuid.uuid4()
    for _ in range(3):
        await limits.reserve_attempt(till)  # running
    for _ in range(3):
        with pytest.raises(RateLimited):
            await limits.reserve_attempt(till)  # refused while they run
    for _ in range(3):
        await limits.refund(till)  # the three succeeded
    await limits.reserve_attempt(till)
