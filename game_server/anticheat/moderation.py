"""Moderators' decisions on held coupons: release (redeemable) or refuse (never)."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.errors import Conflict, NotFound
from rewards import codes
from rewards.models import Coupon
from rewards.repository import CouponRepository


class CouponNotHeld(Conflict):
    slug = "coupon-not-held"


async def held_of(session: AsyncSession, player_id: uuid.UUID) -> list[Coupon]:
    stmt = (
        select(Coupon)
        .where(Coupon.player_id == player_id, Coupon.state.in_(("held", "refused")))
        .order_by(Coupon.issued_at.desc())
    )
    return list((await session.scalars(stmt)).all())


async def decide(session: AsyncSession, text: str, *, release: bool, note: str) -> Coupon:
    """Release or refuse a held coupon (never commits). 404 unknown, 409 not held."""
    try:
        code = codes.normalize(text)
    except codes.InvalidCode as exc:
        raise NotFound(f"no such coupon: {exc}") from exc
    coupon = await session.scalar(select(Coupon).where(Coupon.code == code))
    if coupon is None:
        raise NotFound("no such coupon")
    values = (
        {"state": "issued", "hold_reason": None}
        if release
        else {"state": "refused", "hold_reason": f"refused by a moderator: {note}"[:200]}
    )
    stmt = (
        update(Coupon)
        .where(Coupon.id == coupon.id, Coupon.state == "held")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(stmt)).rowcount != 1:  # type: ignore[attr-defined]
        raise CouponNotHeld(f"coupon is {coupon.state}, not held")
    if not release:
        await CouponRepository(session).uncount(coupon.template_slug)  # frees the total limit
    await session.refresh(coupon)
    return coupon
