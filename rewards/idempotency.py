"""`Idempotency-Key` for redemptions: one execution per (merchant, key), its response replayed.

The key is claimed in the redemption's own transaction, and the response is stored in that
same transaction: claim, redemption and stored response all commit or none does. A worker that
dies mid-flight leaves nothing behind, and a retry runs at once.

A duplicate arriving while the first attempt is in flight must answer 409 at once rather than
wait for it. On PostgreSQL the claimer holds a transaction-scoped advisory lock on the key, so
a duplicate that cannot take the lock knows the key is in flight even though the claim is not
yet visible to it. SQLite serialises writers: a duplicate waits at its INSERT and then finds
the stored response. Claims committed without a response (a worker that died between two
transactions before this scheme, or a test) still expire after `idempotency_lease_s`.
Records are kept `idempotency_ttl_s` (24 h); an older key counts as new.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from game_server.kit.db import UTCDateTime
from rewards.exceptions import IdempotencyKeyMissing, IdempotencyKeyReused, RequestInFlight
from rewards.models import IdempotencyRecord
from rewards.settings import RewardsSettings

MAX_KEY_LENGTH = 255

_records = cast(Table, IdempotencyRecord.__table__)
_c = _records.c

# Built once: a reused statement object keeps its cache key, and its compiled form is cached.
_MOMENT = UTCDateTime()
_LOCK = select(func.pg_try_advisory_xact_lock(bindparam("lock_id")))
_CLAIMED = ["id", "merchant_id", "key", "fingerprint", "created_at", "lease_expires_at"]
_CLAIM_VALUES = {name: bindparam(f"c_{name}", type_=_c[name].type) for name in _CLAIMED}
# PostgreSQL: the row is inserted only if this transaction gets the key's advisory lock (one
# round trip for both; the one-row SELECT's filter runs once). SQLite: a plain INSERT.
_CLAIM = {
    "postgresql": postgresql.insert(_records)
    .from_select(_CLAIMED, select(*_CLAIM_VALUES.values()).where(_LOCK.selected_columns[0]))
    .on_conflict_do_nothing(index_elements=["merchant_id", "key"])
    .returning(_c.id),
    "sqlite": sqlite.insert(_records)
    .values(_CLAIM_VALUES)
    .on_conflict_do_nothing(index_elements=["merchant_id", "key"])
    .returning(_c.id),
}
_EXISTING = select(_c.fingerprint, _c.created_at, _c.response_status, _c.response_body).where(
    _c.merchant_id == bindparam("m_id"), _c.key == bindparam("m_key")
)
_TAKE_OVER = (
    update(_records)
    .where(_c.merchant_id == bindparam("m_id"), _c.key == bindparam("m_key"))
    .where(
        or_(
            _c.created_at < bindparam("retained_since", type_=_MOMENT),
            _c.response_status.is_(None)
            & (_c.lease_expires_at < bindparam("now", type_=_MOMENT))
            & (_c.fingerprint == bindparam("print_")),
        )
    )
    .values(
        fingerprint=bindparam("print_"),
        created_at=bindparam("now", type_=_MOMENT),
        lease_expires_at=bindparam("lease_until", type_=_MOMENT),
        response_status=None,
        response_body=None,
    )
    .returning(_c.id)
)
_COMPLETE = (
    update(_records)
    .where(_c.id == bindparam("record_id"))
    .values(
        response_status=bindparam("status", type_=_c.response_status.type),
        response_body=bindparam("body", type_=_c.response_body.type),
        lease_expires_at=None,
    )
)


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


def lock_id(merchant_id: uuid.UUID, key: str) -> int:
    """The advisory lock of one key: 64 bits of a hash (a collision only costs a 409)."""
    digest = hashlib.blake2b(merchant_id.bytes + key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class IdempotencyStore:
    def __init__(self, session: AsyncSession, settings: RewardsSettings) -> None:
        self.session = session
        self.ttl = timedelta(seconds=settings.idempotency_ttl_s)
        self.lease = timedelta(seconds=settings.idempotency_lease_s)

    async def claim(
        self, merchant_id: uuid.UUID, key: str, print_: str, now: datetime
    ) -> uuid.UUID | Replay:
        """The id of a claim taken in the session's transaction, or the stored response to
        replay. Raises 422 (another body) or 409 (in flight)."""
        connection = await self.session.connection()
        which = {"m_id": merchant_id, "m_key": key}
        record_id = uuid.uuid4()
        values = {
            "c_id": record_id,
            "c_merchant_id": merchant_id,
            "c_key": key,
            "c_fingerprint": print_,
            "c_created_at": now,
            "c_lease_expires_at": now + self.lease,
            "lock_id": lock_id(merchant_id, key),
        }
        inserted = await connection.execute(_CLAIM[connection.dialect.name], values)
        if inserted.scalar_one_or_none() is not None:
            return record_id
        # Not inserted: the key exists, or (PostgreSQL) another transaction holds its lock.
        # Asking again is safe: a lock this transaction already holds is granted again.
        if not await self._lock(connection, merchant_id, key):
            return await self._existing(connection, which, print_, now)
        if (taken := await self._take_over(connection, which, print_, now)) is not None:
            return taken
        return await self._existing(connection, which, print_, now)

    @staticmethod
    async def _lock(connection: AsyncConnection, merchant_id: uuid.UUID, key: str) -> bool:
        if connection.dialect.name != "postgresql":
            return True  # SQLite: the claim's INSERT waited for the database's one writer
        locked = await connection.scalar(_LOCK, {"lock_id": lock_id(merchant_id, key)})
        return bool(locked)

    async def _take_over(
        self, connection: AsyncConnection, which: dict[str, Any], print_: str, now: datetime
    ) -> uuid.UUID | None:
        """Reuse a record past its retention, or a claim whose worker died (lease expired)."""
        params = {
            **which,
            "retained_since": now - self.ttl,
            "now": now,
            "print_": print_,
            "lease_until": now + self.lease,
        }
        taken: uuid.UUID | None = (await connection.execute(_TAKE_OVER, params)).scalar()
        return taken

    async def _existing(
        self, connection: AsyncConnection, which: dict[str, Any], print_: str, now: datetime
    ) -> Replay:
        record = (await connection.execute(_EXISTING, which)).one_or_none()
        in_flight = RequestInFlight(
            "a request with this Idempotency-Key is still being processed; retry shortly"
        )
        if record is None or record.created_at < now - self.ttl:
            raise in_flight  # claimed (or being taken over) by a transaction not yet committed
        if record.fingerprint != print_:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with another request body; "
                "use a new key for a new redemption"
            )
        if record.response_status is None or record.response_body is None:
            raise in_flight
        return Replay(record.response_status, record.response_body)

    async def complete(self, record_id: uuid.UUID, status: int, body: bytes) -> None:
        connection = await self.session.connection()
        await connection.execute(
            _COMPLETE, {"record_id": record_id, "status": status, "body": body}
        )

    async def purge(self, now: datetime) -> int:
        stmt = delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - self.ttl)
        result = await self.session.execute(stmt)
        assert isinstance(result, CursorResult)
        return int(result.rowcount)
