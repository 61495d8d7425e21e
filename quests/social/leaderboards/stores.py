"""Where rankings come from: the database (embedded mode) or a Redis cache of it.

Both stores write XP to the database, inside the caller's unit of work: `xp_scores` is the
source of truth, so nothing acknowledged is lost when Redis restarts. They differ in how they
rank. See docs/social.md ("Consistency") for why and for the bounds of the Redis cache.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from game_server.kit.db import UnitOfWorkSession
from game_server.kit.pubsub import Backend, BackendUnavailable
from quests.social.leaderboards.repository import Entry, Increment, ScoreRepository

log = logging.getLogger(__name__)

# Increments waiting for their transaction to commit before they reach Redis.
PENDING_KEY = "lupiae.leaderboard_increments"
DEFAULT_CACHE_TTL_S = 900.0
# A generation outlives its pointer a little, so a reader that just resolved it still finds it.
GENERATION_GRACE_S = 60.0
REBUILD_LOCK_S = 30.0


class LeaderboardStore(ABC):
    """Scores per (board key, member) with rankings: score desc, then member desc."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.scores = ScoreRepository(session)

    async def add(self, increments: Sequence[Increment]) -> None:
        await self.scores.add(increments)

    @abstractmethod
    async def window(self, key: str, start: int, stop: int) -> list[Entry]:
        """Ranks `start`..`stop` (0-based, inclusive), best first."""

    @abstractmethod
    async def position(self, key: str, member: str) -> Entry | None:
        """The member's rank and score, None when it has no score on this board."""

    async def top(self, key: str, limit: int) -> list[Entry]:
        return await self.window(key, 0, limit - 1)

    async def around(self, key: str, member: str, radius: int) -> tuple[Entry | None, list[Entry]]:
        """The member's own entry and the `radius` entries either side of it (itself included)."""
        me = await self.position(key, member)
        if me is None:
            return None, []
        index = me.rank - 1
        return me, await self.window(key, max(0, index - radius), index + radius)

    async def ranked_among(self, key: str, members: Collection[str]) -> list[Entry]:
        """A small board of chosen members (friends), from the database in every mode.

        Members without XP take part with 0, so that a new friend shows up at once.
        """
        scores = await self.scores.scores_of(key, members)
        ordered = sorted(((scores.get(m, 0), m) for m in set(members)), reverse=True)
        return [Entry(i + 1, member, score) for i, (score, member) in enumerate(ordered)]


class DatabaseLeaderboardStore(LeaderboardStore):
    """Embedded mode: rankings by SQL over `xp_scores`."""

    async def window(self, key: str, start: int, stop: int) -> list[Entry]:
        return await self.scores.window(key, start, stop)

    async def position(self, key: str, member: str) -> Entry | None:
        return await self.scores.position(key, member)


