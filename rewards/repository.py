"""All SQL about merchants, coupons and redemptions (idempotency has its own module)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Row,
    Table,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from content.model import DEFAULT_CITY
from game_server.kit.db import UTCDateTime, insert_or_ignore
from rewards.models import (
    Coupon,
    CouponTemplateCounter,
    Merchant,
    MerchantApiKey,
    MerchantAuditEntry,
    Redemption,
)


@dataclass(frozen=True, slots=True)
class SpentAt:
    redemption_id: uuid.UUID
    redeemed_at: datetime
    merchant_slug: str
    merchant_name: str


_AUDIT_COLUMNS = [c for c in MerchantAuditEntry.__table__.columns if c.key != "id"]

# The redemption path runs these on every request: Core statements built once (they keep
# their cache keys) and run on the session's connection, skipping the ORM's DML machinery.
_coupons = cast(Table, Coupon.__table__)
_merchants = cast(Table, Merchant.__table__)
_keys = cast(Table, MerchantApiKey.__table__)
_BY_KEY_HASH = (
    select(
        _merchants.c.id,
        _merchants.c.slug,
        _merchants.c.name,
        _merchants.c.city,
        _keys.c.id.label("key_id"),
    )
    .join_from(_keys, _merchants, _keys.c.merchant_id == _merchants.c.id)
    .where(
        _keys.c.key_hash == bindparam("k_hash"),
        or_(
            _keys.c.revoked_at.is_(None),
            _keys.c.revoked_at > bindparam("k_now", type_=UTCDateTime()),
        ),
    )
)
_ADD_AUDIT = insert(cast(Table, MerchantAuditEntry.__table__))
_ADD_REDEMPTION = insert(cast(Table, Redemption.__table__))
_TAKE = (
    update(_coupons)
    .where(
        _coupons.c.code == bindparam("t_code"),
        _coupons.c.state == "issued",
        _coupons.c.merchant_slug == bindparam("t_merchant"),
        _coupons.c.city == bindparam("t_city"),
        or_(
            _coupons.c.expires_at.is_(None),
            _coupons.c.expires_at > bindparam("t_now", type_=UTCDateTime()),
        ),
    )
    .values(state="redeemed")
    .returning(_coupons.c.id, _coupons.c.template_slug, _coupons.c.offer_it, _coupons.c.offer_en)
)
_redemptions = cast(Table, Redemption.__table__)
_RECORDED = ["id", "coupon_id", "merchant_id", "api_key_id", "reference", "redeemed_at"]
_RECORD_VALUES = {
    name: bindparam(f"r_{name}", type_=_redemptions.c[name].type)
    for name in _RECORDED
    if name != "coupon_id"
}
# PostgreSQL takes the coupon and records its redemption in one round trip: the INSERT reads
# the rows the UPDATE returned (none when the coupon could not be taken), then the taken
# coupon is selected. SQLite runs the two statements in turn.
_taken = _TAKE.cte("taken")
_TAKE_AND_RECORD = select(_taken).add_cte(
    insert(_redemptions)
    .from_select(
        _RECORDED,
        select(*(_taken.c.id if n == "coupon_id" else _RECORD_VALUES[n] for n in _RECORDED)),
    )
    .cte("recorded")
)
_RECORD = insert(_redemptions).values(
    {n: bindparam("t_coupon_id") if n == "coupon_id" else _RECORD_VALUES[n] for n in _RECORDED}
)


@dataclass(frozen=True, slots=True)
class Shop:
    """The merchant behind an API key, as much of it as the merchant API needs."""

    id: uuid.UUID
    slug: str
    name: str
    city: str = DEFAULT_CITY  # the shop's comune: it redeems only that comune's coupons


@dataclass(frozen=True, slots=True)
class NewRedemption:
    id: uuid.UUID
    merchant_id: uuid.UUID
    api_key_id: uuid.UUID | None
    reference: str | None


@dataclass(frozen=True, slots=True)
class TakenCoupon:
    id: uuid.UUID
    template_slug: str
    offer_it: str
    offer_en: str


class MerchantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_key_hash(self, key_hash: str, now: datetime) -> tuple[Shop, uuid.UUID] | None:
        """The shop of a working key, and the key's id."""
        params = {"k_hash": key_hash, "k_now": now}
        row = (await (await self.session.connection()).execute(_BY_KEY_HASH, params)).first()
        return (Shop(row.id, row.slug, row.name, row.city), row.key_id) if row else None

    async def by_slug(self, slug: str) -> Merchant | None:
        stmt = select(Merchant).where(Merchant.slug == slug)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def all(self) -> list[Merchant]:
        return list(
            (await self.session.execute(select(Merchant).order_by(Merchant.slug))).scalars()
        )

    async def add(self, merchant: Merchant) -> Merchant:
        self.session.add(merchant)
        await self.session.flush()
        return merchant

    async def add_key(self, key: MerchantApiKey) -> None:
        self.session.add(key)
        await self.session.flush()

    async def active_keys(self, merchant_id: uuid.UUID, now: datetime) -> list[MerchantApiKey]:
        stmt = (
            select(MerchantApiKey)
            .where(
                MerchantApiKey.merchant_id == merchant_id,
                or_(MerchantApiKey.revoked_at.is_(None), MerchantApiKey.revoked_at > now),
            )
            .order_by(MerchantApiKey.created_at)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def revoke_keys(
        self, merchant_id: uuid.UUID, at: datetime, *, except_id: uuid.UUID | None = None
    ) -> int:
        """Revoke every key still working after `at` (all of them, or all but one)."""
        stmt = (
            update(MerchantApiKey)
            .where(
                MerchantApiKey.merchant_id == merchant_id,
                or_(MerchantApiKey.revoked_at.is_(None), MerchantApiKey.revoked_at > at),
                MerchantApiKey.id != except_id if except_id else true(),
            )
            .values(revoked_at=at)
        )
        result = await self.session.execute(stmt)
        assert isinstance(result, CursorResult)
        return int(result.rowcount)

    async def audit(self, entry: MerchantAuditEntry) -> None:
        # A Core INSERT: the audit log is written on every request, the ORM flush costs more.
        values = {c.key: getattr(entry, c.key) for c in _AUDIT_COLUMNS}
        await (await self.session.connection()).execute(_ADD_AUDIT, values)

    async def audit_of(self, merchant_id: uuid.UUID, limit: int) -> list[MerchantAuditEntry]:
        stmt = (
            select(MerchantAuditEntry)
            .where(MerchantAuditEntry.merchant_id == merchant_id)
            .order_by(MerchantAuditEntry.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).scalars())


class CouponRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- issuance -------------------------------------------------------------------------

    async def lock_counter(self, template_slug: str, total_limit: int | None) -> bool:
        """Count one more coupon of the template unless its limit is reached. The row stays
        locked until the transaction ends, serialising the issuance of that template."""
        ensure = insert_or_ignore(
            self.session, CouponTemplateCounter, index_elements=["template_slug"]
        ).values(template_slug=template_slug, issued=0)
        await self.session.execute(ensure)
        below_limit = (
            CouponTemplateCounter.issued < total_limit if total_limit is not None else true()
        )
        stmt = (
            update(CouponTemplateCounter)
            .where(CouponTemplateCounter.template_slug == template_slug, below_limit)
            .values(issued=CouponTemplateCounter.issued + 1)
            .returning(CouponTemplateCounter.issued)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def uncount(self, template_slug: str) -> None:
        stmt = (
            update(CouponTemplateCounter)
            .where(CouponTemplateCounter.template_slug == template_slug)
            .values(issued=CouponTemplateCounter.issued - 1)
        )
        await self.session.execute(stmt)

    async def issued_to(self, player_id: uuid.UUID, template_slug: str) -> list[str]:
        """The reasons of the player's coupons of this template."""
        stmt = select(Coupon.reason).where(
            Coupon.player_id == player_id, Coupon.template_slug == template_slug
        )
        return list((await self.session.execute(stmt)).scalars())

    async def insert(self, values: dict[str, Any]) -> uuid.UUID | None:
        """None when a unique constraint refused the row (a code collision)."""
        stmt = insert_or_ignore(self.session, Coupon).values(**values).returning(Coupon.id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_player(self, player_id: uuid.UUID) -> list[Coupon]:
        stmt = select(Coupon).where(Coupon.player_id == player_id).order_by(Coupon.issued_at.desc())
        return list((await self.session.execute(stmt)).scalars())

    async def of_player_by_code(self, player_id: uuid.UUID, code: str) -> Coupon | None:
        stmt = select(Coupon).where(Coupon.player_id == player_id, Coupon.code == code)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # --- redemption -----------------------------------------------------------------------

    async def by_code(self, code: str) -> Coupon | None:
        return (await self.session.execute(select(Coupon).where(Coupon.code == code))).scalar()

    async def take(
        self,
        code: str,
        merchant_slug: str,
        now: datetime,
        redemption: NewRedemption,
        city: str = DEFAULT_CITY,
    ) -> TakenCoupon | None:
        """Atomically mark a redeemable coupon redeemed and record its redemption: the database
        decides who wins. None when the coupon could not be taken (nothing is recorded)."""
        connection = await self.session.connection()
        params = {
            "t_code": code,
            "t_merchant": merchant_slug,
            "t_city": city,
            "t_now": now,
            "r_id": redemption.id,
            "r_merchant_id": redemption.merchant_id,
            "r_api_key_id": redemption.api_key_id,
            "r_reference": redemption.reference,
            "r_redeemed_at": now,
        }
        if connection.dialect.name == "postgresql":
            row = (await connection.execute(_TAKE_AND_RECORD, params)).one_or_none()
            return TakenCoupon(*row) if row else None
        row = (await connection.execute(_TAKE, params)).one_or_none()
        if row is None:
            return None
        await connection.execute(_RECORD, {**params, "t_coupon_id": row.id})
        return TakenCoupon(*row)

    async def give_back(self, coupon_id: uuid.UUID) -> None:
        stmt = update(Coupon).where(Coupon.id == coupon_id).values(state="issued")
        await self.session.execute(stmt)

    async def spent_at(self, coupon_id: uuid.UUID) -> SpentAt | None:
        stmt = (
            select(Redemption.id, Redemption.redeemed_at, Merchant.slug, Merchant.name)
            .join(Merchant, Merchant.id == Redemption.merchant_id)
            .where(Redemption.coupon_id == coupon_id, Redemption.voided_at.is_(None))
        )
        row = (await self.session.execute(stmt)).one_or_none()
        return SpentAt(*row) if row else None

    async def redemption(self, redemption_id: uuid.UUID) -> tuple[Redemption, Coupon] | None:
        stmt = (
            select(Redemption, Coupon)
            .join(Coupon, Coupon.id == Redemption.coupon_id)
            .where(Redemption.id == redemption_id)
        )
        row = (await self.session.execute(stmt)).one_or_none()
        return (row[0], row[1]) if row else None

    async def void(self, redemption_id: uuid.UUID, not_before: datetime, now: datetime) -> bool:
        stmt = (
            update(Redemption)
            .where(
                Redemption.id == redemption_id,
                Redemption.voided_at.is_(None),
                Redemption.redeemed_at >= not_before,
            )
            .values(voided_at=now)
        )
        result = await self.session.execute(stmt)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    @staticmethod
    def _period(
        merchant_id: uuid.UUID, since: datetime | None, until: datetime | None
    ) -> list[ColumnElement[bool]]:
        conditions = [Redemption.merchant_id == merchant_id]
        if since is not None:
            conditions.append(Redemption.redeemed_at >= since)
        if until is not None:
            conditions.append(Redemption.redeemed_at < until)
        return conditions

    async def history(
        self,
        merchant_id: uuid.UUID,
        since: datetime | None,
        until: datetime | None,
        *,
        limit: int,
        offset: int = 0,
    ) -> list[tuple[Redemption, Coupon]]:
        stmt = (
            select(Redemption, Coupon)
            .join(Coupon, Coupon.id == Redemption.coupon_id)
            .where(*self._period(merchant_id, since, until))
            .order_by(Redemption.redeemed_at, Redemption.id)
            .limit(limit)
            .offset(offset)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]

    async def totals(
        self, merchant_id: uuid.UUID, since: datetime | None, until: datetime | None
    ) -> list[Row[Any]]:
        voided = func.sum(case((Redemption.voided_at.is_not(None), 1), else_=0))
        stmt = (
            select(
                Coupon.template_slug,
                Coupon.offer_it,
                Coupon.offer_en,
                (func.count() - voided).label("redeemed"),
                voided.label("voided"),
            )
            .join(Coupon, Coupon.id == Redemption.coupon_id)
            .where(*self._period(merchant_id, since, until))
            .group_by(Coupon.template_slug, Coupon.offer_it, Coupon.offer_en)
            .order_by(Coupon.template_slug)
        )
        return list(await self.session.execute(stmt))
