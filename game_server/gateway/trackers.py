"""Each player's geo tracker state, kept in the shared backend so it follows the player.

Saved when events happen, every few seconds, and on disconnect; read on connect, on whichever
worker. Losing it (Redis away, or the in-process backend restarting) costs at most the dwell
in progress, never a visit already granted.

It holds the player's last accepted position, so it is kept only as long as a reconnect may
need it: every save sets its expiry to `linger_s` (LUPIAE_TRACKER_LINGER_S, 15 minutes by
default). While a socket is open the worker's memory is authoritative and the copy is renewed
at each save; once the socket closes (or its worker dies) it is gone within `linger_s`.
Erasing a player deletes it at once (docs/privacy.md).

One player, one place (docs/anti-cheat.md): the gateway saves with `claim`, a compare-and-set
over the bytes the socket last read or wrote. When another socket of the player (on any
worker) saved in between, the claim changes nothing and returns that socket's state: the
caller judges its fixes again against it. Events are stored only after their state is
claimed this way.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import orjson

from game_server.kit.pubsub import Backend, BackendUnavailable
from geo import TrackerState

log = logging.getLogger(__name__)

DEFAULT_LINGER_S = 900.0


def tracker_key(player_id: uuid.UUID) -> str:
    return f"lupiae:tracker:{player_id}"


@dataclass(frozen=True, slots=True)
class Saved:
    """A stored state: the state, the event `seq` it reflects, and its bytes (what a later
    claim compares with; None when nothing was stored)."""

    state: TrackerState
    seq: int | None
    raw: bytes | None


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of a claim: `ok` (now stored: `raw`), or what another socket stored."""

    ok: bool
    raw: bytes | None
    theirs: Saved | None = None


class TrackerStore:
    def __init__(self, backend: Backend, linger_s: float = DEFAULT_LINGER_S) -> None:
        self.backend = backend
        self.linger_s = linger_s

    async def peek(self, player_id: uuid.UUID) -> TrackerState | None:
        """The stored state as it is (None when there is none), for the player's export."""
        raw = await self.backend.get(tracker_key(player_id))
        return None if raw is None else TrackerState.from_dict(orjson.loads(raw))

    async def forget(self, player_id: uuid.UUID) -> None:
        try:
            await self.backend.delete(tracker_key(player_id))
        except BackendUnavailable as exc:
            log.warning("tracker state of %s not deleted: %s", player_id, exc)

    async def load(self, player_id: uuid.UUID) -> TrackerState:
        return (await self.load_with_seq(player_id))[0]

    async def load_with_seq(self, player_id: uuid.UUID) -> tuple[TrackerState, int | None]:
        """The saved state and the player's event `seq` it reflects (None: nothing saved, or
        saved without one): the events after it are replayed onto it (`gateway.replay`)."""
        saved = await self.load_saved(player_id)
        return saved.state, saved.seq

    async def load_saved(self, player_id: uuid.UUID) -> Saved:
        try:
            raw = await self.backend.get(tracker_key(player_id))
        except BackendUnavailable:
            return Saved(TrackerState(), None, None)
        return _parse(player_id, raw)

    async def save(self, player_id: uuid.UUID, state: TrackerState, seq: int | None = None) -> None:
        """Save `state` whatever is stored; `seq`: the last of the player's events it reflects."""
        try:
            await self.backend.set(tracker_key(player_id), _dump(state, seq), ttl_s=self.linger_s)
        except BackendUnavailable as exc:
            # Redis is away (logged once by the backend): rebuilt from the log on the next
            # socket (`gateway.replay`).
            log.debug("tracker state of %s not saved: %s", player_id, exc)

    async def claim(
        self, player_id: uuid.UUID, read: bytes | None, state: TrackerState, seq: int | None
    ) -> Claim:
        """Save `state` if nobody saved since `read`; else return what they saved.

        A backend away claims nothing and refuses nothing (the socket plays on alone)."""
        raw = _dump(state, seq)
        try:
            current = await self.backend.compare_and_set(
                tracker_key(player_id), read, raw, ttl_s=self.linger_s
            )
        except BackendUnavailable as exc:
            # Redis is away (logged once by the backend): the socket plays on alone.
            log.debug("tracker state of %s not claimed: %s", player_id, exc)
            return Claim(True, read)
        if current is None:
            return Claim(True, raw)
        return Claim(False, current, _parse(player_id, current))


def _dump(state: TrackerState, seq: int | None) -> bytes:
    return orjson.dumps({**state.to_dict(), "seq": seq}) if seq is not None else state.to_bytes()


def _parse(player_id: uuid.UUID, raw: bytes | None) -> Saved:
    if raw is None:
        return Saved(TrackerState(), None, None)
    try:
        data = orjson.loads(raw)
        seq = data.get("seq") if isinstance(data, dict) else None
        return Saved(TrackerState.from_dict(data), seq if isinstance(seq, int) else None, raw)
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("discarding unreadable tracker state of %s", player_id)
        return Saved(TrackerState(), None, raw)
