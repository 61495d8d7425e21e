"""Per-connection limits. Local to one socket, so plain arithmetic beats any shared store."""

from __future__ import annotations

from collections import deque


class TokenBucket:
    """`rate_per_s` frames per second on average, bursts of up to `burst`."""

    __slots__ = ("_at", "_tokens", "burst", "rate_per_s")

    def __init__(self, rate_per_s: float, burst: int, now_s: float) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._tokens = float(burst)
        self._at = now_s

    def take(self, now_s: float) -> bool:
        self._tokens = min(self.burst, self._tokens + (now_s - self._at) * self.rate_per_s)
        self._at = now_s
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


class AbuseMeter:
    """Counts refusals in a sliding window; `over_limit` once more than `limit` fall in it."""

    __slots__ = ("_times", "limit", "window_s")

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        # Created at the first refusal: most sockets never have one, and an empty deque
        # costs 760 bytes.
        self._times: deque[float] | None = None

    def record(self, now_s: float) -> bool:
        """Record one refusal; True when the socket has crossed the line."""
        times = self._times
        if times is None:
            times = self._times = deque(maxlen=self.limit + 1)
        times.append(now_s)
        while times and times[0] <= now_s - self.window_s:
            times.popleft()
        return len(times) > self.limit


class Throttle:
    """Lets one notice per key through every `interval_s` (rejection notices, not fixes)."""

    __slots__ = ("_last", "interval_s")

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last: dict[str, float] | None = None  # created at the first notice

    def allow(self, key: str, now_s: float) -> bool:
        if self._last is None:
            self._last = {}
        last = self._last.get(key)
        if last is not None and now_s - last < self.interval_s:
            return False
        self._last[key] = now_s
        return True
