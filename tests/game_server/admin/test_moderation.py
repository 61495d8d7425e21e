"""Bans and unbans by admins: the player is locked out at once, with the reason on record."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from game_server.staff.roles import Role
from tests.game_server.admin.helpers import staff


async def test_a_ban_locks_the_player_out_and_an_unban_lets_them_back(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await staff(app, client, Role.ADMIN)
    guest = (await client.post("/v1/auth/guest")).json()
    player = {"Authorization": f"Bearer {guest['access_token']}"}
    ban = f"/admin/v1/players/{guest['player_id']}/ban"

    banned = await client.post(ban, json={"reason": "teleporting"}, headers=admin.auth)
    assert banned.status_code == 200
    assert banned.json()["ban_reason"] == "teleporting"
    assert banned.json()["banned_at"] is not None
    assert banned.json()["sockets_closed"] is True
    me = await client.get("/v1/me", headers=player)
    assert me.status_code == 403
    assert me.json()["reason"] == "teleporting"
    refresh = await client.post("/v1/auth/refresh", json={"refresh_token": guest["refresh_token"]})
    assert refresh.status_code in {401, 403}

    looked_up = await client.get(f"/admin/v1/players/{guest['player_id']}", headers=admin.auth)
    assert looked_up.json()["ban_reason"] == "teleporting"
    unbanned = await client.post(
        f"/admin/v1/players/{guest['player_id']}/unban", headers=admin.auth
    )
    assert unbanned.json()["banned_at"] is None
    assert (await client.get("/v1/me", headers=player)).status_code == 200

    audit = (await client.get("/admin/v1/audit?action=player.*", headers=admin.auth)).json()
    assert [(e["action"], e["target"]) for e in audit] == [
        ("player.unban", f"player:{guest['player_id']}"),
        ("player.ban", f"player:{guest['player_id']}"),
    ]
    assert audit[1]["detail"] == {"reason": "teleporting"}
    assert audit[1]["actor_email"] == admin.email


async def test_a_ban_needs_a_reason_and_a_real_player(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await staff(app, client, Role.ADMIN)
    guest = (await client.post("/v1/auth/guest")).json()
    ban = f"/admin/v1/players/{guest['player_id']}/ban"
    assert (await client.post(ban, json={}, headers=admin.auth)).status_code == 422
    assert (await client.post(ban, json={"reason": ""}, headers=admin.auth)).status_code == 422
    nobody = f"/admin/v1/players/{uuid.uuid4()}/ban"
    missing = await client.post(nobody, json={"reason": "spam"}, headers=admin.auth)
    assert missing.status_code == 404
    audit = (await client.get("/admin/v1/audit?action=player.ban", headers=admin.auth)).json()
    assert audit == []  # refused actions changed nothing and recorded nothing


async def test_players_are_listed_by_name_or_id_and_by_ban(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await staff(app, client, Role.ADMIN)
    guests = [(await client.post("/v1/auth/guest")).json() for _ in range(3)]
    ids = [g["player_id"] for g in guests]
    names = {}
    for guest in guests:
        me = await client.get(
            "/v1/me", headers={"Authorization": f"Bearer {guest['access_token']}"}
        )
        names[guest["player_id"]] = me.json()["display_name"]
    reason = {"reason": "spoofed positions"}
    await client.post(f"/admin/v1/players/{ids[1]}/ban", json=reason, headers=admin.auth)

    listed = (await client.get("/admin/v1/players", headers=admin.auth)).json()
    assert [p["player_id"] for p in listed] == list(reversed(ids))  # newest first
    banned = (await client.get("/admin/v1/players?banned=true", headers=admin.auth)).json()
    assert [(p["player_id"], p["ban_reason"]) for p in banned] == [(ids[1], "spoofed positions")]
    by_id = (await client.get(f"/admin/v1/players?q={ids[2]}", headers=admin.auth)).json()
    assert [p["player_id"] for p in by_id] == [ids[2]]
    part = names[ids[0]][1:5]
    by_name = (await client.get(f"/admin/v1/players?q={part}", headers=admin.auth)).json()
    assert ids[0] in [p["player_id"] for p in by_name]
    assert (await client.get("/admin/v1/players?q=%25", headers=admin.auth)).json() == []
