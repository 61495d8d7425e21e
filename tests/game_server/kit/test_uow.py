"""The one unit of work: commit or roll back, refusals that persist, events after the commit."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.events import log
from game_server.events.log import NewEvent
from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.errors import Conflict
from game_server.kit.pubsub import MemoryBackend
from game_server.kit.uow import make_durable, unit_of_work
from game_server.players.models import Player

Factory = async_sessionmaker[AsyncSession]


class CountedRefusal(Conflict):
    commit = True


@pytest.fixture
async def factory(database_url: str) -> AsyncIterator[Factory]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    await engine.dispose()


async def _names(factory: Factory) -> set[str]:
    async with factory() as session:
        return set(await session.scalars(select(Player.display_name)))


async def _add_then_fail(work: unit_of_work, name: str, error: Exception) -> None:
    async with work as session:
        player = Player(id=uuid.uuid4(), display_name=name)
        session.add(player)
        await session.flush()
        await log.append(session, player.id, [NewEvent("poi.enter", {})])
        raise error


async def _durable_then_fail(factory: Factory) -> None:
    async with unit_of_work(factory) as session:
        session.add(Player(display_name="durable"))
        await make_durable(session)
        session.add(Player(display_name="after"))
        raise RuntimeError("boom")


async def test_the_block_commits_then_publishes_its_events(factory: Factory) -> None:
    backend = MemoryBackend()
    player_id = uuid.uuid4()
    work = unit_of_work(factory, publish_to=backend)
    async with backend.subscribe(log.player_channel(player_id)) as inbox:
        async with work as session:
            session.add(Player(id=player_id, display_name="committed"))
            await session.flush()
            await log.append(session, player_id, [NewEvent("poi.enter", {"poi": "duomo"})])
        message = await anext(inbox)
    assert b'"kind":"poi.enter"' in message.data
    assert [e.seq for e in work.committed] == [1]
    assert await _names(factory) == {"committed"}


async def test_an_error_rolls_back_and_drops_the_events(factory: Factory) -> None:
    work = unit_of_work(factory, publish_to=MemoryBackend())
    with pytest.raises(RuntimeError):
        await _add_then_fail(work, "rolled back", RuntimeError("boom"))
    assert work.committed == []
    assert await _names(factory) == set()


async def test_a_refusal_that_must_persist_is_committed_then_raised(factory: Factory) -> None:
    counted = unit_of_work(factory)
    with pytest.raises(CountedRefusal):
        await _add_then_fail(counted, "counted", CountedRefusal("refused, but counted"))
    with pytest.raises(Conflict):
        await _add_then_fail(unit_of_work(factory), "not counted", Conflict("refused"))
    assert await _names(factory) == {"counted"}
    assert [e.kind for e in counted.committed] == ["poi.enter"]


async def test_make_durable_keeps_what_came_before_a_later_failure(factory: Factory) -> None:
    with pytest.raises(RuntimeError):
        await _durable_then_fail(factory)
    assert await _names(factory) == {"durable"}
