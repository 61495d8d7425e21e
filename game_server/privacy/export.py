"""`GET /v1/me/export`: everything kept about one player, as one JSON document.

Built from `plan.PLAN`, so a table added to the plan is exported without more code; the
sections and their fields are described in docs/privacy.md.
"""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.audit.models import AuditEntry
from game_server.gateway.trackers import TrackerStore
from game_server.kit.clock import utcnow
from game_server.kit.db import Base
from game_server.kit.pubsub import Backend
from game_server.privacy.plan import PLAN, Section
from rewards.models import Coupon, Redemption

FORMAT = "lupiae-export/1"


def naming(table: Table, section: Section, player_id: uuid.UUID) -> ColumnElement[bool]:
    """The rows of `table` that name the player."""
    value: object = str(player_id) if section.as_text else player_id
    return or_(*(table.c[column] == value for column in section.columns))


def jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _row(row: Any, hidden: tuple[str, ...]) -> dict[str, Any]:
    return {k: jsonable(v) for k, v in row.items() if k not in hidden}


async def _section(session: AsyncSession, section: Section, player_id: uuid.UUID) -> list[Any]:
    table = Base.metadata.tables[section.table]
    stmt = select(table).where(naming(table, section, player_id))
    stmt = stmt.order_by(*table.primary_key.columns)
    rows = (await session.execute(stmt)).mappings()
    return [_row(row, section.hidden) for row in rows]


async def _redemptions(session: AsyncSession, player_id: uuid.UUID) -> list[dict[str, Any]]:
    stmt = (
        select(Redemption.__table__)
        .join(Coupon, Coupon.id == Redemption.coupon_id)
        .where(Coupon.player_id == player_id)
        .order_by(Redemption.redeemed_at)
    )
    return [_row(row, ("api_key_id",)) for row in (await session.execute(stmt)).mappings()]


async def _moderation(session: AsyncSession, player_id: uuid.UUID) -> list[dict[str, Any]]:
    stmt = (
        select(AuditEntry.at, AuditEntry.action, AuditEntry.status, AuditEntry.detail)
        .where(AuditEntry.target == f"player:{player_id}")
        .order_by(AuditEntry.id)
    )
    return [_row(row, ()) for row in (await session.execute(stmt)).mappings()]


async def export(
    session: AsyncSession, backend: Backend | None, player_id: uuid.UUID
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": FORMAT,
        "player_id": str(player_id),
        "exported_at": utcnow().isoformat(),
    }
    for section in PLAN:
        document[section.section] = await _section(session, section, player_id)
    document["profile"] = document["profile"][0] if document["profile"] else None
    document["redemptions"] = await _redemptions(session, player_id)
    document["moderation"] = await _moderation(session, player_id)
    document["tracker"] = None
    if backend is not None:
        state = await TrackerStore(backend).peek(player_id)
        document["tracker"] = None if state is None else state.to_dict()
    return document
