from __future__ import annotations

import uuid

import httpx

from tests.quests.social.helpers import befriend, guest


async def friends_of(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    response = await client.get("/v1/friends", headers=headers)
    assert response.status_code == 200
    return [f["display_name"] for f in response.json()["friends"]]


async def test_invite_code_is_stable_and_readable(client: httpx.AsyncClient) -> None:
    ada = await guest(client, "Ada")
    first = await client.get("/v1/me/invite-code", headers=ada.headers)
    second = await client.get("/v1/me/invite-code", headers=ada.headers)
    assert first.status_code == 200
    assert first.json() == second.json()
    assert len(first.json()["code"]) == 11


async def test_a_code_makes_a_mutual_friendship_once(client: httpx.AsyncClient) -> None:
    ada, bea = await guest(client, "Ada"), await guest(client, "Bea")
    code = (await client.get("/v1/me/invite-code", headers=bea.headers)).json()["code"]
    made = await client.post("/v1/friends", json={"code": code}, headers=ada.headers)
    assert made.status_code == 201
    assert made.json()["player_id"] == str(bea.id)
    assert made.json()["display_name"] == "Bea"
    again = await client.post("/v1/friends", json={"code": code.lower()}, headers=ada.headers)
    assert again.status_code == 200
    ada_code = (await client.get("/v1/me/invite-code", headers=ada.headers)).json()["code"]
    back = await client.post("/v1/friends", json={"code": ada_code}, headers=bea.headers)
    assert back.status_code == 200  # already friends, from the other side
    assert await friends_of(client, ada.headers) == ["Bea"]
    assert await friends_of(client, bea.headers) == ["Ada"]


async def test_befriending_yourself_is_refused(client: httpx.AsyncClient) -> None:
    ada = await guest(client, "Ada")
    code = (await client.get("/v1/me/invite-code", headers=ada.headers)).json()["code"]
    response = await client.post("/v1/friends", json={"code": code}, headers=ada.headers)
    assert response.status_code == 422
    assert response.json()["type"].endswith("/friend-self")
    assert await friends_of(client, ada.headers) == []


async def test_unknown_and_malformed_codes(client: httpx.AsyncClient) -> None:
    ada = await guest(client, "Ada")
    malformed = await client.post("/v1/friends", json={"code": "hello"}, headers=ada.headers)
    assert malformed.status_code == 422
    team = await client.post("/v1/teams", json={"name": "Lupa"}, headers=ada.headers)
    unknown = await client.post(
        "/v1/friends", json={"code": team.json()["join_code"]}, headers=ada.headers
    )
    assert unknown.status_code == 404


async def test_unfriending_ends_it_for_both(client: httpx.AsyncClient) -> None:
    ada, bea = await guest(client, "Ada"), await guest(client, "Bea")
    await befriend(client, ada, bea)
    gone = await client.delete(f"/v1/friends/{ada.id}", headers=bea.headers)
    assert gone.status_code == 204
    assert await friends_of(client, ada.headers) == []
    assert await friends_of(client, bea.headers) == []
    again = await client.delete(f"/v1/friends/{ada.id}", headers=bea.headers)
    assert again.status_code == 404


async def test_nobody_touches_friendships_of_others(client: httpx.AsyncClient) -> None:
    ada, bea, eve = (
        await guest(client, "Ada"),
        await guest(client, "Bea"),
        await guest(client, "Eve"),
    )
    await befriend(client, ada, bea)
    # Eve can only ever name her own friendships: she cannot end Ada and Bea's.
    for target in (ada.id, bea.id, eve.id, uuid.uuid4()):
        response = await client.delete(f"/v1/friends/{target}", headers=eve.headers)
        assert response.status_code == 404
    assert await friends_of(client, ada.headers) == ["Bea"]
    assert await friends_of(client, eve.headers) == []
