"""Staff logins that no anonymous client can turn into a lock-out, the password policy, the
refresh grace window, a voided redemption's replay and merchant limits per shop (in-process,
SQLite and PostGIS; tests/security/test_workers.py sends the races to two real workers)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from game_server.app import create_app
from game_server.staff.passwords import WeakPassword, check_strength
from game_server.staff.roles import Role
from tests.conftest import make_settings
from tests.game_server.admin.helpers import PASSWORD, create_staff
from tests.rewards.helpers import coupon, redeem, shop, shown


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"Accept-Language": "en"}
    )


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> int:
    response = await http.post("/admin/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code != 500
    return response.status_code


async def test_an_anonymous_client_cannot_lock_an_admin_out(app: FastAPI) -> None:
    """The outside test's attack: five wrong passwords for the admin's email, then the admin
    logs in from their own address. Before: 429 for 900 s."""
    _, email = await create_staff(app, role=Role.ADMIN)
    async with client_from(app, "203.0.113.9") as attacker, client_from(app, "198.51.100.7") as own:
        assert [await login(attacker, email, "wrong password!") for _ in range(5)] == [401] * 5
        assert await login(attacker, email) == 429  # the guesser is stopped...
        assert await login(own, email) == 200  # ...and the admin is not


async def test_spraying_many_accounts_from_one_client_is_throttled(app: FastAPI) -> None:
    async with client_from(app, "203.0.113.10") as attacker:
        statuses = [
            await login(attacker, f"guess-{i}@comune.lecce.it", "wrong password!")
            for i in range(40)
        ]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}


async def test_a_guessing_campaign_leaves_known_clients_in(database_url: str) -> None:
    """Many addresses guessing one account: past the account's budget only the addresses it
    logged in from before may try; its owner is one of them."""
    settings = make_settings(database_url, staff_login_account_failures=6)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        _, email = await create_staff(app, role=Role.ADMIN)
        async with client_from(app, "198.51.100.7") as own:
            assert await login(own, email) == 200
        for i in range(3):
            async with client_from(app, f"203.0.113.{20 + i}") as bot:
                assert [await login(bot, email, "wrong password!") for _ in range(2)] == [401] * 2
        async with client_from(app, "203.0.113.99") as new_bot:
            assert await login(new_bot, email, "wrong password!") == 429
        async with client_from(app, "198.51.100.7") as own:
            assert await login(own, email) == 200


@pytest.mark.parametrize(
    "password",
    ["password1234", "Password1234!", "qwertyuiop123", "iloveyou2026", "lecceadmin12"],
)
def test_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_strength(password, email="admin@comune.lecce.it")


def test_a_passphrase_is_accepted() -> None:
    check_strength("correct horse battery staple", email="admin@comune.lecce.it")


async def test_password1234_is_refused_for_a_new_staff_account(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _, email = await create_staff(app, role=Role.ADMIN)
    token = (
        await client.post("/admin/v1/auth/login", json={"email": email, "password": PASSWORD})
    ).json()["access_token"]
    response = await client.post(
        "/admin/v1/staff",
        json={"email": "nuovo@comune.lecce.it", "role": "curator", "password": "password1234"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("/weak-password")


async def test_a_retried_refresh_gets_the_same_pair(client: httpx.AsyncClient) -> None:
    first = (await client.post("/v1/auth/guest")).json()
    body = {"refresh_token": first["refresh_token"]}
    rotated = await client.post("/v1/auth/refresh", json=body)
    retried = await client.post("/v1/auth/refresh", json=body)  # the first answer was lost
    assert rotated.status_code == retried.status_code == 200
    assert retried.json() == rotated.json()
    # The family lives on: the new refresh token works, once.
    again = await client.post(
        "/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
    )
    assert again.status_code == 200
    me = await client.get(
        "/v1/me", headers={"Authorization": f"Bearer {again.json()['access_token']}"}
    )
    assert me.status_code == 200


async def test_a_reuse_after_the_successor_was_used_still_revokes_the_family(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.post("/v1/auth/guest")).json()
    rotated = (
        await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    newer = await client.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert newer.status_code == 200
    stolen = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert stolen.status_code == 401
    revoked = await client.post(
        "/v1/auth/refresh", json={"refresh_token": newer.json()["refresh_token"]}
    )
    assert revoked.status_code == 401


async def test_a_reuse_after_the_grace_window_revokes_the_family(database_url: str) -> None:
    app = create_app(make_settings(database_url, refresh_grace_s=0))
    async with app.router.lifespan_context(app), client_from(app, "127.0.0.1") as client:
        first = (await client.post("/v1/auth/guest")).json()
        body = {"refresh_token": first["refresh_token"]}
        assert (await client.post("/v1/auth/refresh", json=body)).status_code == 200
        await asyncio.sleep(1.1)  # past a 0 s window (timestamps have second precision on SQLite)
        assert (await client.post("/v1/auth/refresh", json=body)).status_code == 401


async def test_redeem_void_retry_does_not_say_give_the_offer(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bar = await shop(app)
    issued = await coupon(app)
    key = str(uuid.uuid4())
    first = await redeem(client, bar, shown(issued), key=key)
    assert first.status_code == 201
    voided = await client.post(
        f"/merchant/v1/redemptions/{first.json()['id']}/void", headers=bar.auth
    )
    assert voided.status_code == 200
    retry = await redeem(client, bar, shown(issued), key=key)
    assert retry.status_code == 409, retry.text
    problem = retry.json()
    assert problem["type"].endswith("/redemption-voided")
    assert problem["redemption_id"] == first.json()["id"]
    assert problem["voided_at"]
    assert retry.headers["Idempotency-Replayed"] == "true"
    # The coupon works again, with a new key.
    assert (await redeem(client, bar, shown(issued))).status_code == 201


@pytest.fixture
async def strict_app(database_url: str) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url, merchant_failed_redemptions_per_min=3, merchant_lookups_per_min=4
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def test_rotating_the_key_does_not_renew_the_budget(strict_app: FastAPI) -> None:
    app = strict_app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bar = await shop(app)
        statuses = [(await redeem(client, bar, "2345-6789-A")).status_code for _ in range(3)]
        assert statuses == [404] * 3
        rotated = await client.post(
            "/merchant/v1/keys/rotate", json={"grace_s": 604800}, headers=bar.auth
        )
        assert rotated.status_code == 201
        new_auth = {"Authorization": f"Bearer {rotated.json()['api_key']}"}
        again = await client.post(
            "/merchant/v1/redemptions",
            json={"code": "2345-6789-A"},
            headers={**new_auth, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert again.status_code == 429


async def test_concurrent_wrong_codes_check_at_most_the_limit(strict_app: FastAPI) -> None:
    app = strict_app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        bar = await shop(app)
        statuses = await asyncio.gather(*(redeem(client, bar, "2345-6789-A") for _ in range(12)))
    codes = [r.status_code for r in statuses]
    assert codes.count(404) <= 3, codes
    assert set(codes) <= {404, 429, 409}
