"""The gateway's state for one worker, and what every part of it shares.

`Gateway` (`service.py`) is built in layers, each in its own module: this state, storing what
a frame earned (`storing.py`), the reactions owed to visits (`owed.py`), game actions
(`actions.py`), positions (`moves.py`), and on top the transport with its dispatch table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.catalog.service import Catalog
from game_server.events import log as events_log
from game_server.gateway.connection import Connection
from game_server.gateway.metrics import GatewayMetrics
from game_server.gateway.positions import without_stale_fences
from game_server.gateway.reactions import Reactions
from game_server.gateway.trackers import TrackerStore
from game_server.gateway.world import World, WorldCache
from game_server.kit.clock import utcnow
from game_server.kit.closecodes import CloseCode
from game_server.kit.errors import DomainError
from game_server.kit.liveness import Liveness, new_worker_id
from game_server.kit.outages import Outages, answer_for, dependency_of
from game_server.kit.pubsub import Backend, BackendUnavailable
from game_server.settings import Settings
from quests.game import Game
from quests.view import load_view
from quests.visitlog import VisitLog
from quests.visitlog.orm import OrmVisitLog

if TYPE_CHECKING:
    from quests.view import GameView

log = logging.getLogger("game_server.gateway.service")

# Players waiting for their game reaction in this worker; beyond, the sweep grants it.
REACTION_QUEUE = 10_000


class GatewayCore:
    def __init__(
        self,
        settings: Settings,
        factory: async_sessionmaker[AsyncSession],
        backend: Backend,
        catalog: Catalog,
        game: Game,
        metrics: GatewayMetrics,
        fast_log: VisitLog | None = None,
        outages: Outages | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.outages = outages
        # Server time: when fixes arrive, visits are recorded, answers given (tests inject a
        # clock to walk a quest in real time without waiting for it).
        self.clock = clock
        self.fast_log = fast_log
        self.factory = factory
        self.backend = backend
        self.catalog = catalog
        self.game = game
        self.metrics = metrics
        self._open = 0  # sockets served now (admission: settings.max_sockets)
        self._by_client: dict[str, int] = {}  # sockets served now per client address
        # Heartbeats only where visits are recorded ahead of their reaction (PostgreSQL).
        self.liveness: Liveness | None = None
        if fast_log is not None:
            self.liveness = Liveness(
                factory, worker_id=new_worker_id(), heartbeat_s=settings.heartbeat_s
            )
            fast_log.worker_id = self.liveness.worker_id
        self.geo = settings.geo_settings()
        self.worlds = WorldCache(self.geo)
        self.trackers = TrackerStore(backend, settings.tracker_linger_s)
        self.reactions: Reactions[Connection] = Reactions(
            self._grant_owed_or_leave_owed,
            workers=settings.reaction_workers,
            capacity=REACTION_QUEUE,
        )
        # SQLite has one writer: queue our write transactions here, fairly, rather than
        # let hundreds of sockets time out on its file lock (PostgreSQL needs no gate).
        self._writes: contextlib.AbstractAsyncContextManager[object] = (
            asyncio.Lock() if settings.is_sqlite else contextlib.nullcontext()
        )
        # Where a visit the game has nothing to say about is written, judged on the socket's
        # view of the player (`quests.view`): the one statement on PostgreSQL, a short unit of
        # work through the ORM on SQLite (in the writers' queue). Only `fast_log` records a
        # visit ahead of its reaction: on SQLite that would be two writes where one does.
        self.visit_log: VisitLog | None = fast_log
        if fast_log is None and settings.is_sqlite:
            self.visit_log = OrmVisitLog(factory, lock=self._writes)

    async def _grant_owed_or_leave_owed(
        self, player_id: uuid.UUID, conn: Connection | None
    ) -> None:
        raise NotImplementedError  # owed.py

    def _close_for(self, exc: BaseException, where: str) -> tuple[int, str]:
        """The one place that decides how a socket closes: a domain error by its
        `close_code`; a dependency that cannot serve (the hello's read, a game action, a
        catch-up under a database restart) 1013, logged once per outage; anything else is
        a bug: 1011."""
        if isinstance(exc, DomainError):
            return exc.close_code, exc.detail
        _, code, reason = answer_for(exc)
        if code == CloseCode.INTERNAL_ERROR:
            log.exception("gateway crashed", exc_info=exc)
        elif self.outages is not None:
            self.outages.failed(exc, where)
        return code, reason

    def _background_failed(self, exc: BaseException, where: str) -> None:
        if dependency_of(exc) is None:
            log.exception("%s failed", where, exc_info=exc)
        elif self.outages is not None:
            self.outages.failed(exc, where)

    def _world(self, conn: Connection) -> World | None:
        loaded = self.catalog.current
        if loaded is None:
            return None
        world = self.worlds.get(loaded)
        if conn.world_version != world.version_id:
            slugs = frozenset(f.slug for f in world.tracker.fences)
            conn.tracker = without_stale_fences(conn.tracker, slugs)
            conn.world_version = world.version_id
        return world

    async def _load_view(self, conn: Connection) -> GameView:
        async with self.factory() as session:
            view = await load_view(session, conn.player_id)
        # Returned from the local: a reaction task may reset `conn.game_view` while the
        # session closes (seen with 200 walkers: `None.seq` in `_store_fast`).
        conn.game_view = view
        return view

    async def _publish(self, conn: Connection, stored: list[events_log.StoredEvent]) -> None:
        try:
            await events_log.publish(self.backend, stored)
        except BackendUnavailable as exc:
            log.debug("events committed but not pushed: %s", exc)  # the socket catches up
            conn.request_catch_up()
