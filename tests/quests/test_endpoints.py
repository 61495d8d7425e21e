"""The player REST API of quests, progress and badges, and badge credentials."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import httpx
import jwt
import orjson
import pytest
from fastapi import FastAPI

from game_server.catalog.service import LoadedContent
from game_server.kit.clock import utcnow
from game_server.kit.uow import unit_of_work
from quests import credentials
from quests.service import GameService
from tests.quests.factories import badge, bundle, poi, quest, visit

CONTENT = bundle(
    [
        quest("gates", [visit("napoli"), visit("rudiae")], xp=150, badge="keeper"),
        quest("beyond", [visit("villa")], prerequisites=["gates"]),
    ],
    pois=[poi("napoli", kind="gate"), poi("rudiae", kind="gate"), poi("villa", kind="garden")],
    badges=[badge("keeper")],
)


@pytest.fixture
def game(app: FastAPI) -> FastAPI:
    app.state.catalog.current = LoadedContent.of(CONTENT, 1, utcnow())
    return app


async def guest(client: httpx.AsyncClient) -> tuple[uuid.UUID, dict[str, str]]:
    body = (await client.post("/v1/auth/guest")).json()
    return uuid.UUID(body["player_id"]), {"Authorization": f"Bearer {body['access_token']}"}


async def visit_sites(
    app: FastAPI, player_id: uuid.UUID, *pois: str, ahead: timedelta = timedelta(0)
) -> None:
    """Visits recorded at the game's server time, `ahead` of this machine's wall clock."""
    for i, slug in enumerate(pois):
        async with unit_of_work(app.state.session_factory) as session:
            await GameService(session, CONTENT).record_visit(
                player_id, slug, entered_ts_ms=i, at=utcnow() + ahead
            )


async def test_start_is_201_then_200_and_refusals_are_problems(
    game: FastAPI, client: httpx.AsyncClient
) -> None:
    _, auth = await guest(client)
    first = await client.post("/v1/quests/gates/start", headers=auth)
    assert first.status_code == 201
    assert [e["kind"] for e in first.json()["events"]] == ["quest.started"]
    assert first.json()["quest"]["status"] == "started"
    again = await client.post("/v1/quests/gates/start", headers=auth)
    assert again.status_code == 200
    assert again.json()["events"] == []
    locked = await client.post("/v1/quests/beyond/start", headers=auth)
    assert locked.status_code == 409
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["type"].endswith("/prerequisites-missing")
    assert locked.json()["missing"] == ["gates"]
    assert (await client.post("/v1/quests/nope/start", headers=auth)).status_code == 404
    assert (await client.post("/v1/quests/gates/start")).status_code == 401


async def test_my_quests_progress_and_badges(game: FastAPI, client: httpx.AsyncClient) -> None:
    player_id, auth = await guest(client)
    await client.post("/v1/quests/gates/start", headers=auth)
    await visit_sites(game, player_id, "napoli")
    mine = (await client.get("/v1/me/quests", headers=auth)).json()
    assert (mine["xp"], mine["level"]) == (0, 1)
    steps = {s["id"]: s["done"] for s in mine["quests"][0]["steps"]}
    assert steps == {"napoli": True, "rudiae": False}
    await visit_sites(game, player_id, "napoli", "rudiae")
    mine = (await client.get("/v1/me/quests", headers=auth)).json()
    assert (mine["xp"], mine["level"], mine["next_level_xp"]) == (150, 2, 300)
    assert mine["quests"][0]["status"] == "completed"
    progress = (await client.get("/v1/me/progress", headers=auth)).json()
    assert progress["quests_completed"] == 1
    assert progress["badges"] == 1
    assert progress["sites_visited"] == 2
    badges = (await client.get("/v1/me/badges", headers=auth)).json()
    assert [(b["slug"], b["credential_url"]) for b in badges] == [
        ("keeper", "/v1/me/badges/keeper/credential")
    ]


async def test_a_badge_credential_verifies_with_the_published_key(
    game: FastAPI, client: httpx.AsyncClient
) -> None:
    player_id, auth = await guest(client)
    await client.post("/v1/quests/gates/start", headers=auth)
    await visit_sites(game, player_id, "napoli", "rudiae")
    response = await client.get("/v1/me/badges/keeper/credential", headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+jwt")
    token = response.text
    again = await client.get("/v1/me/badges/keeper/credential", headers=auth)
    assert again.text == token  # the same credential every time

    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert keys == (await client.get("/v1/badges/keys")).json()["keys"]
    header = jwt.get_unverified_header(token)
    key = next(k for k in keys if k["kid"] == header["kid"])
    assert (key["kty"], key["crv"], header["alg"]) == ("OKP", "Ed25519", "EdDSA")
    claims = credentials.verify(token, key)
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["credentialSubject"]["id"] != f"urn:uuid:{player_id}"  # a pseudonym
    assert claims["credentialSubject"]["id"].startswith("urn:uuid:")
    assert claims["credentialSubject"]["achievement"]["id"].endswith("/v1/badges/keeper")
    assert claims["issuer"]["id"] == claims["iss"]
    issuer = (await client.get("/v1/badges/issuer")).json()
    assert issuer["id"] == claims["iss"]
    achievement = (await client.get("/v1/badges/keeper")).json()
    assert achievement["type"] == ["Achievement"]

    head, payload, signature = token.split(".")
    forged = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged["credentialSubject"]["id"] = f"urn:uuid:{uuid.uuid4()}"
    forged_payload = base64.urlsafe_b64encode(orjson.dumps(forged)).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        credentials.verify(f"{head}.{forged_payload}.{signature}", key)

    as_json = await client.get(
        "/v1/me/badges/keeper/credential", headers={**auth, "Accept": "application/json"}
    )
    assert as_json.json()["jwt"] == token
    assert as_json.json()["credential"]["id"] == claims["id"]


async def test_a_credential_awarded_by_a_clock_ahead_reads_back_and_verifies_within_skew(
    game: FastAPI, client: httpx.AsyncClient
) -> None:
    """The award time is the game's server time; the worker answering may be behind it."""
    player_id, auth = await guest(client)
    await client.post("/v1/quests/gates/start", headers=auth)
    await visit_sites(game, player_id, "napoli", "rudiae", ahead=timedelta(minutes=10))
    as_json = await client.get(
        "/v1/me/badges/keeper/credential", headers={**auth, "Accept": "application/json"}
    )
    assert as_json.status_code == 200
    key = (await client.get("/.well-known/jwks.json")).json()["keys"][0]
    assert as_json.json()["credential"]["credentialSubject"]["achievement"]["id"].endswith(
        "/v1/badges/keeper"
    )
    with pytest.raises(jwt.ImmatureSignatureError):  # ten minutes is more than clock skew
        credentials.verify(as_json.json()["jwt"], key)


async def test_nobody_else_gets_your_credential(game: FastAPI, client: httpx.AsyncClient) -> None:
    owner, auth = await guest(client)
    _, other = await guest(client)
    await client.post("/v1/quests/gates/start", headers=auth)
    await visit_sites(game, owner, "napoli", "rudiae")
    response = await client.get("/v1/me/badges/keeper/credential", headers=other)
    assert response.status_code == 404
    assert (await client.get("/v1/me/badges", headers=other)).json() == []
    assert (await client.get("/v1/me/quests", headers=other)).json()["quests"] == []
