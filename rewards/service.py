"""What a merchant's till can do with a coupon: check, redeem, void, reconcile.

Never commits: the unit of work does. Double redemption is impossible in the database: the
coupon moves from `issued` to `redeemed` by one conditional UPDATE that only one transaction
can win, and a partial unique index allows one live redemption per coupon.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from rewards import codes
from rewards.exceptions import (
    CouponExpired,
    CouponHeld,
    CouponSpent,
    ForeignCoupon,
    ForeignRedemption,
    UnknownCoupon,
    UnknownRedemption,
    VoidWindowClosed,
)
from rewards.models import Coupon, Redemption
from rewards.repository import CouponRepository, NewRedemption, Shop
from rewards.schemas import (
    CouponCheck,
    MerchantRef,
    Offer,
    RedemptionRead,
    TemplateTotal,
    Totals,
)
from rewards.settings import RewardsSettings


def iso(moment: datetime) -> str:
    """As the JSON responses write it (UTC with `Z`)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_code(text: str) -> str:
    try:
        return codes.normalize(text)
    except codes.InvalidCode as exc:
        raise UnknownCoupon(f"no such coupon: {exc}", reason="malformed") from exc


class RedemptionService:
    def __init__(self, coupons: CouponRepository, settings: RewardsSettings) -> None:
        self.coupons = coupons
        self.void_window = timedelta(seconds=settings.redemption_void_window_s)

    async def check(self, merchant: Shop, text: str, now: datetime) -> CouponCheck:
        coupon = await self._coupon_of(merchant, parse_code(text))
        check = CouponCheck(
            code=codes.display(coupon.code),
            redeemable=False,
            state="redeemable",
            template=coupon.template_slug,
            offer=Offer(it=coupon.offer_it, en=coupon.offer_en),
            terms=_terms(coupon),
            issued_at=coupon.issued_at,
            expires_at=coupon.expires_at if coupon.expires_at else None,
        )
        if coupon.state == "redeemed":
            spent = await self.coupons.spent_at(coupon.id)
            return check.model_copy(
                update={
                    "state": "redeemed",
                    "redeemed_at": spent.redeemed_at if spent else None,
                    "redemption_id": spent.redemption_id if spent else None,
                }
            )
        if check.expires_at is not None and check.expires_at <= now:
            return check.model_copy(update={"state": "expired"})
        if coupon.state in ("held", "refused"):
            return check.model_copy(update={"state": coupon.state})
        return check.model_copy(update={"redeemable": True})

    async def redeem(
        self,
        merchant: Shop,
        api_key_id: uuid.UUID,
        text: str,
        reference: str | None,
        now: datetime,
    ) -> RedemptionRead:
        code = parse_code(text)
        redemption_id = uuid.uuid4()
        redemption = NewRedemption(redemption_id, merchant.id, api_key_id, reference)
        taken = await self.coupons.take(code, merchant.slug, now, redemption, merchant.city)
        if taken is None:
            raise await self._refusal(merchant, code, now)
        return RedemptionRead(
            id=redemption_id,
            code=codes.display(code),
            template=taken.template_slug,
            offer=Offer(it=taken.offer_it, en=taken.offer_en),
            merchant=MerchantRef(slug=merchant.slug, name=merchant.name),
            reference=reference,
            redeemed_at=now,
            voided_at=None,
            void_until=now + self.void_window,
        )

    async def _refusal(self, merchant: Shop, code: str, now: datetime) -> Exception:
        """Why a coupon could not be taken: unknown, elsewhere, spent or expired."""
        coupon = await self._coupon_of(merchant, code)
        if coupon.state == "redeemed":
            spent = await self.coupons.spent_at(coupon.id)
            if spent is not None:
                return CouponSpent(
                    f"coupon already redeemed on {iso(spent.redeemed_at)} at {spent.merchant_name}",
                    redeemed_at=iso(spent.redeemed_at),
                    merchant={"slug": spent.merchant_slug, "name": spent.merchant_name},
                    redemption_id=str(spent.redemption_id),
                )
            return CouponSpent("coupon already redeemed")
        expires_at = coupon.expires_at if coupon.expires_at else None
        if expires_at is not None and expires_at <= now:
            return CouponExpired(f"coupon expired on {iso(expires_at)}", expired_at=iso(expires_at))
        if coupon.state == "held":
            return CouponHeld("coupon held for a moderator's check; not redeemable yet")
        if coupon.state == "refused":
            return CouponHeld("coupon refused by a moderator")
        return CouponSpent("coupon changed while redeeming it; check it again")

    async def _coupon_of(self, merchant: Shop, code: str) -> Coupon:
        coupon = await self.coupons.by_code(code)
        if coupon is None:
            raise UnknownCoupon("no such coupon", reason="unknown")
        if coupon.city != merchant.city:
            raise ForeignCoupon("this coupon belongs to another comune's shop")
        if coupon.merchant_slug != merchant.slug:
            raise ForeignCoupon("this coupon belongs to another shop")
        return coupon

    async def get(self, merchant: Shop, redemption_id: uuid.UUID) -> RedemptionRead:
        found = await self.coupons.redemption(redemption_id)
        if found is None:
            raise UnknownRedemption("no such redemption")
        redemption, coupon = found
        if redemption.merchant_id != merchant.id:
            raise ForeignRedemption("this redemption belongs to another shop")
        return self._read(merchant, redemption, coupon)

    async def void(self, merchant: Shop, redemption_id: uuid.UUID, now: datetime) -> RedemptionRead:
        """Undo a redemption within the window; the coupon can be redeemed again. Voiding a
        voided redemption changes nothing and answers the same."""
        current = await self.get(merchant, redemption_id)
        if current.voided_at is not None:
            return current
        if not await self.coupons.void(redemption_id, now - self.void_window, now):
            again = await self.get(merchant, redemption_id)
            if again.voided_at is not None:  # a concurrent void won: same outcome
                return again
            raise VoidWindowClosed(
                f"a redemption can be voided for {int(self.void_window.total_seconds())} s; "
                f"this one could until {iso(current.void_until)}",
                void_until=iso(current.void_until),
            )
        found = await self.coupons.redemption(redemption_id)
        assert found is not None
        await self.coupons.give_back(found[1].id)
        return current.model_copy(update={"voided_at": now})

    async def history(
        self,
        merchant: Shop,
        since: datetime | None,
        until: datetime | None,
        *,
        limit: int,
        offset: int = 0,
    ) -> list[RedemptionRead]:
        rows = await self.coupons.history(merchant.id, since, until, limit=limit, offset=offset)
        return [self._read(merchant, redemption, coupon) for redemption, coupon in rows]

    async def totals(
        self, merchant: Shop, since: datetime | None, until: datetime | None
    ) -> Totals:
        rows = await self.coupons.totals(merchant.id, since, until)
        by_template = [
            TemplateTotal(
                template=row.template_slug,
                offer=Offer(it=row.offer_it, en=row.offer_en),
                redeemed=int(row.redeemed),
                voided=int(row.voided),
            )
            for row in rows
        ]
        return Totals(
            merchant=MerchantRef(slug=merchant.slug, name=merchant.name),
            from_=since,
            to=until,
            redeemed=sum(t.redeemed for t in by_template),
            voided=sum(t.voided for t in by_template),
            by_template=by_template,
        )

    def _read(self, merchant: Shop, redemption: Redemption, coupon: Coupon) -> RedemptionRead:
        redeemed_at = redemption.redeemed_at
        return RedemptionRead(
            id=redemption.id,
            code=codes.display(coupon.code),
            template=coupon.template_slug,
            offer=Offer(it=coupon.offer_it, en=coupon.offer_en),
            merchant=MerchantRef(slug=merchant.slug, name=merchant.name),
            reference=redemption.reference,
            redeemed_at=redeemed_at,
            voided_at=redemption.voided_at if redemption.voided_at else None,
            void_until=redeemed_at + self.void_window,
        )


def _terms(coupon: Coupon) -> Offer | None:
    if coupon.terms_it is None or coupon.terms_en is None:
        return None
    return Offer(it=coupon.terms_it, en=coupon.terms_en)
