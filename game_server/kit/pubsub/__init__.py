"""Pub/sub and shared state, chosen by URL: `memory://` or `redis://`."""

from __future__ import annotations

from game_server.kit.pubsub.base import (
    RESUBSCRIBED,
    Backend,
    BackendUnavailable,
    Message,
    Subscription,
)
from game_server.kit.pubsub.memory import MemoryBackend


def backend_from_url(url: str) -> Backend:
    if url == "memory://" or url.startswith("memory://"):
        return MemoryBackend()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from game_server.kit.pubsub.redis import RedisBackend  # noqa: PLC0415 - only when configured

        return RedisBackend(url)
    raise ValueError(f"unsupported backend URL {url!r}: use memory:// or redis://host:port/db")


__all__ = [
    "RESUBSCRIBED",
    "Backend",
    "BackendUnavailable",
    "MemoryBackend",
    "Message",
    "Subscription",
    "backend_from_url",
]
