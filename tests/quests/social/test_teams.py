from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from game_server.players.models import Player
from quests.social.privacy import forget_player
from quests.social.settings import SocialSettings
from tests.quests.social.helpers import give_xp, guest, team_code


async def test_founder_gets_a_readable_join_code_and_is_the_first_member(
    client: httpx.AsyncClient,
) -> None:
    ada = await guest(client, "Ada")
    created = await client.post("/v1/teams", json={"name": "  Lupa  "}, headers=ada.headers)
    assert created.status_code == 201
    team = created.json()
    assert team["name"] == "Lupa"
    assert len(team["join_code"]) == 11
    assert team["join_code"][4] == team["join_code"][9] == "-"
    assert team["member_count"] == 1
    assert team["members"] == [{"display_name": "Ada"}]
    mine = await client.get("/v1/me/team", headers=ada.headers)
    assert mine.json() == team


async def test_joining_is_by_code_any_case_and_idempotent(client: httpx.AsyncClient) -> None:
    ada, bea = await guest(client, "Ada"), await guest(client, "Bea")
    code = await team_code(client, ada)
    typed = code.replace("-", " ").lower()
    first = await client.post("/v1/teams/join", json={"code": typed}, headers=bea.headers)
    again = await client.post("/v1/teams/join", json={"code": code}, headers=bea.headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["member_count"] == 2
    assert again.json()["members"] == [{"display_name": "Ada"}, {"display_name": "Bea"}]


async def test_a_player_is_in_at_most_one_team(client: httpx.AsyncClient) -> None:
    ada, bea = await guest(client, "Ada"), await guest(client, "Bea")
    await team_code(client, ada, "Lupa")
    other = await team_code(client, bea, "Leccio")
    joined = await client.post("/v1/teams/join", json={"code": other}, headers=ada.headers)
    assert joined.status_code == 409
    assert joined.json()["type"].endswith("/team-already-member")
    founded = await client.post("/v1/teams", json={"name": "Terza"}, headers=ada.headers)
    assert founded.status_code == 409
    assert (await client.get("/v1/me/team", headers=ada.headers)).json()["name"] == "Lupa"


async def test_bad_and_unknown_codes(client: httpx.AsyncClient) -> None:
    ada = await guest(client, "Ada")
    code = await team_code(client, await guest(client, "Bea"))
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    for bad in ("ABC", "O0O0-O0O0-O", typo):
        response = await client.post("/v1/teams/join", json={"code": bad}, headers=ada.headers)
        assert response.status_code == 422, bad
        assert response.json()["type"].endswith("/code-malformed")
    # A well-formed code nobody holds: the invite code of a player is not a team code.
    invite = (await client.get("/v1/me/invite-code", headers=ada.headers)).json()["code"]
    unknown = await client.post("/v1/teams/join", json={"code": invite}, headers=ada.headers)
    assert unknown.status_code == 404


async def test_leaving_frees_the_seat_and_is_idempotent(client: httpx.AsyncClient) -> None:
    ada, bea = await guest(client, "Ada"), await guest(client, "Bea")
    code = await team_code(client, ada)
    await client.post("/v1/teams/join", json={"code": code}, headers=bea.headers)
    for _ in range(2):
        assert (await client.post("/v1/teams/leave", headers=bea.headers)).status_code == 204
    assert (await client.get("/v1/me/team", headers=bea.headers)).status_code == 404
    team = (await client.get("/v1/me/team", headers=ada.headers)).json()
    assert team["member_count"] == 1
    assert team["members"] == [{"display_name": "Ada"}]


async def test_size_limit(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.social_settings = SocialSettings(team_max_members=2)
    code = await team_code(client, await guest(client, "Ada"))
    bea, cai = await guest(client, "Bea"), await guest(client, "Cai")
    assert (
        await client.post("/v1/teams/join", json={"code": code}, headers=bea.headers)
    ).is_success
    full = await client.post("/v1/teams/join", json={"code": code}, headers=cai.headers)
    assert full.status_code == 409
    assert full.json()["type"].endswith("/team-full")
    assert full.json()["max_members"] == 2
    await client.post("/v1/teams/leave", headers=bea.headers)
    assert (
        await client.post("/v1/teams/join", json={"code": code}, headers=cai.headers)
    ).is_success


async def test_size_limit_holds_under_concurrent_joins(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.social_settings = SocialSettings(team_max_members=3)
    code = await team_code(client, await guest(client, "Ada"))
    players = [await guest(client, f"P{i}") for i in range(8)]
    responses = await asyncio.gather(
        *(client.post("/v1/teams/join", json={"code": code}, headers=p.headers) for p in players)
    )
    assert sorted(r.status_code for r in responses) == [200, 200] + [409] * 6
    seated = next(p for p, r in zip(players, responses, strict=True) if r.is_success)
    team = (await client.get("/v1/me/team", headers=seated.headers)).json()
    assert team["member_count"] == len(team["members"]) == 3


async def test_team_names_are_checked(client: httpx.AsyncClient) -> None:
    ada = await guest(client, "Ada")
    for name in ("", "   ", "x" * 41):
        response = await client.post("/v1/teams", json={"name": name}, headers=ada.headers)
        assert response.status_code == 422


async def test_forgetting_a_player_frees_the_seat_and_the_boards(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ada, bea = await guest(client, "Ada"), await guest(client, "Bea")
    code = await team_code(client, ada)
    await client.post("/v1/teams/join", json={"code": code}, headers=bea.headers)
    await give_xp(app, bea, 40)
    async with app.state.session_factory() as session:
        await forget_player(session, bea.id)
        await session.delete(await session.get(Player, bea.id))
        await session.commit()
    team = (await client.get("/v1/me/team", headers=ada.headers)).json()
    assert team["member_count"] == 1
    board = (await client.get("/v1/leaderboards/players-alltime", headers=ada.headers)).json()
    assert board["top"] == []
