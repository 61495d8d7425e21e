"""ONE contract for every backend: memory always, Redis when LUPIAE_TEST_REDIS_URL is set."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from game_server.kit.pubsub import (
    RESUBSCRIBED,
    Backend,
    BackendUnavailable,
    MemoryBackend,
    Message,
    backend_from_url,
)
from game_server.kit.pubsub.redis import RedisBackend


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "memory":
        instance: Backend = MemoryBackend()
    else:
        instance = backend_from_url(request.getfixturevalue("redis_url"))
    await instance.connect()
    try:
        yield instance
    finally:
        await instance.close()


@pytest.fixture
def ns() -> str:
    """A fresh key/channel namespace, so tests never see each other's data on a shared Redis."""
    return f"test:{uuid.uuid4().hex}:"


async def next_message(subscription: object, timeout_s: float = 5.0) -> bytes:
    async with asyncio.timeout(timeout_s):
        message = await anext(subscription)  # type: ignore[call-overload]
    data: bytes = message.data
    return data


async def test_publish_fans_out_to_every_subscriber(backend: Backend, ns: str) -> None:
    async with backend.subscribe(ns + "a") as first, backend.subscribe(ns + "a") as second:
        receivers = await backend.publish(ns + "a", b"hello")
        assert receivers >= 1
        assert await next_message(first) == b"hello"
        assert await next_message(second) == b"hello"


async def test_messages_keep_their_order(backend: Backend, ns: str) -> None:
    async with backend.subscribe(ns + "a") as sub:
        for i in range(20):
            await backend.publish(ns + "a", str(i).encode())
        assert [await next_message(sub) for _ in range(20)] == [str(i).encode() for i in range(20)]


async def test_subscribers_only_get_their_channels(backend: Backend, ns: str) -> None:
    async with backend.subscribe(ns + "a", ns + "b") as both, backend.subscribe(ns + "c") as c:
        await backend.publish(ns + "c", b"for-c")
        await backend.publish(ns + "b", b"for-b")
        assert await next_message(both) == b"for-b"
        assert await next_message(c) == b"for-c"


async def test_unsubscribe_stops_delivery(backend: Backend, ns: str) -> None:
    async with backend.subscribe(ns + "a") as stays:
        async with backend.subscribe(ns + "a"):
            pass
        await backend.publish(ns + "a", b"one")
        assert await next_message(stays) == b"one"
    assert await backend.publish(ns + "a", b"nobody") == 0


async def test_slow_subscriber_drops_oldest_and_never_blocks(backend: Backend, ns: str) -> None:
    async with (
        backend.subscribe(ns + "a", max_backlog=3) as slow,
        backend.subscribe(ns + "a") as fast,
    ):
        for i in range(10):
            await backend.publish(ns + "a", str(i).encode())
        assert [await next_message(fast) for _ in range(10)][-1] == b"9"
        assert [await next_message(slow) for _ in range(3)] == [b"7", b"8", b"9"]
        assert slow.dropped == 7


async def test_counters_count_and_expire(backend: Backend, ns: str) -> None:
    assert await backend.incr(ns + "hits", ttl_s=60) == 1
    assert await backend.incr(ns + "hits", 4, ttl_s=60) == 5
    ttl = await backend.ttl(ns + "hits")
    assert ttl is not None
    assert 0 < ttl <= 60
    await backend.incr(ns + "short", ttl_s=0.05)
    for _ in range(100):  # bounded: at most ~2 s
        if await backend.get(ns + "short") is None:
            break
        await asyncio.sleep(0.02)
    assert await backend.get(ns + "short") is None
    assert await backend.incr(ns + "short") == 1


async def test_counter_window_is_fixed_not_sliding(backend: Backend, ns: str) -> None:
    await backend.incr(ns + "w", ttl_s=30)
    await backend.expire(ns + "w", 10)
    await backend.incr(ns + "w", ttl_s=30)  # does not push the expiry back out
    ttl = await backend.ttl(ns + "w")
    assert ttl is not None
    assert ttl <= 10


async def test_values_set_get_delete_and_set_if_absent(backend: Backend, ns: str) -> None:
    assert await backend.get(ns + "k") is None
    assert await backend.set(ns + "k", b"v1", only_if_absent=True)
    assert not await backend.set(ns + "k", b"v2", only_if_absent=True)
    assert await backend.get(ns + "k") == b"v1"
    await backend.set(ns + "k", b"v3")
    assert await backend.get(ns + "k") == b"v3"
    await backend.delete(ns + "k")
    assert await backend.get(ns + "k") is None
    assert await backend.ttl(ns + "k") is None


async def test_compare_and_set_stores_only_over_what_was_read(backend: Backend, ns: str) -> None:
    key = f"{ns}:cas"
    assert await backend.compare_and_set(key, None, b"a", ttl_s=60) is None  # nothing there
    assert await backend.compare_and_set(key, b"a", b"b", ttl_s=60) is None  # read "a"
    assert await backend.compare_and_set(key, b"a", b"c", ttl_s=60) == b"b"  # stale read
    assert await backend.get(key) == b"b"
    assert await backend.compare_and_set(key, None, b"d") == b"b"  # somebody wrote first
    ttl = await backend.ttl(key)
    assert ttl is not None
    assert 0 < ttl <= 60
    # Concurrent writers from one read: exactly one wins.
    results = await asyncio.gather(
        *(backend.compare_and_set(key, b"b", f"w{i}".encode(), ttl_s=60) for i in range(8))
    )
    assert sum(r is None for r in results) == 1


