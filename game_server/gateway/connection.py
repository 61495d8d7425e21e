"""One player's socket: the outbound path and its slow-consumer policy.

Every frame to the client goes through ONE bounded queue (the player's pub/sub subscription,
which also receives the events committed by any worker) and at most one writer task at a time
(started when frames arrive, gone when they are written), so frames keep their order and a
slow phone only ever delays itself. When the queue overflows the socket is
closed with 1013: the client reconnects with `resume_after` and loses nothing, because events
are durable. Events are sent strictly in `seq` order: a gap (a message lost while Redis was
away, or events committed before the subscription started) is filled from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from game_server.events import log as events_log
from game_server.gateway import protocol
from game_server.kit.closecodes import CloseCode
from game_server.kit.errors import DomainError
from game_server.kit.i18n import negotiate
from game_server.kit.pubsub import RESUBSCRIBED, BackendUnavailable, Message, Subscription
from geo import Anchor, TrackerState

if TYPE_CHECKING:
    from game_server.district.footfall import OnStreet
    from game_server.gateway.suspicion import Recorded
    from quests.view import GameView

log = logging.getLogger(__name__)

LOCAL = "\x00local"  # channel name of frames produced by this worker for this socket only
CATCH_UP = b"\x00catch-up"
CATCH_UP_BATCH = 500


class CloseSocket(DomainError):
    """The server closes the socket, with `close_code` (a policy violation unless said) and
    `detail` for its reason; read, like any domain error's, by `GatewayCore._close_for`."""

    def __init__(self, reason: str, *, close_code: int = CloseCode.POLICY_VIOLATION) -> None:
        super().__init__(reason)
        self.close_code = close_code


class NotStored(CloseSocket):
    """Events could not be stored: the socket closes (1013 when the database is busy or
    unavailable, the client reconnects later with `resume_after`; 1011 otherwise), and what
    produced them is forgotten so that it can produce them again."""


