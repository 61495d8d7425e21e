from __future__ import annotations

import asyncio
import uuid

from game_server.events import log
from game_server.events.log import NewEvent
from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.pubsub import MemoryBackend
from game_server.players.models import Player
from game_server.players.repository import PlayerRepository


async def _new_player(factory) -> uuid.UUID:  # type: ignore[no-untyped-def]
    async with factory() as session:
        player = await PlayerRepository(session).add(Player(display_name="t"))
        await session.commit()
        return player.id


async def test_seq_is_strictly_increasing_and_replayable(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    player_id = await _new_player(factory)
    async with factory() as session:
        first = await log.append(session, player_id, [NewEvent("poi.enter", {"poi": "duomo"})])
        more = await log.append(
            session, player_id, [NewEvent("poi.visit", {"poi": "duomo"}), NewEvent("x", {})]
        )
        await session.commit()
    assert [e.seq for e in first + more] == [1, 2, 3]
    async with factory() as session:
        assert [e.seq for e in await log.after(session, player_id, 1)] == [2, 3]
        assert await log.last_seq(session, player_id) == 3
    await engine.dispose()


async def test_rolled_back_events_leave_no_gap_and_are_never_published(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    player_id = await _new_player(factory)
    backend = MemoryBackend()
    async with backend.subscribe(log.player_channel(player_id)) as sub, factory() as session:
        await log.append(session, player_id, [NewEvent("poi.enter", {})])
        await session.rollback()
        assert log.take_outbox(session) == []  # dropped with the transaction
        kept = await log.append(session, player_id, [NewEvent("poi.visit", {})])
        await session.commit()
        await log.publish(backend, log.take_outbox(session))
        message = await anext(sub)
    assert kept[0].seq == 1
    assert b'"seq":1' in message.data
    await engine.dispose()


async def test_concurrent_appends_from_many_connections_never_share_a_seq(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    player_id = await _new_player(factory)

    async def one_batch(i: int) -> list[int]:
        async with factory() as session:
            stored = await log.append(session, player_id, [NewEvent("n", {"i": i})] * 2)
            await session.commit()
            return [e.seq for e in stored]

    batches = await asyncio.gather(*(one_batch(i) for i in range(10)))
    seqs = sorted(s for batch in batches for s in batch)
    assert seqs == list(range(1, 21))
    await engine.dispose()


async def test_an_event_of_a_presence_already_stored_is_not_stored_again(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    player_id = await _new_player(factory)
    visit = NewEvent("poi.visit", {"poi": "duomo"}, log.presence_key("duomo", 1_000))
    other = NewEvent("poi.visit", {"poi": "duomo"}, log.presence_key("duomo", 9_000))
    async with factory() as session:
        assert [e.seq for e in await log.append(session, player_id, [visit])] == [1]
        await session.commit()
    async with factory() as session:
        again = await log.append(session, player_id, [visit, NewEvent("x", {}), other])
        await session.commit()
    assert [(e.seq, e.kind) for e in again] == [(2, "x"), (3, "poi.visit")]
    async with factory() as session:
        assert [e.seq for e in await log.after(session, player_id, 0)] == [1, 2, 3]
    await engine.dispose()
