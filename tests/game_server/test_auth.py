from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import orjson
import pytest

from game_server.players.tokens import issue_access_token
from tests.conftest import TEST_SECRET


async def guest(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post("/v1/auth/guest")
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_guest_signup_returns_a_working_token_pair(client: httpx.AsyncClient) -> None:
    tokens = await guest(client)
    assert set(tokens) >= {"player_id", "access_token", "refresh_token", "expires_in"}
    me = await client.get("/v1/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["player_id"] == tokens["player_id"]


async def test_refresh_rotates_and_old_token_stops_working(client: httpx.AsyncClient) -> None:
    first = await guest(client)
    second = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["player_id"] == first["player_id"]
    third = await client.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert third.status_code == 200


async def test_reusing_a_refresh_token_revokes_the_whole_family(client: httpx.AsyncClient) -> None:
    first = await guest(client)
    rotated = (
        await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    newest = (
        await client.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    ).json()
    # `first` comes back after its successor was used: no lost answer, a stolen copy (a
    # retry while the successor is unused gets the same pair: tests/security).
    reuse = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert "already used" in reuse.json()["detail"]
    # The legitimate newest token is revoked too: the thief and the owner both sign in again.
    after = await client.post("/v1/auth/refresh", json={"refresh_token": newest["refresh_token"]})
    assert after.status_code == 401


async def test_other_families_survive_a_reuse(client: httpx.AsyncClient) -> None:
    victim = await guest(client)
    bystander = await guest(client)
    await client.post("/v1/auth/refresh", json={"refresh_token": victim["refresh_token"]})
    await client.post("/v1/auth/refresh", json={"refresh_token": victim["refresh_token"]})
    ok = await client.post("/v1/auth/refresh", json={"refresh_token": bystander["refresh_token"]})
    assert ok.status_code == 200


async def test_unknown_refresh_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(player_id: str, **overrides: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, object] = {"sub": player_id, "typ": "access", "iat": now, "exp": now + 600}
    claims.update(overrides)
    return claims


def _alg_none(claims: dict[str, object]) -> str:
    header = _b64(orjson.dumps({"alg": "none", "typ": "JWT"}))
    return f"{header}.{_b64(orjson.dumps(claims))}."


BAD_TOKENS = {
    "expired": lambda pid: issue_access_token(
        uuid.UUID(pid), secret=TEST_SECRET, now=datetime.now(UTC) - timedelta(hours=2), ttl_s=60
    ),
    "malformed": lambda pid: "not-a-jwt",
    "truncated": lambda pid: issue_access_token(
        uuid.UUID(pid), secret=TEST_SECRET, now=datetime.now(UTC), ttl_s=60
    )[:-5],
    "alg_none": lambda pid: _alg_none(_claims(pid)),
    "wrong_key": lambda pid: jwt.encode(_claims(pid), "another-secret-" * 4, algorithm="HS256"),
    "wrong_type": lambda pid: jwt.encode(_claims(pid, typ="refresh"), TEST_SECRET, "HS256"),
    "no_expiry": lambda pid: jwt.encode(
        {k: v for k, v in _claims(pid).items() if k != "exp"}, TEST_SECRET, "HS256"
    ),
    "unknown_player": lambda pid: jwt.encode(_claims(str(uuid.uuid4())), TEST_SECRET, "HS256"),
    "subject_not_uuid": lambda pid: jwt.encode(_claims("robert'); drop"), TEST_SECRET, "HS256"),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_bad_access_tokens_are_401_problems(client: httpx.AsyncClient, case: str) -> None:
    tokens = await guest(client)
    token = BAD_TOKENS[case](tokens["player_id"])
    response = await client.get("/v1/me", headers=bearer(token))
    assert response.status_code == 401, response.text
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == 401
    assert "Traceback" not in response.text


async def test_missing_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
