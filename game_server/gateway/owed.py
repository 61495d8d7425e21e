"""The game's reactions owed to visits recorded ahead of them: granted off the read loops,
and swept after a crash."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from game_server.events import log as events_log
from game_server.gateway.connection import Connection
from game_server.gateway.storing import Storing
from game_server.kit.background import in_background
from game_server.kit.clock import utcnow
from game_server.kit.pubsub import BackendUnavailable
from game_server.kit.uow import unit_of_work
from quests.service import players_owed_reactions

log = logging.getLogger("game_server.gateway.service")


class OwedReactions(Storing):
    async def _grant_owed_or_leave_owed(
        self, player_id: uuid.UUID, conn: Connection | None
    ) -> None:
        try:
            await self._grant_owed(player_id, conn)
        except Exception as exc:  # the visits stay owed: the sweep grants them
            self._background_failed(exc, "granting owed reactions")

    async def _grant_owed(self, player_id: uuid.UUID, conn: Connection | None) -> None:
        """One unit of work: the game's reaction to the player's owed visits, then push."""
        loaded = self.catalog.current
        if loaded is None:
            return
        bundle = self.worlds.get(loaded).bundle
        started = time.perf_counter()
        work = unit_of_work(self.factory, lock=self._writes)
        async with work as session:
            await self.game.service(session, bundle).react_to_pending(player_id)
        stored: list[events_log.StoredEvent] = work.committed
        self.metrics.commit_seconds.labels(path="reaction").observe(time.perf_counter() - started)
        self.metrics.events.inc(len(stored))
        if conn is not None and stored:
            conn.game_view = None  # the game moved on: the next visit reads it again
        try:
            await events_log.publish(self.backend, stored)
        except BackendUnavailable as exc:
            log.debug("owed reactions granted but not pushed: %s", exc)
            if conn is not None:  # the socket that asked reads them from the log
                conn.request_catch_up()

    async def sweep_owed_reactions(self, *, older_than_s: float, limit: int = 100) -> int:
        """Grant the reactions a crash (or a failed unit of work) left owed; return how many
        players had some. Visits younger than `older_than_s` are left to their own socket,
        unless the worker that owes them has stopped beating."""
        if self.catalog.current is None:
            return 0
        now = utcnow()
        before = now - timedelta(seconds=older_than_s)
        alive_since = me = None
        if self.liveness is not None:
            alive_since, me = self.liveness.alive_since(now), self.liveness.worker_id
        async with self.factory() as session:
            players = await players_owed_reactions(
                session, before=before, limit=limit, alive_since=alive_since, me=me
            )
        for player_id in players:
            await self._grant_owed(player_id, None)
        return len(players)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The worker's background work for the lifetime of the block: the reaction tasks,
        and the sweep of owed reactions at startup and every `reaction_sweep_s`.

        The sweep leaves visits younger than its interval to their own socket; every worker
        sweeps, and the player's row lock makes each reaction happen once whoever gets there
        first.
        """
        interval_s = self.settings.reaction_sweep_s
        liveness = self.liveness
        # With heartbeats (PostgreSQL) the sweep runs at every beat: a dead worker's reactions
        # are granted within seconds; the others' still wait `reaction_sweep_s`.
        every_s = min(interval_s, liveness.heartbeat_s) if liveness is not None else interval_s

        async def sweep() -> None:
            while True:
                try:
                    if liveness is not None:
                        await liveness.beat()
                    await self.sweep_owed_reactions(older_than_s=interval_s)
                except Exception as exc:  # the database may be down: next round
                    self._background_failed(exc, "sweeping owed reactions")
                await asyncio.sleep(every_s)

        try:
            async with in_background(("owed-reactions-sweep", sweep())), self.reactions.running():
                yield
        finally:
            if liveness is not None:
                with contextlib.suppress(Exception):  # best effort: else it dies of old age
                    await liveness.forget()
