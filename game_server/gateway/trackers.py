"""Each player's geo tracker state, kept in the shared backend so it follows the player.

Saved when events happen, every few seconds, and on disconnect; read on connect, on whichever
worker. Losing it (Redis away, or the in-process backend restarting) costs at most the dwell
in progress, never a visit already granted.
"""

from __future__ import annotations

import logging
import uuid

from game_server.pubsub import Backend, BackendUnavailable
from geo import TrackerState

log = logging.getLogger(__name__)

TTL_S = 6 * 3600


def tracker_key(player_id: uuid.UUID) -> str:
    return f"lupiae:tracker:{player_id}"


class TrackerStore:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def load(self, player_id: uuid.UUID) -> TrackerState:
        try:
            raw = await self.backend.get(tracker_key(player_id))
        except BackendUnavailable:
            return TrackerState()
        if raw is None:
            return TrackerState()
        try:
            return TrackerState.from_bytes(raw)
        except (ValueError, KeyError, TypeError):
            log.warning("discarding unreadable tracker state of %s", player_id)
            return TrackerState()

    async def save(self, player_id: uuid.UUID, state: TrackerState) -> None:
        try:
            await self.backend.set(tracker_key(player_id), state.to_bytes(), ttl_s=TTL_S)
        except BackendUnavailable as exc:
            log.warning("tracker state of %s not saved: %s", player_id, exc)