class RedisLeaderboardStore(LeaderboardStore):
    """Production: rankings from Redis sorted sets that cache `xp_scores`.

    Each board is cached as a *generation*: a sorted set filled from the database, named by a
    pointer key that expires after `cache_ttl_s`, after which the next reader rebuilds it. XP
    reaches the current generation after the commit (ZINCRBY). A Redis outage or a commit racing
    a rebuild can leave a generation off by a few points; it heals at the next rebuild. Reads
    fall back to the database whenever Redis cannot answer.
    """

    def __init__(
        self,
        session: AsyncSession,
        backend: Backend,
        *,
        prefix: str = "lupiae:lb:",
        cache_ttl_s: float = DEFAULT_CACHE_TTL_S,
    ) -> None:
        super().__init__(session)
        self.backend = backend
        self.prefix = prefix
        self.cache_ttl_s = cache_ttl_s
        self._tasks: set[asyncio.Task[None]] = set()

    async def add(self, increments: Sequence[Increment]) -> None:
        await super().add(increments)
        pending: dict[RedisLeaderboardStore, list[Increment]] = self.session.info.setdefault(
            PENDING_KEY, {}
        )
        pending.setdefault(self, []).extend(increments)

    async def settled(self) -> None:
        """Wait until committed XP has reached Redis (tests, graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    def _committed(self, increments: list[Increment]) -> None:
        task = asyncio.get_running_loop().create_task(self._apply(increments))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _apply(self, increments: list[Increment]) -> None:
        try:
            for increment in increments:
                generation = await self.backend.get(self._pointer(increment.key))
                if generation is None:
                    continue  # not cached: the next reader builds it from the database
                data = self._data(increment.key, generation.decode())
                await self.backend.zincrby(data, increment.member, increment.amount)
                await self.backend.expire(data, self.cache_ttl_s + GENERATION_GRACE_S)
        except BackendUnavailable as exc:
            log.warning("leaderboard cache missed %d increments: %s", len(increments), exc)

    async def forget_member(self, keys: Collection[str], member: str) -> None:
        """Remove a member from the cached generation of each board (an erased player)."""
        try:
            for key in keys:
                generation = await self.backend.get(self._pointer(key))
                if generation is not None:
                    await self.backend.zrem(self._data(key, generation.decode()), member)
        except BackendUnavailable as exc:
            log.warning("leaderboard cache still names %s until it expires: %s", member, exc)

    def _pointer(self, key: str) -> str:
        return f"{self.prefix}{key}:current"

    def _data(self, key: str, generation: str) -> str:
        return f"{self.prefix}{key}:{generation}"

    async def _cached(self, key: str) -> str | None:
        """The sorted set to read, or None to read the database instead."""
        try:
            generation = await self.backend.get(self._pointer(key))
            if generation is not None:
                return self._data(key, generation.decode())
            if self.session.info.get(PENDING_KEY):
                return None  # our own uncommitted XP would be counted twice
            return await self._rebuild(key)
        except BackendUnavailable as exc:
            log.warning("leaderboard read from the database, Redis is unavailable: %s", exc)
            return None

    async def _rebuild(self, key: str) -> str | None:
        lock = f"{self.prefix}{key}:rebuilding"
        if not await self.backend.set(lock, b"1", ttl_s=REBUILD_LOCK_S, only_if_absent=True):
            return None  # another worker is building it; answer from the database meanwhile
        try:
            generation = uuid.uuid4().hex
            data = self._data(key, generation)
            for member, score in await self.scores.snapshot(key):
                await self.backend.zincrby(data, member, score)
            await self.backend.expire(data, self.cache_ttl_s + GENERATION_GRACE_S)
            await self.backend.set(self._pointer(key), generation.encode(), ttl_s=self.cache_ttl_s)
            return data
        finally:
            await self.backend.delete(lock)

    async def window(self, key: str, start: int, stop: int) -> list[Entry]:
        if stop < start:
            return []
        data = await self._cached(key)
        if data is not None:
            try:
                rows = await self.backend.zrange_desc(data, start, stop)
            except BackendUnavailable:
                pass
            else:
                return [Entry(start + i + 1, m, int(s)) for i, (m, s) in enumerate(rows)]
        return await self.scores.window(key, start, stop)

    async def position(self, key: str, member: str) -> Entry | None:
        data = await self._cached(key)
        if data is not None:
            try:
                rank = await self.backend.zrank_desc(data, member)
                score = await self.backend.zscore(data, member)
            except BackendUnavailable:
                pass
            else:
                if rank is None or score is None:
                    return None
                return Entry(rank + 1, member, int(score))
        return await self.scores.position(key, member)


@event.listens_for(UnitOfWorkSession, "after_commit")
def _send_committed_increments(session: Session) -> None:
    pending: dict[RedisLeaderboardStore, list[Increment]] = session.info.pop(PENDING_KEY, {})
    for store, increments in pending.items():
        store._committed(increments)


@event.listens_for(UnitOfWorkSession, "after_rollback")
def _drop_rolled_back_increments(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
