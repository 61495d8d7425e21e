"""`/v1/play`: authenticate by the first frame, then positions in, events out.

One unit of work per inbound message that produced events: the events are appended to the
player's log, the game reacts in the same transaction, and the events are pushed only after
the commit. Positions that produce nothing never touch the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket, WebSocketDisconnect

from game_server.anticheat import service as anticheat
from game_server.catalog.service import Catalog
from game_server.district import footfall
from game_server.events import log as events_log
from game_server.events.fastlog import FastLog, VisitRow
from game_server.events.log import NewEvent
from game_server.gateway import protocol, suspicion
from game_server.gateway.connection import (
    CloseSocket,
    Connection,
    NotStored,
    close_quietly,
    loop_deadline,
    receive_text,
)
from game_server.gateway.hooks import GameHooks
from game_server.gateway.limits import AbuseMeter, Throttle, TokenBucket
from game_server.gateway.metrics import GatewayMetrics
from game_server.gateway.positions import (
    Visit,
    current_poi,
    longer_stays,
    rejected,
    to_events,
    without_stale_fences,
)
from game_server.gateway.reactions import Reactions
from game_server.gateway.replay import REPLAY_WINDOW, replay
from game_server.gateway.trackers import TrackerStore
from game_server.gateway.world import World, WorldCache
from game_server.kit.background import in_background
from game_server.kit.clock import utcnow
from game_server.kit.errors import DomainError
from game_server.kit.liveness import Liveness, new_worker_id
from game_server.kit.outages import Outages, answer_for, dependency_of
from game_server.kit.pubsub import Backend, BackendUnavailable
from game_server.kit.settings import Settings
from game_server.kit.uow import unit_of_work
from game_server.players.models import Player
from game_server.players.tokens import decode_access_token
from geo import Fix, Outcome, Rejection, TrackerState

if TYPE_CHECKING:
    from quests.view import GameView

log = logging.getLogger(__name__)

TRACKER_SAVE_EVERY_S = 5.0
# Players waiting for their game reaction in this worker; beyond, the sweep grants it.
REACTION_QUEUE = 10_000
NOTICE_INTERVAL_S = 10.0
REPLAYED_KINDS = frozenset({"poi.enter", "poi.visit", "poi.exit"})
# A frame whose state another socket keeps claiming first is judged at most this often.
CLAIM_ATTEMPTS = 3
# Close codes of docs/realtime.md beyond the standard ones.
SUPERSEDED = 4001  # the player opened more than max_sockets_per_player: the oldest goes
SOCKETS_KEY_TTL_S = 86_400  # the player's open sockets, in the shared backend


@dataclass(slots=True)
class _Limits:
    bucket: TokenBucket
    abuse: AbuseMeter
    notices: Throttle
    saved_at: float = 0.0


def _ts(fix: protocol.PositionFix) -> int:
    return fix.ts


@dataclass(slots=True)
class _Judged:
    """What one frame's fixes earned, and what looked suspicious."""

    events: list[NewEvent]
    visits: list[Visit]
    suspects: list[suspicion.Suspect]
    prints: list[tuple[str, protocol.PositionFix]]  # (site, the fix that made the visit)
    # Fixes the tracker accepted, for street footfall: (lat, lon, device ts in ms).
    accepted: list[tuple[float, float, int]] = field(default_factory=list)


def _expire(conn: Connection, stop_reading: Callable[[], object]) -> None:
    conn.expired = True
    stop_reading()


def _sockets_key(player_id: uuid.UUID) -> str:
    return f"sockets:{player_id}"


def _fix(fix: protocol.PositionFix) -> Fix:
    return Fix(fix.lat, fix.lon, fix.accuracy, fix.ts, fix.mock)


def _rows(visits: list[Visit]) -> list[VisitRow]:
    return [VisitRow(v.poi, v.entered_ts_ms, v.dwell_s) for v in visits]


