"""Issuing coupons inside the caller's unit of work (quest completion, badge award)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import TIMEZONE, CouponTemplate, LocalText
from game_server.kit.clock import utcnow
from rewards import codes
from rewards.repository import CouponRepository

_CODE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class IssuedCoupon:
    coupon_id: uuid.UUID
    code: str
    template_slug: str
    merchant_slug: str
    offer: LocalText
    issued_at: datetime
    expires_at: datetime | None
    hold_reason: str | None = None

    def event_data(self) -> dict[str, Any]:
        """The `data` of a `coupon.issued` event; a held coupon says why (docs/anti-cheat.md)."""
        data: dict[str, Any] = {
            "code": codes.display(self.code),
            "template": self.template_slug,
            "merchant": self.merchant_slug,
            "offer": {"it": self.offer.it, "en": self.offer.en},
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }
        if self.hold_reason is not None:
            data["state"] = "held"
            data["hold_reason"] = self.hold_reason
        return data


async def issue_coupon(
    session: AsyncSession,
    template: CouponTemplate,
    player_id: uuid.UUID,
    reason: str,
    *,
    now: datetime | None = None,
    hold_reason: str | None = None,
) -> IssuedCoupon | None:
    """Issue one coupon of `template` to the player for `reason`, inside the caller's
    transaction (never commits).

    `reason` names what earned it (`quest:<slug>:<completion-no>`, `badge:<slug>`): a given
    (player, template, reason) gets at most one coupon, ever. Returns None, having written
    nothing, when the reason was already paid or the total or per-player limit is reached.
    Safe under concurrency: the template's counter row is updated conditionally and stays
    locked until the caller commits. With `hold_reason` the coupon is issued `held`: the
    player sees it and why, a merchant cannot redeem it until a moderator releases it.
    """
    now = now or utcnow()
    coupons = CouponRepository(session)
    if not await coupons.lock_counter(template.slug, template.total_limit):
        return None
    reasons = await coupons.issued_to(player_id, template.slug)
    if reason in reasons or len(reasons) >= template.per_player_limit:
        await coupons.uncount(template.slug)
        return None
    expires_at = expiry(template, now)
    for _ in range(_CODE_ATTEMPTS):
        code = codes.new_code()
        row = _row(template, player_id, reason, code=code, now=now, expires_at=expires_at)
        if hold_reason is not None:
            row.update(state="held", hold_reason=hold_reason[:200])
        coupon_id = await coupons.insert(row)
        if coupon_id is not None:
            return IssuedCoupon(
                coupon_id,
                code,
                template.slug,
                template.merchant,
                template.offer,
                now,
                expires_at,
                hold_reason,
            )
    raise RuntimeError("could not draw a free coupon code")  # 31^8 codes: never in practice


def expiry(template: CouponTemplate, issued_at: datetime) -> datetime | None:
    """The earlier of `valid_days` after issue and the end of `valid_until` (Lecce time)."""
    candidates = []
    if template.valid_days is not None:
        candidates.append(issued_at + timedelta(days=template.valid_days))
    if template.valid_until is not None:
        day_after = template.valid_until + timedelta(days=1)
        local_end = datetime.combine(day_after, time(0), tzinfo=ZoneInfo(TIMEZONE))
        candidates.append(local_end.astimezone(UTC))
    return min(candidates, default=None)


def _row(
    template: CouponTemplate,
    player_id: uuid.UUID,
    reason: str,
    *,
    code: str,
    now: datetime,
    expires_at: datetime | None,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "code": code,
        "player_id": player_id,
        "template_slug": template.slug,
        "merchant_slug": template.merchant,
        "city": template.city,
        "offer_it": template.offer.it,
        "offer_en": template.offer.en,
        "terms_it": template.terms.it if template.terms else None,
        "terms_en": template.terms.en if template.terms else None,
        "reason": reason,
        "state": "issued",
        "issued_at": now,
        "expires_at": expires_at,
    }
