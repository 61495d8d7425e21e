"""Recording staff actions, and reading every staff and merchant action as one stream.

Entries are appended in the transaction of the action they record: the action and its entry
commit together or not at all. Merchant actions stay in rewards' `merchant_audit_log` (written
on the redemption hot path) and rewards reads them (`rewards/audit.py`): rewards sits above
this domain, so the caller hands its reader to `search`. Reads merge both logs, newest first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from game_server.audit.actors import Actor
from game_server.audit.models import AuditEntry
from game_server.audit.repository import AuditFilter, AuditRepository
from game_server.kit.clock import utcnow

Source = Literal["staff", "merchant"]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    source: Source
    id: int
    at: datetime
    actor: str
    role: str | None
    action: str
    target: str | None
    status: int
    detail: dict[str, Any] | None
    city: str | None = None
    client_ip: str | None = None


# The newest `where.limit` merchant records matching `where`, newest first (rewards reads them).
MerchantRecords = Callable[[AuditFilter], Awaitable[list[AuditRecord]]]


class AuditLog:
    def __init__(self, repository: AuditRepository) -> None:
        self.entries = repository

    async def record(
        self,
        actor: Actor,
        action: str,
        *,
        status: int = 200,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
        city: str | None = None,
    ) -> None:
        """Append an entry; `city` names the comune the action concerned, if any."""
        await self.entries.append(
            AuditEntry(
                at=utcnow(),
                actor=actor.name,
                role=actor.role,
                action=action,
                target=target,
                status=status,
                detail=detail,
                client_ip=actor.client_ip,
                city=city,
            )
        )

    async def search(
        self,
        where: AuditFilter,
        merchant_records: MerchantRecords,
        sources: frozenset[Source] = frozenset({"staff", "merchant"}),
    ) -> list[AuditRecord]:
        """The newest `where.limit` records of the chosen logs, newest first."""
        records: list[AuditRecord] = []
        if "staff" in sources:
            records += [_staff_record(e) for e in await self.entries.staff_entries(where)]
        if "merchant" in sources:
            records += await merchant_records(where)
        # Each list holds its own newest `limit`, so the merged top `limit` is exact.
        records.sort(key=lambda r: (r.at, r.source == "staff", r.id), reverse=True)
        return records[: where.limit]


def _staff_record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        source="staff",
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        role=entry.role,
        action=entry.action,
        target=entry.target,
        status=entry.status,
        detail=entry.detail,
        city=entry.city,
        client_ip=entry.client_ip,
    )
