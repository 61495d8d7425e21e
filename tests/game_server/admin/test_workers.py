"""Two real worker processes sharing PostGIS and Redis: publish, roll back and ban on one,
the other follows (content without a restart, sockets closed at once). How fast it follows is a
figure for benchmarks, not a test: the wait here is only bounded, so a loaded machine is slow,
not red."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from game_server import migrate
from game_server.kit.db import make_engine, make_session_factory
from game_server.staff.roles import Role
from tests.conftest import TEST_SECRET
from tests.game_server.admin.helpers import PASSWORD, multipart, shipped_files
from tests.game_server.gateway.live import Player, publish_shipped
from tests.services import fresh_postgis_database, require_env
from tests.workers import run_workers

pytestmark = [pytest.mark.postgis, pytest.mark.redis, pytest.mark.slow]

PORTE = "lecce/quests/porte-della-citta.yaml"
SWITCH_BOUND_S = 30.0  # a bound on the wait, not a timing requirement


@pytest.fixture
def private_postgis() -> Iterator[str]:
    for url in fresh_postgis_database(require_env("LUPIAE_TEST_DATABASE_URL", "PostGIS")):
        migrate.upgrade(url)
        yield url


async def _create_staff(database_url: str) -> dict[Role, str]:
    from game_server.audit.actors import Actor
    from game_server.audit.repository import AuditRepository
    from game_server.audit.service import AuditLog
    from game_server.staff.repository import StaffRepository
    from game_server.staff.service import StaffService

    engine = make_engine(database_url)
    emails = {role: f"{role.value}@comune.lecce.it" for role in Role}
    async with make_session_factory(engine)() as session:
        service = StaffService(StaffRepository(session), AuditLog(AuditRepository(session)))
        for role, email in emails.items():
            await service.create(email, role, PASSWORD, by=Actor.cli("tests"))
        await session.commit()
    await engine.dispose()
    return emails


async def _token(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await http.post("/admin/v1/auth/login", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _title_within(http: httpx.AsyncClient, expected: str, started: float) -> float:
    """Poll the other worker until it serves `expected` (bounded); return the seconds it took."""
    while (elapsed := time.monotonic() - started) <= SWITCH_BOUND_S:
        quest = await http.get("/v1/quests/porte-della-citta", headers={"Accept-Language": "en"})
        if quest.json()["title"] == expected:
            return elapsed
        await asyncio.sleep(0.05)
    pytest.fail(f"the other worker did not serve {expected!r} within {SWITCH_BOUND_S} s")


async def _close_code(player: Player, timeout_s: float = 5.0) -> int | None:
    """Read until the server closes the socket (bounded); return its close code."""
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                await player.ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def test_publish_rollback_and_ban_on_one_worker_reach_the_other(
    private_postgis: str, redis_url: str, tmp_path: Path
) -> None:
    await publish_shipped(private_postgis)
    emails = await _create_staff(private_postgis)
    env = {
        "LUPIAE_ENV": "test",
        "LUPIAE_DATABASE_URL": private_postgis,
        "LUPIAE_REDIS_URL": redis_url,
        "LUPIAE_SECRET_KEY": TEST_SECRET,
        "LUPIAE_LOG_LEVEL": "warning",
    }
    async with (
        run_workers(2, env, logs=tmp_path) as (url_a, url_b),
        httpx.AsyncClient(base_url=url_a, timeout=10) as a,
        httpx.AsyncClient(base_url=url_b, timeout=10) as b,
    ):
        curator = await _token(a, emails[Role.CURATOR])
        admin = await _token(a, emails[Role.ADMIN])
        guest = (await b.post("/v1/auth/guest")).json()
        host_b = url_b.removeprefix("http://")
        async with Player.connect(host_b, guest["access_token"]) as (player, _):
            before = (await a.get("/admin/v1/content/versions", headers=curator)).json()
            renamed = shipped_files()
            renamed[PORTE] = renamed[PORTE].replace(b"The city gates", b"The gates of Lecce")

            published = await a.post(
                "/admin/v1/content/publish", files=multipart(renamed), headers=curator
            )
            started = time.monotonic()
            assert published.status_code == 201, published.text
            await _title_within(b, "The gates of Lecce", started)
            await player.send({"type": "ping"})
            assert (await player.reply())["type"] == "pong"  # the socket lived through it

            rollback = f"/admin/v1/content/versions/{before[0]['id']}/activate"
            rolled = await a.post(rollback, headers=curator)
            started = time.monotonic()
            assert rolled.json()["status"] == "activated"
            await _title_within(b, "The city gates", started)
            await player.send({"type": "ping"})
            assert (await player.reply())["type"] == "pong"

            ban = f"/admin/v1/players/{guest['player_id']}/ban"
            banned = await a.post(ban, json={"reason": "spoofed positions"}, headers=admin)
            assert banned.json()["sockets_closed"] is True
            assert await _close_code(player) == 1008

        refreshed = await b.post("/v1/auth/refresh", json={"refresh_token": guest["refresh_token"]})
        assert refreshed.status_code in {401, 403}
        with pytest.raises(ConnectionClosed) as refused:
            async with Player.connect(host_b, guest["access_token"]):
                pass
        assert refused.value.rcvd is not None
        assert refused.value.rcvd.code == 1008