@dataclass(eq=False, slots=True)
class Connection:
    websocket: WebSocket
    player_id: uuid.UUID
    token_expires_at: float
    subscription: Subscription
    factory: async_sessionmaker[AsyncSession]
    send_timeout_s: float
    tracker: TrackerState = field(default_factory=TrackerState)
    # The saved state's bytes this socket last read or wrote: its next save is a
    # compare-and-set over them (one player, one place; gateway.trackers).
    tracker_read: bytes | None = None
    # The anchor this socket's own fixes set; any other was set by another socket.
    own_anchor: Anchor | None = None
    recorded: Recorded | None = None  # suspicious patterns put on record (lazily)
    world_version: tuple[tuple[str, int], ...] = ()
    last_fix_ts: int | None = None
    last_sent_seq: int = 0
    tracker_seq: int = 0  # the last of the player's events `tracker` reflects
    expiry: asyncio.TimerHandle | None = None
    expired: bool = False  # the token's expiry timer fired
    game_view: GameView | None = None  # what the game knows of the player (quests.view)
    # Why writing stopped (CloseSocket, a crash), for the reader to close the socket with.
    failure: BaseException | None = None
    # Told to close because the player erased their account: the tracker state is deleted,
    # not saved, when the socket closes.
    forget: bool = False
    # The shopping street the player is on now, for footfall (game_server.district.footfall).
    on_street: OnStreet | None = None
    # This socket's name among the player's sockets (a control frame may name one of them).
    socket_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    _writer: asyncio.Task[None] | None = None  # only while there is something to write
    _on_failure: Callable[[], object] | None = None

    @property
    def language(self) -> str:
        """The API's rule, read from the upgrade request: `?lang=`, Accept-Language, Italian."""
        query = self.websocket.query_params.get("lang")
        return negotiate(query or self.websocket.headers.get("accept-language"))

    def send_local(self, text: str) -> None:
        self.subscription.deliver(Message(LOCAL, text.encode()))

    def request_catch_up(self) -> None:
        self.subscription.deliver(Message(LOCAL, CATCH_UP))

    def start_writing(self, on_failure: Callable[[], object]) -> None:
        """Write whatever the subscription receives, now and from now on, in order.

        A writer task exists only while frames are pending (an idle socket costs no task);
        at most one at a time, so frames keep their order. When a write fails the task
        stops, records `failure` and calls `on_failure`.
        """
        self._on_failure = on_failure
        self.subscription.on_message = self._wake
        self._wake()

    async def stop_writing(self) -> None:
        self.subscription.on_message = None
        self._on_failure = None
        writer = self._writer
        if writer is not None:
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)

    def _wake(self) -> None:
        if self._writer is None and self.failure is None and self._on_failure is not None:
            self._writer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        """The only coroutine that writes to the socket; ends when nothing is pending."""
        try:
            while (item := self.subscription.take()) is not None:
                if isinstance(item, BackendUnavailable):
                    self._send_degraded_notice()
                else:
                    await self._write(item)
        except Exception as exc:
            self.failure = exc
            if self._on_failure is not None:
                self._on_failure()
        finally:
            # Synchronously with the last take(): a frame delivered from now on starts a
            # new writer.
            self._writer = None

    def _send_degraded_notice(self) -> None:
        # Logged once per outage by the backend, not once per socket.
        log.debug("realtime backend lost for player %s", self.player_id)
        self.send_local(
            protocol.error(
                "degraded",
                "realtime delivery interrupted; events are kept and will follow",
                self.language,
            )
        )
        self.request_catch_up()

    async def _write(self, message: Message) -> None:
        if message.channel == LOCAL:
            if message.data == CATCH_UP:
                await self._catch_up(None)
            else:
                await self._send(message.data.decode())
            return
        if message.channel == RESUBSCRIBED:
            # Live again: what was stored while the channel was not subscribed (and published
            # into the void) is sent now, not when the next event shows the gap.
            await self._catch_up(None)
            return
        frame = orjson.loads(message.data)
        if frame.get("type") == "control":
            if frame.get("socket") not in (None, self.socket_id):
                return  # meant for another socket of the player
            self.forget = bool(frame.get("forget"))
            raise CloseSocket(str(frame["reason"]), close_code=int(frame["close"]))
        seq = int(frame["seq"])
        if seq <= self.last_sent_seq:
            return
        if seq > self.last_sent_seq + 1:
            await self._catch_up(seq - 1)
        await self._send(message.data.decode())
        self.last_sent_seq = seq

    async def _catch_up(self, through_seq: int | None) -> None:
        """Send the stored events after last_sent_seq (up to through_seq), in order."""
        while through_seq is None or self.last_sent_seq < through_seq:
            async with self.factory() as session:
                events = await events_log.after(
                    session, self.player_id, self.last_sent_seq, CATCH_UP_BATCH
                )
            events = [e for e in events if through_seq is None or e.seq <= through_seq]
            if not events:
                return
            for event in events:
                await self._send(protocol.dumps(event.frame()))
                self.last_sent_seq = event.seq

    async def _send(self, text: str) -> None:
        try:
            async with asyncio.timeout(self.send_timeout_s):
                await self.websocket.send_text(text)
        except TimeoutError:
            slow = "slow consumer: send timed out"
            raise CloseSocket(slow, close_code=CloseCode.TRY_AGAIN_LATER) from None


def loop_deadline(loop: asyncio.AbstractEventLoop, epoch_s: float) -> float:
    """The event-loop time at which wall-clock `epoch_s` arrives."""
    return loop.time() + (epoch_s - time.time())


async def receive_text(websocket: WebSocket, max_bytes: int) -> str:
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        raise CloseSocket("send JSON text frames", close_code=CloseCode.UNSUPPORTED_DATA)
    if len(text) > max_bytes:
        too_big = f"frame larger than {max_bytes} bytes"
        raise CloseSocket(too_big, close_code=CloseCode.MESSAGE_TOO_BIG)
    return str(text)


async def close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state == WebSocketState.CONNECTED:
        # Best effort: the client may have gone away first (uvicorn raises various errors).
        with contextlib.suppress(Exception):
            await websocket.close(code=code, reason=reason[:120])
