"""All SQL of the staff audit log, and the filters every audit log's reads share (rewards' merchant
log is read by rewards, `rewards/audit.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from game_server.audit.models import AuditEntry

_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending in "*" ("content.*")
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    city: str | None = None  # the comune the action concerned


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, entry: AuditEntry) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def staff_entries(self, where: AuditFilter) -> list[AuditEntry]:
        stmt = filtered(select(AuditEntry), where, AuditEntry.at, AuditEntry.actor)
        stmt = with_action(stmt, where.action, AuditEntry.action)
        if where.city is not None:
            stmt = stmt.where(AuditEntry.city == where.city)
        stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(where.limit)
        return list((await self.session.execute(stmt)).scalars())


def filtered(
    stmt: _S,
    where: AuditFilter,
    at: InstrumentedAttribute[datetime],
    actor: InstrumentedAttribute[str],
) -> _S:
    if where.actor is not None:
        stmt = stmt.where(actor == where.actor)
    if where.since is not None:
        stmt = stmt.where(at >= where.since)
    if where.until is not None:
        stmt = stmt.where(at < where.until)
    return stmt


def with_action(stmt: _S, action: str | None, column: InstrumentedAttribute[str]) -> _S:
    if action is None:
        return stmt
    if action.endswith("*"):
        return stmt.where(column.startswith(action[:-1], autoescape=True))
    return stmt.where(column == action)
