"""All SQL of the leaderboards: the durable `xp_scores` table and rankings over it.

Ranking order is the one Redis uses for ZREVRANGE: score descending, then member descending,
compared byte by byte (PostgreSQL is told `COLLATE "C"` so its locale cannot reorder members).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, collate, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.db import dialect_insert
from quests.social.models import XpScore


@dataclass(frozen=True, slots=True)
class Entry:
    rank: int  # 1-based
    member: str
    score: int


@dataclass(frozen=True, slots=True)
class Increment:
    key: str
    member: str
    amount: int


class ScoreRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        bind = session.bind
        self._dialect = bind.dialect.name if bind is not None else "sqlite"

    async def add(self, increments: Sequence[Increment]) -> None:
        """Upsert: a new member starts at its increment, an existing one adds it."""
        if not increments:
            return
        stmt = dialect_insert(self.session, XpScore)
        stmt = stmt.on_conflict_do_update(
            index_elements=[XpScore.board, XpScore.member],
            set_={"score": XpScore.score + stmt.excluded.score},
        )
        rows = [{"board": i.key, "member": i.member, "score": i.amount} for i in increments]
        await self.session.execute(stmt, rows)

    def _member(self) -> ColumnElement[str]:
        if self._dialect == "postgresql":
            return collate(XpScore.member, "C")
        return XpScore.member.expression

    async def window(self, key: str, start: int, stop: int) -> list[Entry]:
        """Ranks `start`..`stop` (0-based, inclusive), best first."""
        if stop < start:
            return []
        stmt = (
            select(XpScore.member, XpScore.score)
            .where(XpScore.board == key)
            .order_by(XpScore.score.desc(), self._member().desc())
            .offset(start)
            .limit(stop - start + 1)
        )
        rows = (await self.session.execute(stmt)).all()
        return [Entry(start + i + 1, member, int(score)) for i, (member, score) in enumerate(rows)]

    async def position(self, key: str, member: str) -> Entry | None:
        score = await self.session.scalar(
            select(XpScore.score).where(XpScore.board == key, XpScore.member == member)
        )
        if score is None:
            return None
        ahead = await self.session.scalar(
            select(func.count())
            .select_from(XpScore)
            .where(
                XpScore.board == key,
                or_(
                    XpScore.score > score,
                    and_(XpScore.score == score, self._member() > member),
                ),
            )
        )
        return Entry(int(ahead or 0) + 1, member, int(score))

    async def snapshot(self, key: str) -> list[tuple[str, int]]:
        stmt = select(XpScore.member, XpScore.score).where(XpScore.board == key)
        return [(member, int(score)) for member, score in (await self.session.execute(stmt)).all()]

    async def scores_of(self, key: str, members: Collection[str]) -> dict[str, int]:
        if not members:
            return {}
        stmt = select(XpScore.member, XpScore.score).where(
            XpScore.board == key, XpScore.member.in_(list(members))
        )
        return {member: int(score) for member, score in (await self.session.execute(stmt)).all()}
