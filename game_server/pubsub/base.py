"""One small interface for pub/sub and shared state between workers.

`memory://` serves a single process (the embedded default); `redis://` serves many. Both pass
the same contract tests (tests/game_server/pubsub/test_contract.py).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType

log = logging.getLogger(__name__)

DEFAULT_BACKLOG = 1000


class BackendUnavailable(RuntimeError):
    """The shared backend cannot be reached. Raised, never swallowed: callers degrade loudly."""


@dataclass(frozen=True, slots=True)
class Message:
    channel: str
    data: bytes


@dataclass(eq=False)
class Subscription:
    """Messages of some channels for one consumer, through a bounded backlog.

    Overflow policy: the oldest message is dropped and counted in `dropped`, so a slow consumer
    never slows the publisher or the other consumers (consumers of durable streams resync).
    A backend outage is raised once from `__anext__`; iteration may continue afterwards and
    resumes delivery when the backend reconnects.
    """

    channels: frozenset[str]
    backend: Backend
    max_backlog: int = DEFAULT_BACKLOG
    dropped: int = 0
    _queue: asyncio.Queue[Message | BackendUnavailable] = field(init=False)
    # Set at the first drop, for consumers that would rather disconnect than skip messages;
    # `on_overflow` is called then too.
    overflowed: asyncio.Event = field(init=False)
    on_overflow: Callable[[], object] | None = None

    def __post_init__(self) -> None:
        self._queue = asyncio.Queue(maxsize=self.max_backlog)
        self.overflowed = asyncio.Event()

    def deliver(self, item: Message | BackendUnavailable) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
            if not self.overflowed.is_set():
                self.overflowed.set()
                if self.on_overflow is not None:
                    self.on_overflow()
        self._queue.put_nowait(item)

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    async def __anext__(self) -> Message:
        item = await self._queue.get()
        if isinstance(item, BackendUnavailable):
            raise item
        return item

    async def __aenter__(self) -> Subscription:
        await self.backend.attach(self)
        return self

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        await self.backend.detach(self)


class Backend(ABC):
    """Pub/sub, counters with expiry, key-value and sorted sets."""

    async def connect(self) -> None:  # noqa: B027 - optional hook
        """Open connections; the memory backend has none."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and stop background tasks."""

    def subscribe(self, *channels: str, max_backlog: int = DEFAULT_BACKLOG) -> Subscription:
        """`async with backend.subscribe("a", "b") as sub: async for message in sub: ...`"""
        return Subscription(frozenset(channels), self, max_backlog)

    @abstractmethod
    async def attach(self, subscription: Subscription) -> None: ...

    @abstractmethod
    async def detach(self, subscription: Subscription) -> None: ...

    @abstractmethod
    async def ping(self) -> None:
        """Raise BackendUnavailable when the backend cannot serve."""

    @abstractmethod
    async def publish(self, channel: str, data: bytes) -> int:
        """Send to every current subscriber of `channel` (in every worker)."""

    @abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, only_if_absent: bool = False
    ) -> bool:
        """Store a value; with `only_if_absent`, False when the key already exists."""

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def incr(self, key: str, amount: int = 1, *, ttl_s: float | None = None) -> int:
        """Add to a counter; `ttl_s` starts when the counter is created (fixed windows)."""

    @abstractmethod
    async def ttl(self, key: str) -> float | None:
        """Seconds left before `key` expires; None when it has no expiry or does not exist."""

    @abstractmethod
    async def expire(self, key: str, ttl_s: float) -> None: ...

    @abstractmethod
    async def zincrby(self, key: str, member: str, amount: float) -> float: ...

    @abstractmethod
    async def zscore(self, key: str, member: str) -> float | None: ...

    @abstractmethod
    async def zrank_desc(self, key: str, member: str) -> int | None:
        """0-based rank, highest score first; ties broken like Redis (member, descending)."""

    @abstractmethod
    async def zrange_desc(self, key: str, start: int, stop: int) -> list[tuple[str, float]]:
        """Members from rank `start` to `stop` inclusive, highest score first."""

    @abstractmethod
    async def zcard(self, key: str) -> int: ...
