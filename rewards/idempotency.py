"""`Idempotency-Key` for redemptions: one execution per (merchant, key), its response replayed.

A key is claimed in its own short transaction, committed before the work starts, so that a
duplicate arriving meanwhile sees it in flight (409) instead of doing the work twice. The
response is stored in the same transaction as the redemption itself: either both happen or
neither. A worker that dies mid-flight leaves a claim whose lease expires; a retry then takes
the key over. Records are kept `idempotency_ttl_s` (24 h); an older key counts as new.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.settings import Settings
from rewards.exceptions import IdempotencyKeyMissing, IdempotencyKeyReused, RequestInFlight
from rewards.models import IdempotencyRecord
from rewards.repository import insert_for

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: bytes


def valid_key(header: str | None) -> str:
    if not header:
        raise IdempotencyKeyMissing(
            "send an `Idempotency-Key` header (e.g. a UUID per sale) with every redemption"
        )
    if len(header) > MAX_KEY_LENGTH or not header.isascii() or not header.isprintable():
        raise IdempotencyKeyMissing(
            f"the `Idempotency-Key` must be 1 to {MAX_KEY_LENGTH} printable ASCII characters"
        )
    return header


def fingerprint(payload: object) -> str:
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


class IdempotencyStore:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.ttl = timedelta(seconds=settings.idempotency_ttl_s)
        self.lease = timedelta(seconds=settings.idempotency_lease_s)

    async def claim(
        self, merchant_id: uuid.UUID, key: str, print_: str, now: datetime
    ) -> uuid.UUID | Replay:
        """The id of a fresh claim, or the stored response to replay. Raises 422 / 409."""
        inserted = await self.session.execute(
            insert_for(self.session, IdempotencyRecord)
            .values(
                id=uuid.uuid4(),
                merchant_id=merchant_id,
                key=key,
                fingerprint=print_,
                created_at=now,
                lease_expires_at=now + self.lease,
            )
            .on_conflict_do_nothing(index_elements=["merchant_id", "key"])
            .returning(IdempotencyRecord.id)
        )
        record_id: uuid.UUID | None = inserted.scalar_one_or_none()
        if record_id is not None:
            return record_id
        if (taken := await self._take_over(merchant_id, key, print_, now)) is not None:
            return taken
        return await self._existing(merchant_id, key, print_)

    async def _take_over(
        self, merchant_id: uuid.UUID, key: str, print_: str, now: datetime
    ) -> uuid.UUID | None:
        """Reuse a record past its retention, or a claim whose worker died (lease expired)."""
        stale = or_(
            IdempotencyRecord.created_at < now - self.ttl,
            (IdempotencyRecord.response_status.is_(None))
            & (IdempotencyRecord.lease_expires_at < now)
            & (IdempotencyRecord.fingerprint == print_),
        )
        stmt = (
            update(IdempotencyRecord)
            .where(IdempotencyRecord.merchant_id == merchant_id, IdempotencyRecord.key == key)
            .where(stale)
            .values(
                fingerprint=print_,
                created_at=now,
                lease_expires_at=now + self.lease,
                response_status=None,
                response_body=None,
            )
            .returning(IdempotencyRecord.id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def _existing(self, merchant_id: uuid.UUID, key: str, print_: str) -> Replay:
        stmt = select(IdempotencyRecord).where(
            IdempotencyRecord.merchant_id == merchant_id, IdempotencyRecord.key == key
        )
        record = (await self.session.execute(stmt)).scalar_one()
        if record.fingerprint != print_:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with another request body; "
                "use a new key for a new redemption"
            )
        if record.response_status is None or record.response_body is None:
            raise RequestInFlight(
                "a request with this Idempotency-Key is still being processed; retry shortly"
            )
        return Replay(record.response_status, record.response_body)

    async def complete(self, record_id: uuid.UUID, status: int, body: bytes) -> None:
        stmt = (
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == record_id)
            .values(response_status=status, response_body=body, lease_expires_at=None)
        )
        await self.session.execute(stmt)

    async def release(self, record_id: uuid.UUID) -> None:
        """Forget a claim whose work failed unexpectedly, so that a retry can run at once."""
        stmt = delete(IdempotencyRecord).where(
            IdempotencyRecord.id == record_id, IdempotencyRecord.response_status.is_(None)
        )
        await self.session.execute(stmt)

    async def purge(self, now: datetime) -> int:
        stmt = delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - self.ttl)
        result = await self.session.execute(stmt)
        assert isinstance(result, CursorResult)
        return int(result.rowcount)
