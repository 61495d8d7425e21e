"""The Redis backend: many workers share channels, counters and leaderboards.

One pub/sub connection per worker feeds every local subscription. When Redis goes away the
reader raises `BackendUnavailable` into each subscription (so nobody waits silently), then
reconnects with capped exponential backoff and re-subscribes every channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from game_server.kit.pubsub.base import (
    RESUBSCRIBED,
    Backend,
    BackendUnavailable,
    Message,
    Subscription,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

RECONNECT_MIN_S = 0.05
RECONNECT_MAX_S = 2.0
READ_TIMEOUT_S = 1.0
SUBSCRIBE_TIMEOUT_S = 5.0


# KEYS[1]; ARGV: new value, expected value ("" = none expected), PX (0 = no expiry).
# Stores and returns nil when the key holds the expected value or nothing; else returns it.
_COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[2] then
  return current
end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return nil
"""

# INCRBY, and the window's end set only if the key has none (PEXPIRE … NX), in one EVALSHA: as
# a MULTI/INCRBY/PEXPIRE/EXEC pipeline, the two counts of a merchant's redemption (the failure
# budget's slot, taken and given back) cost 0.5 ms more client CPU (py-spy, make bench-redeem).
_INCR = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2], 'NX')
end
return count
"""


class RedisBackend(Backend):
    def __init__(self, url: str, *, client_name: str = "lupiae") -> None:
        self._url = url
        # redis-py's return annotations are unions of sync and async shapes; we check at runtime.
        self._redis: Any = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=5,
            client_name=client_name,
            # Fail fast and let callers degrade: redis-py's default retries with backoff would
            # hold a player's message for seconds while Redis is down.
            retry=Retry(NoBackoff(), 0),
        )
        self._subscriptions: dict[str, set[Subscription]] = defaultdict(set)
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        # One SUBSCRIBE/UNSUBSCRIBE at a time: redis-py opens the pub/sub connection lazily,
        # and two concurrent first commands would open two connections (duplicate messages).
        self._commands = asyncio.Lock()
        # Channels whose SUBSCRIBE Redis confirmed, and who waits for a confirmation, so
        # `async with subscribe()` returns ready. A set entry per channel, not an Event (whose
        # empty deque alone is 760 bytes): there is a channel per connected player.
        self._confirmed: set[str] = set()
        self._awaiting: dict[str, list[asyncio.Future[None]]] = {}
        self._cas: Any = self._redis.register_script(_COMPARE_AND_SET)
        self._incr: Any = self._redis.register_script(_INCR)
        self.reconnects = 0
        self._healthy = True  # subscribers hear about an outage once, not at every retry
        # Channels subscribed before an outage, not yet confirmed again: at the confirmation,
        # their subscribers get the RESUBSCRIBED marker (and catch up).
        self._resubscribing: set[str] = set()

    async def connect(self) -> None:
        await self.ping()
        self._reader = asyncio.create_task(self._read_forever(), name="redis-pubsub-reader")

    async def close(self) -> None:
        if self._reader is not None:
            # redis-py can swallow a cancellation while it disconnects: insist, boundedly.
            for _ in range(50):
                self._reader.cancel()
                done, _ = await asyncio.wait({self._reader}, timeout=0.1)
                if done:
                    break
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()
        await self._redis.aclose()

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise BackendUnavailable(f"Redis at {self._safe_url} is unreachable: {exc}") from exc

    @property
    def _safe_url(self) -> str:
        host = self._redis.connection_pool.connection_kwargs.get("host", "?")
        port = self._redis.connection_pool.connection_kwargs.get("port", "?")
        return f"{host}:{port}"

    # -- pub/sub -------------------------------------------------------------------------

    async def attach(self, subscription: Subscription) -> None:
        if not self._healthy:
            raise BackendUnavailable(f"Redis at {self._safe_url} is unreachable (reconnecting)")
        new = [c for c in subscription.channels if not self._subscriptions.get(c)]
        for channel in subscription.channels:
            self._subscriptions[channel].add(subscription)
        loop = asyncio.get_running_loop()
        waiters: list[tuple[str, asyncio.Future[None]]] = []
        for channel in subscription.channels:
            if channel not in self._confirmed:
                waiter = loop.create_future()
                self._awaiting.setdefault(channel, []).append(waiter)
                waiters.append((channel, waiter))
        if new and self._pubsub is not None:
            async with self._commands:
                with contextlib.suppress(RedisError, OSError):  # resubscribed on reconnect
                    await self._pubsub.subscribe(*new)
        self._changed.set()
        try:
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
                for _, waiter in waiters:
                    await waiter
        except TimeoutError:
            self._forget(waiters)
            await self.detach(subscription)
            raise BackendUnavailable(
                f"Redis at {self._safe_url} did not confirm SUBSCRIBE"
            ) from None
        except BaseException:
            self._forget(waiters)
            raise

    def _forget(self, waiters: list[tuple[str, asyncio.Future[None]]]) -> None:
        for channel, waiter in waiters:
            pending = self._awaiting.get(channel)
            if pending is not None and waiter in pending:
                pending.remove(waiter)
                if not pending:
                    del self._awaiting[channel]

    async def detach(self, subscription: Subscription) -> None:
        gone = []
        for channel in subscription.channels:
            self._subscriptions[channel].discard(subscription)
            if not self._subscriptions[channel]:
                del self._subscriptions[channel]
                self._confirmed.discard(channel)
                gone.append(channel)
        if gone and self._pubsub is not None:
            # Best effort: mid-reconnect redis-py may have no writer (AttributeError). A stale
            # subscription is harmless: messages for channels nobody holds are ignored, and
            # the reader re-subscribes only live channels when it reconnects.
            async with self._commands:
                with contextlib.suppress(RedisError, OSError, AttributeError):
                    await self._pubsub.unsubscribe(*gone)

    async def publish(self, channel: str, data: bytes) -> int:
        return int(await self._call(lambda: self._redis.publish(channel, data)))

    async def _read_forever(self) -> None:
        delay = RECONNECT_MIN_S
        while True:
            try:
                await self._open_pubsub()
                delay = RECONNECT_MIN_S
                await self._pump()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self._fail_subscribers(exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_S)

    async def _open_pubsub(self) -> None:
        async with self._commands:
            if self._pubsub is not None:
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.aclose()
            self._pubsub = self._redis.pubsub()
            if self._subscriptions:
                await self._pubsub.subscribe(*self._subscriptions)
            else:
                await self._redis.ping()
        if not self._healthy:
            log.warning("Redis pub/sub is back (after %d failed attempts)", self.reconnects)
            self._resubscribing = set(self._subscriptions)
        self._healthy = True
        while not self._subscriptions:
            self._changed.clear()
            await self._changed.wait()
        async with self._commands:
            await self._pubsub.subscribe(*self._subscriptions)

    async def _pump(self) -> None:
        assert self._pubsub is not None
        while True:
            if not self._subscriptions:
                return  # back to _open_pubsub, which waits for a subscriber
            raw = await self._pubsub.get_message(timeout=READ_TIMEOUT_S)
            if raw is None:
                continue
            channel = raw["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else str(channel)
            if raw["type"] == "message":
                self._dispatch(channel, raw["data"])
            elif raw["type"] == "subscribe" and channel in self._subscriptions:
                self._confirmed.add(channel)
                if channel in self._resubscribing:
                    self._resubscribing.discard(channel)
                    self._dispatch(RESUBSCRIBED, b"", channel)
                for waiter in self._awaiting.pop(channel, ()):
                    if not waiter.done():
                        waiter.set_result(None)

    def _dispatch(self, channel: str, data: bytes, to: str | None = None) -> None:
        message = Message(channel, data)
        for subscription in list(self._subscriptions.get(to or channel, ())):
            subscription.deliver(message)

    def _fail_subscribers(self, exc: BaseException) -> None:
        self.reconnects += 1
        self._confirmed.clear()
        if not self._healthy:
            return
        self._healthy = False
        log.error("Redis pub/sub connection lost: %s; reconnecting", exc)
        error = BackendUnavailable(f"Redis pub/sub connection lost: {exc}")
        notified: set[int] = set()
        for subscriptions in self._subscriptions.values():
            for subscription in subscriptions:
                if id(subscription) not in notified:
                    notified.add(id(subscription))
                    subscription.deliver(error)

    # -- key-value, counters, sorted sets --------------------------------------------------

    async def ping(self) -> None:
        await self._call(self._redis.ping)
        if not self._healthy:
            raise BackendUnavailable(f"Redis at {self._safe_url}: pub/sub is reconnecting")

    async def get(self, key: str) -> bytes | None:
        value = await self._call(lambda: self._redis.get(key))
        return value.encode() if isinstance(value, str) else value

    async def set(
        self, key: str, value: bytes, *, ttl_s: float | None = None, only_if_absent: bool = False
    ) -> bool:
        px = int(ttl_s * 1000) if ttl_s is not None else None
        result = await self._call(lambda: self._redis.set(key, value, px=px, nx=only_if_absent))
        return bool(result)

    async def compare_and_set(
        self, key: str, expected: bytes | None, value: bytes, *, ttl_s: float | None = None
    ) -> bytes | None:
        px = int(ttl_s * 1000) if ttl_s is not None else 0
        args = (value, expected if expected is not None else b"", px)
        result = await self._call(lambda: self._cas(keys=[key], args=args))
        if result is None:
            return None
        return result.encode() if isinstance(result, str) else bytes(result)

    async def delete(self, key: str) -> None:
        await self._call(lambda: self._redis.delete(key))

    async def incr(self, key: str, amount: int = 1, *, ttl_s: float | None = None) -> int:
        px = max(1, int(ttl_s * 1000)) if ttl_s is not None else 0
        return int(await self._call(lambda: self._incr(keys=[key], args=(amount, px))))

    async def ttl(self, key: str) -> float | None:
        ms = int(await self._call(lambda: self._redis.pttl(key)))
        return ms / 1000 if ms >= 0 else None

    async def expire(self, key: str, ttl_s: float) -> None:
        await self._call(lambda: self._redis.pexpire(key, int(ttl_s * 1000)))

    async def zincrby(self, key: str, member: str, amount: float) -> float:
        return float(await self._call(lambda: self._redis.zincrby(key, amount, member)))

    async def zscore(self, key: str, member: str) -> float | None:
        score = await self._call(lambda: self._redis.zscore(key, member))
        return float(score) if score is not None else None

    async def zrem(self, key: str, member: str) -> None:
        await self._call(lambda: self._redis.zrem(key, member))

    async def zrank_desc(self, key: str, member: str) -> int | None:
        rank = await self._call(lambda: self._redis.zrevrank(key, member))
        return int(rank) if rank is not None else None

    async def zrange_desc(self, key: str, start: int, stop: int) -> list[tuple[str, float]]:
        rows = await self._call(lambda: self._redis.zrevrange(key, start, stop, withscores=True))
        return [(m.decode() if isinstance(m, bytes) else str(m), float(s)) for m, s in rows]

    async def zcard(self, key: str) -> int:
        return int(await self._call(lambda: self._redis.zcard(key)))

    async def tally(
        self, distinct: list[tuple[str, str]], increments: list[tuple[str, int]], ttl_s: float
    ) -> None:
        if not (distinct or increments):
            return
        ms = int(ttl_s * 1000)

        async def pipelined() -> None:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, member in distinct:
                    pipe.pfadd(key, member)
                    pipe.pexpire(key, ms)
                for key, amount in increments:
                    pipe.incrby(key, amount)
                    pipe.pexpire(key, ms)
                await pipe.execute()

        await self._call(pipelined)

    async def tallies(
        self, distinct: list[str], counters: list[str]
    ) -> tuple[list[int], list[int]]:
        async def pipelined() -> list[Any]:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in distinct:
                    pipe.pfcount(key)
                for key in counters:
                    pipe.get(key)
                return list(await pipe.execute())

        if not (distinct or counters):
            return [], []
        results = await self._call(pipelined)
        counts = [int(r) for r in results[: len(distinct)]]
        values = [int(r) if r is not None else 0 for r in results[len(distinct) :]]
        return counts, values
