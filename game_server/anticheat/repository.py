"""Suspicion records: append, sum, list by risk."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.anticheat.models import SuspicionRecord


@dataclass(frozen=True, slots=True)
class PlayerRisk:
    player_id: uuid.UUID
    risk: float
    records: int
    last_at: datetime


class SuspicionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, player_id: uuid.UUID, kind: str, score: float, evidence: dict[str, Any], at: datetime
    ) -> None:
        self.session.add(
            SuspicionRecord(player_id=player_id, kind=kind, score=score, evidence=evidence, at=at)
        )
        await self.session.flush()

    async def risk(self, player_id: uuid.UUID, since: datetime) -> float:
        stmt = select(func.coalesce(func.sum(SuspicionRecord.score), 0.0)).where(
            SuspicionRecord.player_id == player_id, SuspicionRecord.at >= since
        )
        return float((await self.session.execute(stmt)).scalar_one())

    async def by_risk(self, since: datetime, *, minimum: float, limit: int) -> list[PlayerRisk]:
        total = func.sum(SuspicionRecord.score).label("risk")
        stmt = (
            select(
                SuspicionRecord.player_id,
                total,
                func.count().label("records"),
                func.max(SuspicionRecord.at).label("last_at"),
            )
            .where(SuspicionRecord.at >= since)
            .group_by(SuspicionRecord.player_id)
            .having(total >= minimum)
            .order_by(total.desc(), SuspicionRecord.player_id)
            .limit(limit)
        )
        rows = (await self.session.execute(stmt)).all()
        return [PlayerRisk(r.player_id, float(r.risk), int(r.records), r.last_at) for r in rows]

    async def of_player(self, player_id: uuid.UUID, limit: int) -> list[SuspicionRecord]:
        stmt = (
            select(SuspicionRecord)
            .where(SuspicionRecord.player_id == player_id)
            .order_by(SuspicionRecord.at.desc(), SuspicionRecord.id.desc())
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())
