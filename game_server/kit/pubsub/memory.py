"""The in-process backend: one worker, zero setup."""

from __future__ import annotations

import time
from collections import defaultdict

from game_server.kit.pubsub import hll
from game_server.kit.pubsub.base import Backend, Message, Subscription


class MemoryBackend(Backend):
    def __init__(self) -> None:
        self._subscriptions: dict[str, set[Subscription]] = defaultdict(set)
        self._values: dict[str, bytes | int] = {}
        self._sorted: dict[str, dict[str, float]] = {}
        self._expires_at: dict[str, float] = {}
        self._hll: dict[str, bytearray] = {}

    async def attach(self, subscription: Subscription) -> None:
        for channel in subscription.channels:
            self._subscriptions[channel].add(subscription)

    async def detach(self, subscription: Subscription) -> None:
        for channel in subscription.channels:
            self._subscriptions[channel].discard(subscription)
            if not self._subscriptions[channel]:
                del self._subscriptions[channel]

    async def ping(self) -> None:
        return None

    async def publish(self, channel: str, data: bytes) -> int:
        receivers = list(self._subscriptions.get(channel, ()))
        for subscription in receivers:
            subscription.deliver(Message(channel, data))
        return len(receivers)

    def _alive(self, key: str) -> bool:
        expires_at = self._expires_at.get(key)
        if expires_at is not None and expires_at <= time.monotonic():
            self._values.pop(key, None)
            self._sorted.pop(key, None)
            self._hll.pop(key, None)
            del self._expires_at[key]
        return key in self._values or key in self._sorted or key in self._hll

    def _set_ttl(self, key: str, ttl_s: float | None) -> None:
        if ttl_s is None:
            self._expires_at.pop(key, None)
        else:
            self._expires_at[key] = time.monotonic() + ttl_s

    async def get(self, key: str) -> bytes | None:
        if not self._alive(key):
            return None
        value = self._values.get(key)
        return str(value).encode() if isinstance(value, int) else value

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, only_if_absent: bool = False
    ) -> bool:
        if only_if_absent and self._alive(key):
            return False
        self._values[key] = value
        self._set_ttl(key, ttl_s)
        return True

    async def compare_and_set(
        self, key: str, expected: bytes | None, value: bytes, *, ttl_s: float | None = None
    ) -> bytes | None:
        current = await self.get(key)
        if current is not None and current != expected:
            return current
        self._values[key] = value
        self._set_ttl(key, ttl_s)
        return None

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)
        self._sorted.pop(key, None)
        self._expires_at.pop(key, None)

    async def incr(self, key: str, amount: int = 1, *, ttl_s: float | None = None) -> int:
        created = not self._alive(key)
        current = self._values.get(key, 0)
        value = (int(current) if not isinstance(current, int) else current) + amount
        self._values[key] = value
        if created and ttl_s is not None:
            self._set_ttl(key, ttl_s)
        return value

    async def ttl(self, key: str) -> float | None:
        if not self._alive(key) or key not in self._expires_at:
            return None
        return max(0.0, self._expires_at[key] - time.monotonic())

    async def expire(self, key: str, ttl_s: float) -> None:
        if self._alive(key):
            self._set_ttl(key, ttl_s)

    async def zincrby(self, key: str, member: str, amount: float) -> float:
        self._alive(key)
        scores = self._sorted.setdefault(key, {})
        scores[member] = scores.get(member, 0.0) + amount
        return scores[member]

    async def zscore(self, key: str, member: str) -> float | None:
        return self._sorted.get(key, {}).get(member) if self._alive(key) else None

    async def zrem(self, key: str, member: str) -> None:
        if self._alive(key):
            members = self._sorted.get(key, {})
            members.pop(member, None)
            if not members:  # as in Redis, an empty sorted set is no key at all
                await self.delete(key)

    def _ranked(self, key: str) -> list[tuple[str, float]]:
        if not self._alive(key):
            return []
        items = self._sorted.get(key, {}).items()
        return sorted(items, key=lambda item: (item[1], item[0]), reverse=True)

    async def zrank_desc(self, key: str, member: str) -> int | None:
        for rank, (name, _) in enumerate(self._ranked(key)):
            if name == member:
                return rank
        return None

    async def zrange_desc(self, key: str, start: int, stop: int) -> list[tuple[str, float]]:
        ranked = self._ranked(key)
        return ranked[start : (stop + 1) if stop >= 0 else len(ranked) + stop + 1]

    async def zcard(self, key: str) -> int:
        return len(self._sorted.get(key, {})) if self._alive(key) else 0

    async def tally(
        self, distinct: list[tuple[str, str]], increments: list[tuple[str, int]], ttl_s: float
    ) -> None:
        for key, member in distinct:
            if not self._alive(key):
                self._hll[key] = hll.new()
            hll.add(self._hll[key], member.encode())
            self._set_ttl(key, ttl_s)
        for key, amount in increments:
            await self.incr(key, amount)
            self._set_ttl(key, ttl_s)

    async def tallies(
        self, distinct: list[str], counters: list[str]
    ) -> tuple[list[int], list[int]]:
        counts = [hll.count(self._hll[k]) if self._alive(k) else 0 for k in distinct]
        values = []
        for key in counters:
            raw = await self.get(key)
            values.append(int(raw) if raw is not None else 0)
        return counts, values
