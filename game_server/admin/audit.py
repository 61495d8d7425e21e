"""Every staff and merchant action, newest first, for admins (`GET /admin/v1/audit`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from game_server.admin.schemas import AuditRead
from game_server.audit.repository import AuditFilter, AuditRepository
from game_server.audit.service import AuditLog, AuditRecord, Source
from game_server.kit.deps import SessionDep
from game_server.kit.inputs import Moment
from game_server.staff.auth import AdminStaff
from game_server.staff.repository import StaffRepository
from rewards.audit import MerchantAuditReader

router = APIRouter(prefix="/admin/v1", tags=["admin: audit"])

_ACTOR_HELP = "`staff:<id>`, a staff email, `cli:<user>`, `merchant` or `anonymous`"
_ACTION_HELP = "exact (`player.ban`) or a prefix ending in `*` (`content.*`)"


@router.get("/audit")
async def audit(
    _: AdminStaff,
    session: SessionDep,
    actor: Annotated[str | None, Query(max_length=254, description=_ACTOR_HELP)] = None,
    action: Annotated[str | None, Query(max_length=41, description=_ACTION_HELP)] = None,
    source: Annotated[Literal["staff", "merchant"] | None, Query()] = None,
    from_: Annotated[Moment | None, Query(alias="from", description="inclusive")] = None,
    to: Annotated[Moment | None, Query(description="exclusive; page with the last `at`")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    city: Annotated[str | None, Query(max_length=64, description="one comune's actions")] = None,
) -> list[AuditRead]:
    """Staff actions (logins, content, moderation, staff) and merchant actions (onboarding,
    keys, lookups, redemptions) in one stream. Times are UTC; naive ones are read as UTC."""
    staff = StaffRepository(session)
    if actor is not None and "@" in actor:
        account = await staff.by_email(actor.strip().lower())
        actor = f"staff:{account.id}" if account else f"unknown:{actor}"
    where = AuditFilter(
        actor=actor, action=action, since=_utc(from_), until=_utc(to), limit=limit, city=city
    )
    sources: frozenset[Source] = frozenset({source} if source else {"staff", "merchant"})
    log = AuditLog(AuditRepository(session))
    records = await log.search(where, MerchantAuditReader(session), sources)
    emails = await staff.emails_of({i for r in records if (i := _staff_id(r.actor))})
    return [_read(r, emails) for r in records]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _staff_id(actor: str) -> uuid.UUID | None:
    kind, _, rest = actor.partition(":")
    if kind != "staff":
        return None
    try:
        return uuid.UUID(rest)
    except ValueError:
        return None


def _read(record: AuditRecord, emails: dict[uuid.UUID, str]) -> AuditRead:
    staff_id = _staff_id(record.actor)
    return AuditRead(
        source=record.source,
        id=record.id,
        at=record.at,
        actor=record.actor,
        actor_email=emails.get(staff_id) if staff_id else None,
        role=record.role,
        action=record.action,
        target=record.target,
        status=record.status,
        detail=record.detail,
        city=record.city,
        client_ip=record.client_ip,
    )
