"""The worker's reaction queue: bounded, one grant per player waiting, failures survive."""

from __future__ import annotations

import asyncio
import uuid

from game_server.gateway.reactions import Reactions


async def test_a_player_asked_for_twice_while_waiting_is_granted_once_with_the_latest_context() -> (
    None
):
    granted: list[tuple[uuid.UUID, str]] = []
    done = asyncio.Event()

    async def grant(player_id: uuid.UUID, context: str) -> None:
        granted.append((player_id, context))
        if len(granted) == 2:
            done.set()

    a, b = uuid.uuid4(), uuid.uuid4()
    reactions: Reactions[str] = Reactions(grant, workers=2, capacity=10)
    assert reactions.request(a, "first socket")
    assert reactions.request(b, "b")
    assert reactions.request(a, "second socket")  # still waiting: merged
    assert reactions.waiting == 2
    async with reactions.running():
        await asyncio.wait_for(done.wait(), 5)
    assert sorted(granted) == sorted([(a, "second socket"), (b, "b")])
    assert reactions.waiting == 0


async def test_a_full_queue_refuses_and_a_failed_grant_does_not_stop_the_workers() -> None:
    granted: list[uuid.UUID] = []
    done = asyncio.Event()
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    async def grant(player_id: uuid.UUID, _: None) -> None:
        if player_id == first:
            raise ConnectionResetError("database gone")  # left owed: the sweep's business
        granted.append(player_id)
        done.set()

    reactions: Reactions[None] = Reactions(grant, workers=1, capacity=2)
    assert reactions.request(first, None)
    assert reactions.request(second, None)
    assert not reactions.request(third, None)  # full: the caller counts it, the sweep grants
    async with reactions.running():
        await asyncio.wait_for(done.wait(), 5)
    assert granted == [second]
