"""Rewards' merchant audit log as records of the one audit stream (`GET /admin/v1/audit`).

Merchant actions are written to `merchant_audit_log` on the redemption path; the admin's audit
reader merges them with the staff log (`game_server.audit.service.AuditLog.search`), which
takes this reader from its caller: the audit domain sits below rewards and never imports it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.audit.repository import AuditFilter, filtered, with_action
from game_server.audit.service import AuditRecord
from rewards.models import Merchant, MerchantAuditEntry


class MerchantAuditReader:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def __call__(self, where: AuditFilter) -> list[AuditRecord]:
        """The newest `where.limit` entries matching `where`, each with its merchant's slug
        and comune, newest first."""
        base = select(MerchantAuditEntry, Merchant.slug, Merchant.city).outerjoin(
            Merchant, Merchant.id == MerchantAuditEntry.merchant_id
        )
        stmt = filtered(base, where, MerchantAuditEntry.at, MerchantAuditEntry.actor)
        stmt = with_action(stmt, where.action, MerchantAuditEntry.action)
        if where.city is not None:
            stmt = stmt.where(Merchant.city == where.city)
        stmt = stmt.order_by(MerchantAuditEntry.at.desc(), MerchantAuditEntry.id.desc())
        rows = await self.session.execute(stmt.limit(where.limit))
        return [_record(entry, slug, city) for entry, slug, city in rows]


def _record(
    entry: MerchantAuditEntry, merchant_slug: str | None, merchant_city: str | None
) -> AuditRecord:
    detail = {
        "code": entry.code,
        "redemption_id": str(entry.redemption_id) if entry.redemption_id else None,
        "api_key_id": str(entry.api_key_id) if entry.api_key_id else None,
        "detail": entry.detail,
    }
    return AuditRecord(
        source="merchant",
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        role=None,
        action=entry.action,
        target=f"merchant:{merchant_slug}" if merchant_slug else None,
        status=entry.status,
        detail={k: v for k, v in detail.items() if v is not None} or None,
        city=merchant_city,
    )
