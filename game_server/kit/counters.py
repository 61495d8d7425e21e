"""Rate-limit counters that outlive Redis: shared fixed windows, or local ones while it is away.

Limits count in the shared backend so that every worker sees the same window. When Redis is
away a limit must neither stop the service (redemptions are decided by PostgreSQL, not Redis:
the merchant API answered 500 for a whole outage) nor stop limiting: each worker then counts in
a bounded table of its own (`LocalWindows`), so a client gets at most once the limit per worker
until Redis is back, and the worker says it is degraded (`lupiae_degraded{dependency="redis"}`,
`/readyz`). Limits that must fail closed (staff login) do not use this.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from game_server.kit.outages import Outage
from game_server.kit.pubsub import Backend, BackendUnavailable

MAX_LOCAL_KEYS = 10_000


class LocalWindows:
    """Fixed windows in this process, at most `max_keys` of them (the oldest go first)."""

    def __init__(
        self, *, max_keys: int = MAX_LOCAL_KEYS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_keys = max_keys
        self.clock = clock
        self._windows: OrderedDict[str, tuple[int, float]] = OrderedDict()  # count, ends at

    def _live(self, key: str) -> tuple[int, float] | None:
        window = self._windows.get(key)
        if window is not None and window[1] <= self.clock():
            del self._windows[key]
            return None
        return window

    def incr(self, key: str, amount: int, ttl_s: float) -> int:
        window = self._live(key)
        count, ends_at = window if window else (0, self.clock() + ttl_s)
        self._windows[key] = (count + amount, ends_at)
        self._windows.move_to_end(key)
        while len(self._windows) > self.max_keys:
            self._windows.popitem(last=False)
        return count + amount

    def get(self, key: str) -> int:
        window = self._live(key)
        return window[0] if window else 0

    def ttl(self, key: str) -> float | None:
        window = self._live(key)
        return window[1] - self.clock() if window else None


class Counters:
    """`incr`/`get`/`ttl` on the shared backend, falling back to `LocalWindows` while it is away."""

    def __init__(self, backend: Backend, local: LocalWindows, outage: Outage) -> None:
        self.backend = backend
        self.local = local
        self.outage = outage

    async def incr(self, key: str, amount: int = 1, *, ttl_s: float) -> int:
        try:
            count = await self.backend.incr(key, amount, ttl_s=ttl_s)
        except BackendUnavailable as exc:
            self.outage.failed(exc, "rate limits (counting locally)")
            return self.local.incr(key, amount, ttl_s)
        self.outage.recovered()
        return count

    async def get(self, key: str) -> int:
        try:
            raw = await self.backend.get(key)
        except BackendUnavailable as exc:
            self.outage.failed(exc, "rate limits (counting locally)")
            return self.local.get(key)
        self.outage.recovered()
        return int(raw or 0)

    async def ttl(self, key: str) -> float | None:
        try:
            return await self.backend.ttl(key)
        except BackendUnavailable:
            return self.local.ttl(key)
