"""One audit stream for admins: staff actions and merchant actions, filtered; append-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from game_server.staff.roles import Role
from tests.game_server.admin.helpers import multipart, shipped_files, staff

SHOP = {
    "slug": "libreria-del-corso",
    "name": "Libreria del Corso",
    "category": "bookshop",
    "street": "Corso Vittorio Emanuele II",
    "lat": 40.3529,
    "lon": 18.1700,
}


async def test_admins_see_every_staff_and_merchant_action(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    curator = await staff(app, client, Role.CURATOR)
    admin = await staff(app, client, Role.ADMIN)
    published = await client.post(
        "/admin/v1/content/publish", files=multipart(shipped_files()), headers=curator.auth
    )
    assert published.status_code == 201
    created = await client.post("/admin/v1/merchants", json=SHOP, headers=admin.auth)
    assert created.status_code == 201, created.text
    till = {"Authorization": f"Bearer {created.json()['api_key']}"}
    assert (await client.get("/merchant/v1/coupons/ABCD-EFGH", headers=till)).status_code in {
        404,
        422,
    }
    rotated = await client.post(
        f"/admin/v1/merchants/{SHOP['slug']}/keys/rotate", headers=admin.auth
    )
    assert rotated.status_code == 201

    entries = (await client.get("/admin/v1/audit", headers=admin.auth)).json()
    seen = {(e["source"], e["action"]) for e in entries}
    assert {
        ("staff", "staff.login"),
        ("staff", "content.publish"),
        ("merchant", "merchant.create"),
        ("merchant", "lookup"),
        ("merchant", "key.rotate"),
    } <= seen
    moments = [e["at"] for e in entries]
    assert moments == sorted(moments, reverse=True)
    onboarding = next(e for e in entries if e["action"] == "merchant.create")
    assert onboarding["actor"] == f"staff:{admin.id}"
    assert onboarding["actor_email"] == admin.email
    assert onboarding["target"] == f"merchant:{SHOP['slug']}"

    by_admin = await client.get(f"/admin/v1/audit?actor={admin.email}", headers=admin.auth)
    assert {e["actor_email"] for e in by_admin.json()} == {admin.email}
    assert {"merchant.create", "key.rotate", "staff.login"} <= {
        e["action"] for e in by_admin.json()
    }
    content = await client.get("/admin/v1/audit?action=content.*", headers=admin.auth)
    assert [e["action"] for e in content.json()] == ["content.publish"]
    assert [e["city"] for e in content.json()] == ["lecce"]
    merchants = await client.get("/admin/v1/audit?source=merchant", headers=admin.auth)
    assert {e["source"] for e in merchants.json()} == {"merchant"}
    limited = await client.get("/admin/v1/audit?limit=2", headers=admin.auth)
    assert limited.json() == entries[:2]

    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    later = await client.get("/admin/v1/audit", params={"from": future}, headers=admin.auth)
    assert later.json() == []
    earlier = await client.get("/admin/v1/audit", params={"to": future}, headers=admin.auth)
    assert len(earlier.json()) == len(entries)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"]
)
async def test_the_audit_log_refuses_updates_and_deletes_in_the_database(
    app: FastAPI, client: httpx.AsyncClient, statement: str
) -> None:
    await staff(app, client, Role.ADMIN)  # its login is an entry
    async with app.state.session_factory() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(text(statement))
        await session.rollback()