class Gateway:
    def __init__(
        self,
        settings: Settings,
        factory: async_sessionmaker[AsyncSession],
        backend: Backend,
        catalog: Catalog,
        game: GameHooks,
        metrics: GatewayMetrics,
        fast_log: FastLog | None = None,
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

    async def serve(self, websocket: WebSocket) -> None:
        origin = websocket.headers.get("origin")
        allowed = self.settings.allowed_origins
        if origin is not None and allowed and origin not in allowed:
            await websocket.close(code=1008, reason="origin not allowed")
            return
        await websocket.accept()
        if self._open >= self.settings.max_sockets:
            self.metrics.closes.labels(code="1013").inc()
            await close_quietly(websocket, 1013, "server full; retry shortly")
            return
        # Admission: one address holds at most max_sockets_per_client of this worker's
        # sockets (authenticated or not), so no single client can fill it.
        client = websocket.client.host if websocket.client else "unknown"
        if self._by_client.get(client, 0) >= self.settings.max_sockets_per_client:
            self.metrics.closes.labels(code="1013").inc()
            await close_quietly(websocket, 1013, "too many sockets from this address")
            return
        self._by_client[client] = self._by_client.get(client, 0) + 1
        self._open += 1
        self.metrics.connections.inc()
        try:
            await self._session(websocket)
        except CloseSocket as close:
            self.metrics.closes.labels(code=str(close.code)).inc()
            await close_quietly(websocket, close.code, close.reason)
        except WebSocketDisconnect:
            pass
        except Exception as exc:
            code, reason = self._close_for(exc, "socket")
            self.metrics.closes.labels(code=str(code)).inc()
            await close_quietly(websocket, code, reason)
        finally:
            self._open -= 1
            left = self._by_client.pop(client, 1) - 1
            if left:
                self._by_client[client] = left
            self.metrics.connections.dec()

    def _close_for(self, exc: BaseException, where: str) -> tuple[int, str]:
        """A dependency that cannot serve (the hello's read, a game action, a catch-up under a
        database restart) closes 1013, logged once per outage; anything else is a bug: 1011."""
        _, code, reason = answer_for(exc)
        if code == 1011:
            log.exception("gateway crashed", exc_info=exc)
        elif self.outages is not None:
            self.outages.failed(exc, where)
        return code, reason

    async def _session(self, websocket: WebSocket) -> None:
        hello = await self._first_hello(websocket)
        resume_after = hello.resume_after
        player_id, expires_at = await self._authenticate(hello.token)
        del hello  # not kept for the life of the socket: with its token, ~650 bytes
        try:
            subscription = self.backend.subscribe(
                events_log.player_channel(player_id), max_backlog=self.settings.outbound_queue
            )
            async with subscription:
                conn = Connection(
                    websocket,
                    player_id,
                    expires_at,
                    subscription,
                    self.factory,
                    self.settings.send_timeout_s,
                )
                await self._admit_player_socket(conn)
                try:
                    await self._welcome(conn, resume_after)
                    await self._auto_start(conn)
                    await self._run(conn)
                finally:
                    with contextlib.suppress(BackendUnavailable):
                        await self.backend.zrem(_sockets_key(player_id), conn.socket_id)
        except BackendUnavailable as exc:
            raise CloseSocket(1013, "realtime backend unavailable; retry shortly") from exc

    async def _admit_player_socket(self, conn: Connection) -> None:
        """At most `max_sockets_per_player` sockets per player, whichever workers hold them:
        the newest are kept, the oldest are told to close (SUPERSEDED). Without the shared
        backend the socket is served (the per-address admission still holds)."""
        key = _sockets_key(conn.player_id)
        keep = self.settings.max_sockets_per_player
        try:
            await self.backend.zincrby(key, conn.socket_id, time.time())
            await self.backend.expire(key, SOCKETS_KEY_TTL_S)
            oldest = await self.backend.zrange_desc(key, keep, -1)
            for socket_id, _ in oldest:
                await self.backend.zrem(key, socket_id)
                frame = {
                    "type": "control",
                    "socket": socket_id,
                    "close": SUPERSEDED,
                    "reason": "closed for a newer socket of the same player",
                }
                await self.backend.publish(
                    events_log.player_channel(conn.player_id), protocol.dumps(frame).encode()
                )
        except BackendUnavailable as exc:
            log.debug("socket cap per player not applied: %s", exc)

    async def _auto_start(self, conn: Connection) -> None:
        """Start the quests that start by themselves. On PostgreSQL the socket's view of the
        player is read first (visits are judged on it) and tells whether any would start: a
        reconnecting player usually has nothing to start, and skips the game's unit of work."""
        if self.fast_log is None:
            await self._start(conn, None)
            return
        view = await self._load_view(conn)
        world = self._world(conn)
        if world is not None and self.game.starts_quests(view, world.bundle, at=self.clock()):
            await self._start(conn, None)
            await self._load_view(conn)  # read now, not while the first visit waits for it

    async def _first_hello(self, websocket: WebSocket) -> protocol.Hello:
        try:
            async with asyncio.timeout(self.settings.hello_timeout_s):
                raw = await receive_text(websocket, self.settings.max_frame_bytes)
        except TimeoutError:
            limit = self.settings.hello_timeout_s
            raise CloseSocket(1008, f"send hello within {limit:g} s") from None
        try:
            frame = protocol.parse(raw)
        except protocol.BadFrame as exc:
            raise CloseSocket(1008, f"first frame must be hello ({exc})") from None
        if not isinstance(frame, protocol.Hello):
            raise CloseSocket(1008, "first frame must be hello")
        return frame

    async def _authenticate(self, token: str) -> tuple[uuid.UUID, float]:
        try:
            player_id, expires_at = decode_access_token(token, secret=self.settings.secret_key)
        except DomainError as exc:
            raise CloseSocket(1008, exc.detail) from None
        async with self.factory() as session:
            player = await session.get(Player, player_id)
        if player is None:
            raise CloseSocket(1008, "unknown player")
        if player.banned_at is not None:
            raise CloseSocket(1008, "player banned")
        return player_id, float(expires_at)

    async def _welcome(self, conn: Connection, resume_after: int | None) -> None:
        async with self.factory() as session:
            last_seq = await events_log.last_seq(session, conn.player_id)
            oldest = await events_log.oldest_seq(session, conn.player_id)
        conn.send_local(protocol.welcome(str(conn.player_id), last_seq))
        if resume_after is None:
            conn.last_sent_seq = last_seq
        elif resume_after > last_seq or (oldest is not None and oldest > resume_after + 1):
            conn.send_local(protocol.RESYNC)
            conn.last_sent_seq = last_seq
        else:
            conn.last_sent_seq = resume_after
        conn.request_catch_up()  # also delivers anything committed since last_seq was read
        conn.tracker, conn.tracker_read = await self._tracker_as_stored(conn.player_id, last_seq)
        conn.tracker_seq = last_seq
        conn.own_anchor = conn.tracker.anchor

    async def _tracker_as_stored(
        self, player_id: uuid.UUID, last_seq: int
    ) -> tuple[TrackerState, bytes | None]:
        """The saved tracker state, with the geo events stored after it was saved replayed onto
        it (a worker killed between storing events and saving the state; Redis restarted), and
        the bytes stored (the socket's next save is a compare-and-set over them)."""
        saved = await self.trackers.load_saved(player_id)
        state, saved_seq = saved.state, saved.seq
        if last_seq == 0 or (saved_seq is not None and saved_seq >= last_seq):
            return state, saved.raw
        since = saved_seq if saved_seq is not None else max(0, last_seq - REPLAY_WINDOW)
        async with self.factory() as session:
            events = await events_log.after(session, player_id, since, REPLAY_WINDOW * 2)
        return replay(state, (e for e in events if e.kind in REPLAYED_KINDS)), saved.raw

    async def _run(self, conn: Connection) -> None:
        """Read in this task, write on demand; a slow consumer or expiry ends both."""
        loop = asyncio.get_running_loop()
        reading = asyncio.current_task()
        assert reading is not None
        stop_reading = reading.cancel  # one bound method for the three
        conn.subscription.on_overflow = stop_reading
        deadline = loop_deadline(loop, conn.token_expires_at)
        conn.expiry = loop.call_at(deadline, _expire, conn, stop_reading)
        conn.start_writing(on_failure=stop_reading)
        try:
            await self._read_forever(conn)
        except asyncio.CancelledError:
            reason = self._why_stopped(conn)
            if not isinstance(reason, asyncio.CancelledError):
                reading.uncancel()  # we stopped ourselves: carry on closing normally
            raise reason from None
        finally:
            conn.subscription.on_overflow = None
            if conn.expiry is not None:
                conn.expiry.cancel()
            await conn.stop_writing()
            await self._leave_street(conn)
            if conn.forget:  # the player erased their account: keep nothing
                await self.trackers.forget(conn.player_id)
            else:
                await self._save_tracker(conn)

    @staticmethod
    def _why_stopped(conn: Connection) -> BaseException:
        if conn.subscription.overflowed:
            return CloseSocket(1013, "slow consumer: reconnect with resume_after")
        if conn.failure is not None:
            return conn.failure
        if conn.expired:  # the loop's timer may fire a hair before the wall clock gets there
            return CloseSocket(1008, "token expired; reconnect with a fresh token")
        return asyncio.CancelledError()  # the server is shutting down

    async def _read_forever(self, conn: Connection) -> None:
        now = time.monotonic()
        limits = _Limits(
            TokenBucket(self.settings.frames_per_s, self.settings.frames_burst, now),
            AbuseMeter(self.settings.abuse_drops, self.settings.abuse_window_s),
            Throttle(NOTICE_INTERVAL_S),
            now,
        )
        while True:
            raw = await receive_text(conn.websocket, self.settings.max_frame_bytes)
            await self._handle(conn, raw, limits)

    async def _handle(self, conn: Connection, raw: str, limits: _Limits) -> None:
        self.metrics.counts.frames += 1
        # The limits' clock: `time.monotonic` is a vDSO call, where `get_running_loop()`
        # makes a getpid system call on Python 3.11.
        now_s = time.monotonic()
        if not limits.bucket.take(now_s):
            await self._over_budget(conn, limits, now_s)
            return
        try:
            frame = protocol.parse(raw)
        except protocol.BadFrame as exc:
            conn.send_local(protocol.error("bad_frame", str(exc)))
            self._refuse(limits, now_s)
            return
        if isinstance(frame, protocol.Position):  # by far the most frequent: first
            await self._positions(conn, frame, limits, now_s)
        elif isinstance(frame, protocol.Ping):
            conn.send_local(protocol.PONG)
        elif isinstance(frame, protocol.Hello):
            # A new hello renews the token of the same player, never switches players.
            player_id, expires_at = await self._authenticate(frame.token)
            if player_id != conn.player_id:
                raise CloseSocket(1008, "hello with another player's token")
            conn.token_expires_at = expires_at
            if conn.expiry is not None:
                conn.expiry.cancel()
            loop = asyncio.get_running_loop()
            reading = asyncio.current_task()
            assert reading is not None
            deadline = loop_deadline(loop, conn.token_expires_at)
            conn.expiry = loop.call_at(deadline, _expire, conn, reading.cancel)  # as in _run
        elif isinstance(frame, protocol.Positions):
            await self._positions(conn, frame, limits, now_s)
        elif isinstance(frame, protocol.Start):
            await self._start(conn, frame.quest)
        else:
            await self._answer(conn, frame)

    async def _over_budget(self, conn: Connection, limits: _Limits, now_s: float) -> None:
        """Drop a frame over the wall-clock budget; say so at most once per notice interval."""
        self.metrics.rate_limited.inc()
        self._refuse(limits, now_s)
        if limits.notices.allow("rate_limited", now_s):
            await self._commit(conn, [rejected("rate_limited", None)], [])

    def _refuse(self, limits: _Limits, now_s: float) -> None:
        """Count a refused frame; close the socket on sustained abuse."""
        if limits.abuse.record(now_s):
            raise CloseSocket(1008, "too many frames; slow down")

    async def _positions(
        self,
        conn: Connection,
        frame: protocol.Position | protocol.Positions,
        limits: _Limits,
        now_s: float,
    ) -> None:
        world = self._world(conn)
        if world is None:
            conn.send_local(
                protocol.error("no_content", "no game content is published yet", conn.language)
            )
            return
        fixes = [frame] if isinstance(frame, protocol.Position) else sorted(frame.fixes, key=_ts)
        now_ms = int(self.clock().timestamp() * 1000)
        unseen = conn.tracker, conn.last_fix_ts  # if the batch's events cannot be stored
        for _ in range(CLAIM_ATTEMPTS):
            judged = self._judge(conn, world, fixes, limits, now_s, now_ms)
            if not (judged.events or judged.visits):
                break
            # Claim the state before storing what it earned: another socket of the player
            # may have moved them meanwhile (one player, one place).
            claim = await self.trackers.claim(
                conn.player_id, conn.tracker_read, conn.tracker, conn.tracker_seq
            )
            conn.tracker_read = claim.raw
            if claim.ok:
                break
            assert claim.theirs is not None
            unseen = conn.tracker, conn.last_fix_ts = claim.theirs.state, unseen[1]
        else:
            judged = _Judged([], [], judged.suspects, [])  # still contested: store nothing
        self.metrics.counts.fixes += len(fixes)
        if judged.accepted and world.streets:
            await self._count_footfall(conn, world, judged.accepted)
        if judged.events or judged.visits:
            try:
                await self._commit(conn, judged.events, judged.visits, world)
            except NotStored:
                # Forget the batch: the tracker state saved when the socket closes must not
                # count enters and visits that nobody stored. Uploaded again after
                # reconnecting, the same fixes earn them again.
                conn.tracker, conn.last_fix_ts = unseen
                raise
            await self._save_tracker(conn)  # now with the seq of the events just stored
            limits.saved_at = now_s
        elif now_s - limits.saved_at >= TRACKER_SAVE_EVERY_S:
            await self._save_tracker(conn)
            limits.saved_at = now_s
        if judged.suspects or judged.prints:
            await self._put_on_record(conn, judged, now_s)

    def _judge(
        self,
        conn: Connection,
        world: World,
        fixes: Sequence[protocol.PositionFix],
        limits: _Limits,
        now_s: float,
        now_ms: int,
    ) -> _Judged:
        judged = _Judged([], [], [], [])
        for fix in fixes:
            before = conn.tracker
            outcomes = self._evaluate(conn, world, fix, now_ms, judged.suspects)
            anchor = conn.tracker.anchor
            if anchor is not None and anchor is not before.anchor and anchor.ts_ms == fix.ts:
                judged.accepted.append((anchor.lat, anchor.lon, anchor.ts_ms))
            # Read each fix's outcomes against the state right after it: a visit's entry time
            # and dwell must not depend on how the fixes were batched.
            new_events, new_visits = to_events(outcomes, conn.tracker, limits.notices, now_s)
            judged.events += new_events
            judged.visits += new_visits + longer_stays(before, conn.tracker, world.dwell_targets_ms)
            if new_visits:  # one fix inside overlapping fences makes several visits
                judged.prints.append((new_visits[0].poi, fix))
        return judged

    async def _count_footfall(
        self, conn: Connection, world: World, accepted: list[tuple[float, float, int]]
    ) -> None:
        """Street footfall: the backend hears only of steps onto and off a street."""
        tally = footfall.Tally([], [])
        for lat, lon, ts_ms in accepted:
            conn.on_street = footfall.step(
                world.streets, conn.player_id, conn.on_street, lat, lon, ts_ms, tally
            )
        await footfall.send(self.backend, tally)

    async def _leave_street(self, conn: Connection) -> None:
        if conn.on_street is None:
            return
        tally = footfall.Tally([], [])
        footfall.leave(conn.on_street, tally)
        conn.on_street = None
        await footfall.send(self.backend, tally)

    async def _save_tracker(self, conn: Connection) -> None:
        """Save unless another socket of the player saved first: then take their state."""
        claim = await self.trackers.claim(
            conn.player_id, conn.tracker_read, conn.tracker, conn.tracker_seq
        )
        conn.tracker_read = claim.raw
        if claim.theirs is not None:
            conn.tracker = claim.theirs.state

    async def _put_on_record(self, conn: Connection, judged: _Judged, now_s: float) -> None:
        """Suspicious patterns of this frame on the player's record (its own unit of work)."""
        suspects = list(judged.suspects)
        for poi, fix in judged.prints:
            found = await suspicion.replayed(self.backend, conn.player_id, poi, _fix(fix))
            if found is not None:
                suspects.append(found)
        conn.recorded = conn.recorded or suspicion.Recorded()
        due = conn.recorded.due(suspects, now_s)
        if not due:
            return
        try:
            async with unit_of_work(self.factory, lock=self._writes) as session:
                for kind, evidence in due:
                    await anticheat.record(session, conn.player_id, kind, evidence)
        except Exception as exc:  # the record is lost, the play goes on
            self._background_failed(exc, "recording suspicious patterns")

    def _evaluate(
        self,
        conn: Connection,
        world: World,
        fix: protocol.PositionFix,
        now_ms: int,
        suspects: list[suspicion.Suspect],
    ) -> list[Outcome]:
        last = conn.last_fix_ts
        if last is not None and 0 <= fix.ts - last < self.settings.min_fix_interval_s * 1000:
            self.metrics.fixes_dropped.inc()
            return []
        anchor = conn.tracker.anchor
        geo_fix = _fix(fix)
        if anchor is not None and anchor is not conn.own_anchor and not fix.mock:
            # The last position was set by another socket of the player.
            apart = suspicion.elsewhere(self.geo, anchor, geo_fix)
            if apart is not None:
                suspects.append(("two_places", {"ts": fix.ts, **apart}))
                return [Rejection("two_places", fix.ts)]
        state, outcomes = world.tracker.process(conn.tracker, geo_fix, now_ms)
        conn.tracker = state
        if state.anchor is not anchor:
            conn.own_anchor = state.anchor
        if last is None or fix.ts > last:
            conn.last_fix_ts = fix.ts
        if outcomes and isinstance(outcomes[0], Rejection):
            found = suspicion.rejection_suspect(self.geo, outcomes[0], anchor, geo_fix)
            if found is not None:
                suspects.append(found)
        return outcomes

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
            raise NotStored(*self._close_for(exc, "storing events")) from exc
        self.metrics.commit_seconds.labels(path=path).observe(time.perf_counter() - started)
        self.metrics.events.inc(len(stored))
        if stored:
            conn.tracker_seq = max(conn.tracker_seq, stored[-1].seq)
        await self._publish(conn, stored)
        if path == "ahead" and not self.reactions.request(conn.player_id, conn):
            self.metrics.reactions_deferred.inc()  # owed in the database: the sweep grants it
        if path == "full" and self.fast_log is not None:
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
        if self.fast_log is not None:
            stored = await self._store_fast(self.fast_log, conn, events, visits, world, at)
            if stored is not None:
                return stored, "fast"
            conn.game_view = None  # the game is about to change what it knows
            if visits:
                appended = await self.fast_log.append(
                    conn.player_id, events, at=at, visits=_rows(visits), reaction_pending=True
                )
                if appended is not None:
                    return appended.events, "ahead"
        # The full unit of work (SQLite keeps no view: there `conn.game_view` is always None).
        work = unit_of_work(self.factory, lock=self._writes)
        async with work as session:
            await events_log.append(session, conn.player_id, events)
            for visit in visits:
                assert world is not None
                await self.game.record_visit(
                    session,
                    world.bundle,
                    conn.player_id,
                    visit.poi,
                    entered_ts_ms=visit.entered_ts_ms,
                    dwell_s_observed=visit.dwell_s,
                    at=at,
                )
        return work.committed, "full"

    async def _store_fast(
        self,
        fast_log: FastLog,
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
        play_day: date | None = None
        if visits:
            assert world is not None
            view = view or await self._load_view(conn)
            expect_seq = view.seq
            for visit in visits:
                judged = self.game.quiet_visit(
                    view, world.bundle, visit.poi, dwell_s=visit.dwell_s, at=at
                )
                if judged is None:
                    return None
                view, new_day = judged
                play_day = play_day or new_day
        appended = await fast_log.append(
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
            await self.game.react_to_pending(session, bundle, player_id)
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
        alive_since = self.liveness.alive_since(now) if self.liveness is not None else None
        async with self.factory() as session:
            players = await self.game.players_owed_reactions(
                session, before=before, limit=limit, alive_since=alive_since
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

    def _background_failed(self, exc: BaseException, where: str) -> None:
        if dependency_of(exc) is None:
            log.exception("%s failed", where, exc_info=exc)
        elif self.outages is not None:
            self.outages.failed(exc, where)

    async def _load_view(self, conn: Connection) -> GameView:
        async with self.factory() as session:
            view = await self.game.load_view(session, conn.player_id)
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

    async def _answer(self, conn: Connection, frame: protocol.Answer) -> None:
        world = self._world(conn)
        if world is None:
            conn.send_local(
                protocol.error("no_content", "no game content is published yet", conn.language)
            )
            return
        at_poi = current_poi(conn.tracker, world.bundle, frame.quest, frame.step)
        await self._game_call(
            conn,
            lambda session: self.game.answer(
                session,
                world.bundle,
                conn.player_id,
                frame.quest,
                frame.step,
                frame.answer,
                at=self.clock(),
                at_poi=at_poi,
            ),
        )

    async def _start(self, conn: Connection, quest: str | None) -> None:
        world = self._world(conn)
        if world is None:
            if quest is not None:
                conn.send_local(
                    protocol.error("no_content", "no game content is published yet", conn.language)
                )
            return
        bundle, pid = world.bundle, conn.player_id
        if quest is None:
            await self._game_call(
                conn, lambda s: self.game.auto_start(s, bundle, pid, at=self.clock())
            )
        else:
            await self._game_call(
                conn, lambda s: self.game.start(s, bundle, pid, quest, at=self.clock())
            )

    async def _game_call(
        self, conn: Connection, call: Callable[[AsyncSession], Awaitable[object]]
    ) -> None:
        """One unit of work for a game action; a refusal becomes an `error` frame."""
        conn.game_view = None  # a game action changes what the game knows of the player
        work = unit_of_work(self.factory, lock=self._writes)
        try:
            async with work as session:  # a refusal such as a wrong answer may stay counted
                await call(session)
        except DomainError as exc:
            conn.send_local(protocol.error(exc.slug, exc.detail, conn.language))
            return
        await self._publish(conn, work.committed)
