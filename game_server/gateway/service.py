"""`/v1/play`: authenticate by the first frame, then positions in, events out.

A thin transport: admission, the hello, the read loop, and a dispatch table from each frame
type to its handler (`moves.py` for positions, `actions.py` for game actions). One unit of
work per inbound message that produced events: the events are appended to the player's log,
the game reacts in the same transaction, and the events are pushed only after the commit.
Positions that produce nothing never touch the database. How a socket closes is decided in
one place (`GatewayCore._close_for`), from the domain error's `close_code`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from game_server.events import log as events_log
from game_server.gateway import protocol
from game_server.gateway.connection import (
    CloseSocket,
    Connection,
    close_quietly,
    loop_deadline,
    receive_text,
)
from game_server.gateway.limits import AbuseMeter, Throttle, TokenBucket
from game_server.gateway.moves import Limits, Moves
from game_server.gateway.replay import REPLAY_WINDOW, replay
from game_server.kit.closecodes import CloseCode
from game_server.kit.pubsub import BackendUnavailable
from game_server.players.models import Player
from game_server.players.tokens import decode_access_token
from geo import TrackerState

log = logging.getLogger(__name__)

NOTICE_INTERVAL_S = 10.0
REPLAYED_KINDS = frozenset({"poi.enter", "poi.visit", "poi.exit"})

SOCKETS_KEY_TTL_S = 86_400  # the player's open sockets, in the shared backend

Handler = Callable[[Connection, Any, Limits, float], Awaitable[None]]


def _expire(conn: Connection, stop_reading: Callable[[], object]) -> None:
    conn.expired = True
    stop_reading()


def _sockets_key(player_id: uuid.UUID) -> str:
    return f"sockets:{player_id}"


class Gateway(Moves):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Positions first: by far the most frequent frames.
        self._dispatch: dict[type[Any], Handler] = {
            protocol.Position: self._positions,
            protocol.Positions: self._positions,
            protocol.Ping: self._on_ping,
            protocol.Hello: self._on_hello,
            protocol.Start: self._on_start,
            protocol.Answer: self._on_answer,
        }

    async def serve(self, websocket: WebSocket) -> None:
        origin = websocket.headers.get("origin")
        allowed = self.settings.allowed_origins
        if origin is not None and allowed and origin not in allowed:
            await websocket.close(code=CloseCode.POLICY_VIOLATION, reason="origin not allowed")
            return
        await websocket.accept()
        if self._open >= self.settings.max_sockets:
            full = CloseSocket("server full; retry shortly", close_code=CloseCode.TRY_AGAIN_LATER)
            await self._close(websocket, full)
            return
        # Admission: one address holds at most max_sockets_per_client of this worker's
        # sockets (authenticated or not), so no single client can fill it.
        client = websocket.client.host if websocket.client else "unknown"
        if self._by_client.get(client, 0) >= self.settings.max_sockets_per_client:
            crowded = CloseSocket(
                "too many sockets from this address", close_code=CloseCode.TRY_AGAIN_LATER
            )
            await self._close(websocket, crowded)
            return
        self._by_client[client] = self._by_client.get(client, 0) + 1
        self._open += 1
        self.metrics.connections.inc()
        try:
            await self._session(websocket)
        except WebSocketDisconnect:
            pass
        except Exception as exc:
            await self._close(websocket, exc)
        finally:
            self._open -= 1
            left = self._by_client.pop(client, 1) - 1
            if left:
                self._by_client[client] = left
            self.metrics.connections.dec()

    async def _close(self, websocket: WebSocket, exc: Exception) -> None:
        code, reason = self._close_for(exc, "socket")
        self.metrics.closes.labels(code=str(int(code))).inc()
        await close_quietly(websocket, code, reason)

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
            raise CloseSocket(
                "realtime backend unavailable; retry shortly", close_code=CloseCode.TRY_AGAIN_LATER
            ) from exc

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
                    "close": int(CloseCode.SUPERSEDED),
                    "reason": "closed for a newer socket of the same player",
                }
                await self.backend.publish(
                    events_log.player_channel(conn.player_id), protocol.dumps(frame).encode()
                )
        except BackendUnavailable as exc:
            log.debug("socket cap per player not applied: %s", exc)

    async def _first_hello(self, websocket: WebSocket) -> protocol.Hello:
        try:
            async with asyncio.timeout(self.settings.hello_timeout_s):
                raw = await receive_text(websocket, self.settings.max_frame_bytes)
        except TimeoutError:
            limit = self.settings.hello_timeout_s
            raise CloseSocket(f"send hello within {limit:g} s") from None
        try:
            frame = protocol.parse(raw)
        except protocol.BadFrame as exc:
            raise CloseSocket(f"first frame must be hello ({exc})") from None
        if not isinstance(frame, protocol.Hello):
            raise CloseSocket("first frame must be hello")
        return frame

    async def _authenticate(self, token: str) -> tuple[uuid.UUID, float]:
        # A bad token is a domain error (NotAuthenticated): it closes the socket with its code.
        player_id, expires_at = decode_access_token(token, secret=self.settings.secret_key)
        async with self.factory() as session:
            player = await session.get(Player, player_id)
        if player is None:
            raise CloseSocket("unknown player")
        if player.banned_at is not None:
            raise CloseSocket("player banned")
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
            return CloseSocket(
                "slow consumer: reconnect with resume_after", close_code=CloseCode.TRY_AGAIN_LATER
            )
        if conn.failure is not None:
            return conn.failure
        if conn.expired:  # the loop's timer may fire a hair before the wall clock gets there
            return CloseSocket("token expired; reconnect with a fresh token")
        return asyncio.CancelledError()  # the server is shutting down

    async def _read_forever(self, conn: Connection) -> None:
        now = time.monotonic()
        limits = Limits(
            TokenBucket(self.settings.frames_per_s, self.settings.frames_burst, now),
            AbuseMeter(self.settings.abuse_drops, self.settings.abuse_window_s),
            Throttle(NOTICE_INTERVAL_S),
            now,
        )
        while True:
            raw = await receive_text(conn.websocket, self.settings.max_frame_bytes)
            await self._handle(conn, raw, limits)

    async def _handle(self, conn: Connection, raw: str, limits: Limits) -> None:
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
        await self._dispatch[type(frame)](conn, frame, limits, now_s)

    async def _on_ping(self, conn: Connection, _: protocol.Ping, *__: object) -> None:
        conn.send_local(protocol.PONG)

    async def _on_hello(self, conn: Connection, frame: protocol.Hello, *_: object) -> None:
        """A fresh token on the open socket: it now expires with that one."""
        # A new hello renews the token of the same player, never switches players.
        player_id, expires_at = await self._authenticate(frame.token)
        if player_id != conn.player_id:
            raise CloseSocket("hello with another player's token")
        conn.token_expires_at = expires_at
        if conn.expiry is not None:
            conn.expiry.cancel()
        loop = asyncio.get_running_loop()
        reading = asyncio.current_task()
        assert reading is not None
        deadline = loop_deadline(loop, conn.token_expires_at)
        conn.expiry = loop.call_at(deadline, _expire, conn, reading.cancel)  # as in _run

    async def _on_start(self, conn: Connection, frame: protocol.Start, *_: object) -> None:
        await self._start(conn, frame.quest)

    async def _on_answer(self, conn: Connection, frame: protocol.Answer, *_: object) -> None:
        await self._answer(conn, frame)