async def test_sorted_sets_rank_like_a_leaderboard(backend: Backend, ns: str) -> None:
    board = ns + "board"
    for member, score in [("ada", 30), ("bea", 50), ("cai", 30), ("dan", 10)]:
        await backend.zincrby(board, member, score)
    assert await backend.zincrby(board, "dan", 5) == 15
    assert await backend.zrange_desc(board, 0, -1) == [
        ("bea", 50.0),
        ("cai", 30.0),  # ties: member descending, as Redis ZREVRANGE does
        ("ada", 30.0),
        ("dan", 15.0),
    ]
    assert await backend.zrank_desc(board, "ada") == 2
    assert await backend.zrank_desc(board, "nobody") is None
    assert await backend.zscore(board, "bea") == 50.0
    assert await backend.zscore(board, "nobody") is None
    assert await backend.zrange_desc(board, 1, 2) == [("cai", 30.0), ("ada", 30.0)]
    assert await backend.zcard(board) == 4
    await backend.expire(board, 0.05)
    for _ in range(100):
        if await backend.zcard(board) == 0:
            break
        await asyncio.sleep(0.02)
    assert await backend.zcard(board) == 0


async def test_zrem_forgets_one_member(backend: Backend, ns: str) -> None:
    board = ns + "forget"
    await backend.zincrby(board, "ada", 3)
    await backend.zincrby(board, "bea", 5)
    await backend.zrem(board, "ada")
    await backend.zrem(board, "nobody")
    await backend.zrem(ns + "no-such-board", "ada")
    assert await backend.zrange_desc(board, 0, -1) == [("bea", 5.0)]
    assert await backend.zscore(board, "ada") is None


async def test_a_sorted_set_emptied_by_zrem_is_gone_with_its_expiry(
    backend: Backend, ns: str
) -> None:
    """As in Redis: removing the last member deletes the key (nothing names it any more)."""
    sockets = ns + "sockets"
    await backend.zincrby(sockets, "socket-1", 1)
    await backend.expire(sockets, 60)
    await backend.zrem(sockets, "socket-1")
    assert await backend.ttl(sockets) is None
    await backend.zincrby(sockets, "socket-2", 1)
    assert await backend.ttl(sockets) is None  # a new key, without the old one's expiry


async def test_ping(backend: Backend) -> None:
    await backend.ping()


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="memory:// or redis://"):
        backend_from_url("kafka://x")


@pytest.mark.redis
async def test_redis_outage_is_loud_and_recovers(redis_url: str, ns: str) -> None:
    """Killing the pub/sub connection raises in the subscriber, then delivery resumes."""
    name = f"lupiae-test-{uuid.uuid4().hex[:8]}"
    backend = RedisBackend(redis_url, client_name=name)
    await backend.connect()
    try:
        async with backend.subscribe(ns + "a") as sub:
            await backend.publish(ns + "a", b"before")
            assert await next_message(sub) == b"before"
            await _kill_pubsub_clients(redis_url, name)
            with pytest.raises(BackendUnavailable):
                await next_message(sub)
            for _ in range(100):  # bounded: the reader reconnects within its backoff
                await backend.publish(ns + "a", b"after")
                try:
                    assert await next_message(sub, timeout_s=0.1) == b"after"
                    break
                except TimeoutError:
                    continue
            else:
                pytest.fail("no delivery after Redis came back")
    finally:
        await backend.close()


@pytest.mark.redis
async def test_a_subscription_hears_when_its_channels_are_live_again(
    redis_url: str, ns: str
) -> None:
    """After an outage, once Redis confirms the SUBSCRIBE again, each subscription receives the
    RESUBSCRIBED marker: whatever was published meanwhile went nowhere, catch up now."""
    name = f"lupiae-test-{uuid.uuid4().hex[:8]}"
    backend = RedisBackend(redis_url, client_name=name)
    await backend.connect()
    try:
        async with backend.subscribe(ns + "a") as sub:
            await _kill_pubsub_clients(redis_url, name)
            items: list[object] = []
            for _ in range(200):  # bounded: ~10 s; the reader reconnects within its backoff
                while (item := sub.take()) is not None:
                    items.append(item)
                if any(isinstance(i, Message) and i.channel == RESUBSCRIBED for i in items):
                    break
                await asyncio.sleep(0.05)
            assert isinstance(items[0], BackendUnavailable)
            assert items[1:] == [Message(RESUBSCRIBED, b"")]
            # Delivery is live again right after the marker.
            await backend.publish(ns + "a", b"after")
            assert await next_message(sub) == b"after"
    finally:
        await backend.close()


async def test_unreachable_redis_fails_fast_with_a_clear_error() -> None:
    backend = backend_from_url("redis://127.0.0.1:1/0")
    with pytest.raises(BackendUnavailable, match="unreachable"):
        await backend.connect()
    await backend.close()


async def _kill_pubsub_clients(redis_url: str, name: str) -> None:
    """Kill only this test's pub/sub connection (others may share the Redis server)."""
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    try:
        listing = (await client.execute_command("CLIENT", "LIST", "TYPE", "pubsub")).decode()
        ids = [
            field.split("=")[1]
            for line in listing.splitlines()
            if f" name={name} " in f" {line} "
            for field in line.split()
            if field.startswith("id=")
        ]
        assert ids, f"no pub/sub connection named {name}"
        for client_id in ids:
            await client.execute_command("CLIENT", "KILL", "ID", client_id)
    finally:
        await client.aclose()
