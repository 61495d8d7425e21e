"""One small interface for pub/sub and shared state between workers.

`memory://` serves a single process (the embedded default); `redis://` serves many. Both pass
the same contract tests (tests/game_server/kit/pubsub/test_contract.py).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType

log = logging.getLogger(__name__)

DEFAULT_BACKLOG = 1000


class BackendUnavailable(RuntimeError):
    """The shared backend cannot be reached. Raised, never swallowed: callers degrade loudly."""


@dataclass(frozen=True, slots=True)
class Message:
    channel: str
    data: bytes


# The channel of the marker a subscription receives when its channels are subscribed again after
# an outage: what was published meanwhile never arrived, so a consumer of a durable stream
# catches up from its store at once (not with the next message). `async for` skips it.
RESUBSCRIBED = "\x00resubscribed"


class Subscription:
    """Messages of some channels for one consumer, through a bounded backlog.

    Overflow policy: the oldest message is dropped and counted in `dropped`, so a slow consumer
    never slows the publisher or the other consumers (consumers of durable streams resync).
    A backend outage is raised once from `__anext__`; iteration may continue afterwards and
    resumes delivery when the backend reconnects.

    Consume either with `async for` or, without a task waiting, with `on_message` (called
    whenever a message arrives) and `take()`. Idle, a subscription holds no buffer and no
    future: there is one per socket, so its size is the server's memory per connection.
    """

    __slots__ = (
        "_items",
        "_waiter",
        "backend",
        "channels",
        "dropped",
        "max_backlog",
        "on_message",
        "on_overflow",
        "overflowed",
    )

    def __init__(
        self, channels: frozenset[str], backend: Backend, max_backlog: int = DEFAULT_BACKLOG
    ) -> None:
        self.channels = channels
        self.backend = backend
        self.max_backlog = max_backlog
        self.dropped = 0
        # True from the first drop on, for consumers that would rather disconnect than skip
        # messages; `on_overflow` is called then too.
        self.overflowed = False
        self.on_overflow: Callable[[], object] | None = None
        self.on_message: Callable[[], object] | None = None
        self._items: deque[Message | BackendUnavailable] | None = None  # None when empty
        self._waiter: asyncio.Future[None] | None = None  # only while `__anext__` waits

    def deliver(self, item: Message | BackendUnavailable) -> None:
        items = self._items
        if items is None:
            items = self._items = deque()
        elif len(items) >= self.max_backlog:
            items.popleft()
            self.dropped += 1
            if not self.overflowed:
                self.overflowed = True
                if self.on_overflow is not None:
                    self.on_overflow()
        items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self.on_message is not None:
            self.on_message()

    def take(self) -> Message | BackendUnavailable | None:
        """The oldest pending item, or None when there is none (never waits)."""
        items = self._items
        if items is None:
            return None
        item = items.popleft()
        if not items:
            self._items = None  # an idle subscription keeps no buffer
        return item

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    async def __anext__(self) -> Message:
        while self._items is None:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self.take()
        if isinstance(item, BackendUnavailable):
            raise item
        assert item is not None
        if item.channel == RESUBSCRIBED:
            return await self.__anext__()
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
    async def compare_and_set(
        self, key: str, expected: bytes | None, value: bytes, *, ttl_s: float | None = None
    ) -> bytes | None:
        """Atomically store `value` if `key` holds `expected` (or nothing at all); otherwise
        change nothing and return what it holds. None means it was stored."""

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
    async def zrem(self, key: str, member: str) -> None:
        """Remove `member` from the sorted set `key` (nothing when absent)."""

    @abstractmethod
    async def zrank_desc(self, key: str, member: str) -> int | None:
        """0-based rank, highest score first; ties broken like Redis (member, descending)."""

    @abstractmethod
    async def zrange_desc(self, key: str, start: int, stop: int) -> list[tuple[str, float]]:
        """Members from rank `start` to `stop` inclusive, highest score first."""

    @abstractmethod
    async def zcard(self, key: str) -> int: ...

    @abstractmethod
    async def tally(
        self, distinct: list[tuple[str, str]], increments: list[tuple[str, int]], ttl_s: float
    ) -> None:
        """In one round trip: add each member to its key's distinct counter (HyperLogLog:
        PFADD), add each amount to its key's counter (INCRBY), and let every key touched
        expire `ttl_s` after this last change."""

    @abstractmethod
    async def tallies(
        self, distinct: list[str], counters: list[str]
    ) -> tuple[list[int], list[int]]:
        """In one round trip: the estimate of each distinct counter (PFCOUNT) and the value of
        each counter (0 where a key does not exist)."""
