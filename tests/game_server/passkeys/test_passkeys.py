"""Keep my progress: a guest registers a passkey and signs in with it on another device."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from starlette.requests import Request

from game_server.players.passkeys import challenges
from game_server.players.passkeys.endpoints import relying_party
from game_server.settings import Settings
from tests.conftest import TEST_SECRET
from tests.game_server.passkeys.authenticator import SoftAuthenticator

ORIGIN = "http://testserver"


async def guest(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    body = (await client.post("/v1/auth/guest", json={})).json()
    return body["player_id"], {"Authorization": f"Bearer {body['access_token']}"}


async def register(
    client: httpx.AsyncClient, auth: dict[str, str], device: SoftAuthenticator, origin: str = ORIGIN
) -> httpx.Response:
    options = (await client.post("/v1/auth/passkeys/register/options", headers=auth)).json()
    credential = device.create(options, origin)
    return await client.post(
        "/v1/auth/passkeys/register", headers=auth, json={"credential": credential}
    )


async def sign_in(client: httpx.AsyncClient, device: SoftAuthenticator) -> httpx.Response:
    options = (await client.post("/v1/auth/passkeys/login/options")).json()
    assert options["allowCredentials"] == []  # discoverable: the phone picks the passkey
    return await client.post(
        "/v1/auth/passkeys/login", json={"credential": device.get(options, ORIGIN)}
    )


async def test_a_guest_keeps_their_progress_on_another_device(client: httpx.AsyncClient) -> None:
    player_id, auth = await guest(client)
    device = SoftAuthenticator()
    registered = await register(client, auth, device)
    assert registered.status_code == 201, registered.text
    assert len((await client.get("/v1/me/passkeys", headers=auth)).json()) == 1

    signed_in = await sign_in(client, device)
    assert signed_in.status_code == 200, signed_in.text
    pair = signed_in.json()
    assert pair["player_id"] == player_id
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.json()["player_id"] == player_id
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.json()["player_id"] == player_id
    # A second sign-in works too (the counter went up); the passkey records its use.
    assert (await sign_in(client, device)).json()["player_id"] == player_id
    passkeys = (await client.get("/v1/me/passkeys", headers=auth)).json()
    assert passkeys[0]["last_used_at"] is not None


async def test_an_answer_works_once(client: httpx.AsyncClient) -> None:
    _, auth = await guest(client)
    device = SoftAuthenticator()
    await register(client, auth, device)
    options = (await client.post("/v1/auth/passkeys/login/options")).json()
    credential = device.get(options, ORIGIN)
    first = await client.post("/v1/auth/passkeys/login", json={"credential": credential})
    replay = await client.post("/v1/auth/passkeys/login", json={"credential": credential})
    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json()["type"].endswith("passkey-challenge")


async def test_refusals_change_nothing(client: httpx.AsyncClient) -> None:
    _, auth = await guest(client)
    _, other_auth = await guest(client)
    device = SoftAuthenticator()
    # Another site's page (phishing) cannot register for this one.
    assert (await register(client, auth, device, origin="https://evil.example")).status_code == 422
    # A challenge issued to one player does not register a passkey for another.
    options = (await client.post("/v1/auth/passkeys/register/options", headers=auth)).json()
    stolen = {"credential": device.create(options, ORIGIN)}
    refused = await client.post("/v1/auth/passkeys/register", headers=other_auth, json=stolen)
    assert refused.status_code == 401
    assert (await client.get("/v1/me/passkeys", headers=other_auth)).json() == []
    # An unregistered passkey signs nobody in; garbage is a 422.
    assert (await sign_in(client, SoftAuthenticator())).status_code == 401
    garbage = await client.post("/v1/auth/passkeys/login", json={"credential": {"id": "x"}})
    assert garbage.status_code == 422
    unauthenticated = await client.post("/v1/auth/passkeys/register/options")
    assert unauthenticated.status_code == 401


async def test_one_passkey_belongs_to_one_player(client: httpx.AsyncClient) -> None:
    _, auth = await guest(client)
    _, other_auth = await guest(client)
    device = SoftAuthenticator()
    assert (await register(client, auth, device)).status_code == 201
    again = await register(client, other_auth, device)
    assert again.status_code == 409
    assert (await client.get("/v1/me/passkeys", headers=other_auth)).json() == []


async def test_a_banned_player_cannot_sign_in_with_a_passkey(
    client: httpx.AsyncClient, app: object
) -> None:
    from game_server.players.models import Player

    player_id, auth = await guest(client)
    device = SoftAuthenticator()
    await register(client, auth, device)
    async with app.state.session_factory() as session:  # type: ignore[attr-defined]
        player = await session.get(Player, uuid.UUID(player_id))
        player.banned_at = player.created_at
        await session.commit()
    assert (await sign_in(client, device)).status_code == 403


def test_challenges_expire_and_are_bound_to_their_purpose() -> None:
    player = uuid.uuid4()
    now = time.time()
    challenge = challenges.issue(TEST_SECRET, "register", player, int(now) + 300)
    assert challenges.check(TEST_SECRET, challenge, "register", player, now) == int(now) + 300
    with pytest.raises(challenges.BadChallenge, match="expired"):
        challenges.check(TEST_SECRET, challenge, "register", player, now + 301)
    with pytest.raises(challenges.BadChallenge, match="another ceremony"):
        challenges.check(TEST_SECRET, challenge, "login", player, now)
    with pytest.raises(challenges.BadChallenge, match="another player"):
        challenges.check(TEST_SECRET, challenge, "register", uuid.uuid4(), now)
    with pytest.raises(challenges.BadChallenge, match="not a challenge"):
        challenges.check("another-secret-key-0123456789abcdef", challenge, "register", player, now)
    tampered = bytes([challenge[0] ^ 1]) + challenge[1:]
    with pytest.raises(challenges.BadChallenge):
        challenges.check(TEST_SECRET, tampered, "register", player, now)


async def test_export_lists_passkeys_and_erase_deletes_them(client: httpx.AsyncClient) -> None:
    player_id, auth = await guest(client)
    device = SoftAuthenticator()
    assert (await register(client, auth, device)).status_code == 201
    exported = (await client.get("/v1/me/export", headers=auth)).json()
    assert len(exported["passkeys"]) == 1
    assert "public_key" not in exported["passkeys"][0]
    erased = await client.delete("/v1/me", params={"confirm": player_id}, headers=auth)
    assert erased.status_code == 204
    assert (await sign_in(client, device)).status_code == 401


async def test_a_passkey_upgrades_the_guest_for_coupon_evidence(
    client: httpx.AsyncClient, app: object
) -> None:
    """Registering a passkey sets `upgraded_at` (once), and a coupon whose evidence asks for
    an upgraded account is then issued where a guest's is held (docs/anti-cheat.md)."""
    from content import load_bundle
    from content.model import CouponEvidence
    from game_server.anticheat.evidence import EvidenceJudge
    from game_server.kit.clock import utcnow
    from game_server.players.models import Player
    from tests.paths import ROOT

    bundle = load_bundle(ROOT / "content").bundle
    assert bundle is not None
    template = bundle.coupons[0].model_copy(
        update={"evidence": CouponEvidence(presence="device_time", upgraded_account=True)}
    )
    quest = next(q for q in bundle.quests if q.city == template.city)
    sessions = app.state.session_factory  # type: ignore[attr-defined]
    player_id, auth = await guest(client)
    pid = uuid.UUID(player_id)

    async def verdict() -> str:
        async with sessions() as session:
            judge = EvidenceJudge(session, bundle, None, None)
            return (await judge.judge(template, pid, quest, 1, utcnow())).action

    async def upgraded_at() -> object:
        async with sessions() as session:
            player = await session.get(Player, pid)
            assert player is not None
            return player.upgraded_at

    assert await upgraded_at() is None
    assert await verdict() == "hold"  # a guest
    assert (await register(client, auth, SoftAuthenticator())).status_code == 201
    first = await upgraded_at()
    assert first is not None
    assert await verdict() == "issue"
    # A second passkey (another phone) keeps the first upgrade's time.
    assert (await register(client, auth, SoftAuthenticator())).status_code == 201
    assert await upgraded_at() == first


def _request(host: str) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "https",
        "path": "/v1/auth/passkeys/register/options",
        "headers": [(b"host", host.encode())],
        "server": (host, 443),
    }
    return Request(scope)


def test_in_production_the_relying_party_is_the_public_url_never_the_host_header() -> None:
    production = Settings(
        env="production",
        secret_key=TEST_SECRET,
        database_url="sqlite+aiosqlite://",
        public_url="https://gioca.lecce.example",
    )
    party = relying_party(_request("evil.example"), production)
    assert (party.rp_id, party.origins) == ("gioca.lecce.example", ["https://gioca.lecce.example"])
    development = Settings(secret_key=TEST_SECRET, database_url="sqlite+aiosqlite://")
    party = relying_party(_request("localhost:8443"), development)
    assert (party.rp_id, party.origins) == ("localhost", ["https://localhost:8443"])
