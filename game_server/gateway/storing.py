"""Storing what a frame earned: events and visits, by the fastest path the game allows.

"fast": the game has nothing to say (judged on the socket's view, `quests.view`), and the visit
log writes alone (`GatewayCore.visit_log`: one statement on PostgreSQL, a short ORM unit of work
in the writers' queue on SQLite). "ahead", PostgreSQL only (`fast_log`): the visit is recorded
with its reaction owed, granted off the read loop; SQLite does not, since that would be two
writes through its one writer where the full path is one. "full": one unit of work, events and
the game's reaction together.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date, datetime

from game_server.events import log as events_log
from game_server.events.log import NewEvent
from game_server.gateway.connection import Connection, NotStored
from game_server.gateway.core import GatewayCore
from game_server.gateway.positions import Visit
from game_server.gateway.world import World
from game_server.kit.uow import unit_of_work
from quests.engine import Visit as GameVisit
from quests.view import quiet_visit
from quests.visitlog import VisitLog, VisitRow

log = logging.getLogger("game_server.gateway.service")


def _rows(visits: list[Visit]) -> list[VisitRow]:
    return [VisitRow(v.poi, v.entered_ts_ms, v.dwell_s) for v in visits]


class Storing(GatewayCore):
    async def _commit(
        self,
        conn: Connection,
        events: list[NewEvent],
        visits: list[Visit],
        world: World | None = None,
    ) -> None:
        at = self.clock()
        started = time.perf_counter()
        try:
            stored, path = await self._store(conn, events, visits, world, at)
        except Exception as exc:
            code, reason = self._close_for(exc, "storing events")
            raise NotStored(reason, close_code=code) from exc
        self.metrics.commit_seconds.labels(path=path).observe(time.perf_counter() - started)
        self.metrics.events.inc(len(stored))
        if stored:
            conn.tracker_seq = max(conn.tracker_seq, stored[-1].seq)
        await self._publish(conn, stored)
        if path == "ahead" and not self.reactions.request(conn.player_id, conn):
            self.metrics.reactions_deferred.inc()  # owed in the database: the sweep grants it
        if path == "full" and self.visit_log is not None:
            # Read what the game now knows after the events are on their way, not when the
            # next visit is waiting for it (the next fix is a second away).
            await self._load_view(conn)

    async def _store(
        self,
        conn: Connection,
        events: list[NewEvent],
        visits: list[Visit],
        world: World | None,
        at: datetime,
    ) -> tuple[list[events_log.StoredEvent], str]:
        """The stored events, and which path stored them: "fast" (the game has nothing to
        say), "ahead" (the game's reaction is owed: the caller asks for it) or "full"."""
        if self.visit_log is not None:
            stored = await self._store_fast(self.visit_log, conn, events, visits, world, at)
            if stored is not None:
                return stored, "fast"
            conn.game_view = None  # the game is about to change what it knows
            if visits and self.fast_log is not None:  # ahead of the reaction: PostgreSQL
                appended = await self.fast_log.append(
                    conn.player_id, events, at=at, visits=_rows(visits), reaction_pending=True
                )
                if appended is not None:
                    return appended.events, "ahead"
        # The full unit of work.
        work = unit_of_work(self.factory, lock=self._writes)
        async with work as session:
            await events_log.append(session, conn.player_id, events)
            if visits:
                assert world is not None
                game = self.game.service(session, world.bundle)
            for visit in visits:
                await game.record_visit(
                    conn.player_id,
                    visit.poi,
                    entered_ts_ms=visit.entered_ts_ms,
                    dwell_s_observed=visit.dwell_s,
                    at=at,
                )
        return work.committed, "full"

    async def _store_fast(
        self,
        visit_log: VisitLog,
        conn: Connection,
        events: list[NewEvent],
        visits: list[Visit],
        world: World | None,
        at: datetime,
    ) -> list[events_log.StoredEvent] | None:
        """One statement when the game has nothing to say (see `quests.view`); None when the
        full unit of work is needed."""
        view = conn.game_view
        expect_seq: int | None = None
        play_day: tuple[str, date] | None = None
        if visits:
            assert world is not None
            view = view or await self._load_view(conn)
            expect_seq = view.seq
            for visit in visits:
                rules = self.game.engine(world.bundle)
                seen = GameVisit(visit.poi, at, visit.dwell_s)
                judged = quiet_visit(view, rules, world.bundle, seen)
                if judged is None:
                    return None
                view, new_day = judged
                if play_day is not None and new_day is not None and new_day != play_day:
                    return None  # two new play days in one batch: one statement adds one
                play_day = play_day or new_day
        appended = await visit_log.append(
            conn.player_id,
            events,
            at=at,
            expect_seq=expect_seq,
            visits=_rows(visits),
            play_day=play_day,
        )
        if appended is None:
            conn.game_view = None  # somebody else wrote to this player's log: read it again
            return None
        # Still exact if the only events since the view was read are the ones just written.
        unchanged = view is not None and view.seq == appended.last_seq - appended.reserved
        conn.game_view = replace(view, seq=appended.last_seq) if unchanged and view else None
        return appended.events
