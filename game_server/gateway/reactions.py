"""Game reactions owed by this worker's sockets, granted off the sockets' read loops.

A socket records a visit with its reaction owed (`quests.visitlog.postgres`), sends its geo
events, and asks for the reaction here. A few tasks grant them, one player at a time: one grant
covers all of a player's owed visits, oldest first, so a player asked for twice before a task
gets to them is granted once. A socket therefore never stops reading while the game reacts —
its next fixes, its pings and the keepalive's pongs keep flowing even when a burst of reactions
queues (a uvicorn socket reads no pong while a frame waits for the app, and is closed 1011
after `ws_ping_timeout_s`).

The queue is in memory and bounded. What it refuses when full, or what a crash loses, stays
owed in the database, and the sweep (`Gateway.sweep_owed_reactions`) grants it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from game_server.kit.background import in_background

log = logging.getLogger(__name__)

T = TypeVar("T")


class Reactions(Generic[T]):
    def __init__(
        self,
        grant: Callable[[uuid.UUID, T], Awaitable[None]],
        *,
        workers: int,
        capacity: int,
    ) -> None:
        self._grant = grant
        self._workers = workers
        self._queue: asyncio.Queue[uuid.UUID] = asyncio.Queue(capacity)
        self._waiting: dict[uuid.UUID, T] = {}  # queued, not started: asked again → no-op

    def request(self, player_id: uuid.UUID, context: T) -> bool:
        """Ask for `player_id`'s owed reactions; False when the queue is full (the sweep will
        grant them). `context` goes to the grant (the socket that asked, for a catch-up)."""
        if player_id in self._waiting:
            self._waiting[player_id] = context
            return True
        try:
            self._queue.put_nowait(player_id)
        except asyncio.QueueFull:
            return False
        self._waiting[player_id] = context
        return True

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def _work(self) -> None:
        while True:
            player_id = await self._queue.get()
            context = self._waiting.pop(player_id)
            try:
                await self._grant(player_id, context)
            except Exception:  # the visits stay owed: the sweep grants them
                log.exception("granting owed reactions failed; the sweep will retry")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the granting tasks for the lifetime of the block."""
        async with in_background(*((f"reactions-{i}", self._work()) for i in range(self._workers))):
            yield
