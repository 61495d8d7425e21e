"""Group commit: many units, one transaction; a failing unit fails alone."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from game_server.db import make_engine, make_session_factory
from game_server.events import log
from game_server.events.log import NewEvent
from game_server.gateway.writer import GroupWriter
from game_server.players.models import Player
from game_server.players.repository import PlayerRepository


class Boom(Exception):
    pass


async def test_units_commit_together_and_a_failure_stays_alone(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    async with factory() as session:
        players = [
            (await PlayerRepository(session).add(Player(display_name=f"p{i}"))).id for i in range(6)
        ]
        await session.commit()
    writer = GroupWriter(factory)

    def unit(player_id: uuid.UUID, fail: bool):  # type: ignore[no-untyped-def]
        async def run(session: AsyncSession) -> None:
            await log.append(session, player_id, [NewEvent("poi.enter", {"poi": "x"})])
            if fail:
                raise Boom(str(player_id))

        return run

    results = await asyncio.gather(
        *(writer.run(unit(p, fail=(i == 2))) for i, p in enumerate(players)),
        return_exceptions=True,
    )
    await writer.close()
    assert isinstance(results[2], Boom)
    for i, result in enumerate(results):
        if i != 2:
            assert isinstance(result, list)
            assert [(e.player_id, e.seq) for e in result] == [(players[i], 1)]
    async with factory() as session:
        stored = {p: await log.last_seq(session, p) for p in players}
    assert stored == {p: (0 if i == 2 else 1) for i, p in enumerate(players)}
    await engine.dispose()


async def test_a_failed_shared_commit_retries_each_unit_alone(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    async with factory() as session:
        player = (await PlayerRepository(session).add(Player(display_name="p"))).id
        await session.commit()
    writer = GroupWriter(factory)
    calls = 0

    async def flaky(session: AsyncSession) -> None:
        nonlocal calls
        calls += 1
        await log.append(session, player, [NewEvent("poi.enter", {})])

    original = writer._together

    async def together_fails_once(batch):  # type: ignore[no-untyped-def]
        writer._together = original  # type: ignore[method-assign]
        raise ConnectionError("lost the database mid-commit")

    writer._together = together_fails_once  # type: ignore[method-assign]
    stored = await writer.run(flaky)
    await writer.close()
    assert [e.seq for e in stored] == [1]
    assert calls == 1
    await engine.dispose()
