"""The redemption use case: a till redeems a coupon exactly once per Idempotency-Key.

One unit of work (the caller's): the key's claim, the redemption, the stored response and the
merchant's audit entry commit together; a refusal before the claim keeps its audit entry (its
error is committed, then raised). The endpoint only renders what this returns.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.clock import utcnow
from game_server.kit.errors import DomainError, problem
from rewards import codes
from rewards.auth import MerchantLimits, MerchantPrincipal
from rewards.exceptions import RedemptionVoided
from rewards.idempotency import IdempotencyStore, Replay, fingerprint, valid_key
from rewards.repository import CouponRepository, MerchantRepository
from rewards.service import RedemptionService
from rewards.settings import RewardsSettings


@dataclass(frozen=True, slots=True)
class Redeemed:
    """What to answer: the stored (or just made) response, and whether it is a replay."""

    outcome: Replay
    replayed: bool
    redemption_id: uuid.UUID | None = None


class Redemptions:
    def __init__(
        self, session: AsyncSession, settings: RewardsSettings, limits: MerchantLimits
    ) -> None:
        self.session = session
        self.limits = limits
        self.keys = IdempotencyStore(session, settings)
        self.coupons = RedemptionService(CouponRepository(session), settings)
        self.audit_log = MerchantRepository(session)

    async def redeem(
        self,
        principal: MerchantPrincipal,
        text: str,
        reference: str | None,
        idempotency_key: str | None,
    ) -> Redeemed:
        code = codes.squeeze(text)
        try:
            key = valid_key(idempotency_key)
            await self.limits.reserve_attempt(principal.merchant.id)
            print_ = fingerprint({"code": code, "reference": reference})
            claim = await self.keys.claim(principal.merchant.id, key, print_, utcnow())
        except DomainError as exc:
            entry = principal.audit("redeem", exc.status, code=code, detail=exc.detail)
            await self.audit_log.audit(entry)
            exc.commit = True  # the refusal keeps its audit entry
            raise
        if isinstance(claim, Replay):
            await self.limits.refund(principal.merchant.id)  # a replay is not an attempt
            replay = await self._as_it_stands(claim, principal)
            entry = principal.audit("redeem", replay.status, code=code, detail="replayed")
            await self.audit_log.audit(entry)
            return Redeemed(replay, replayed=True)
        return await self._execute(claim, principal, text, reference)

    async def _as_it_stands(self, stored: Replay, principal: MerchantPrincipal) -> Replay:
        """A stored 201 replays only while its redemption stands: once voided, a retry with
        the same key answers 409 `redemption-voided` (the coupon can be redeemed again, with a
        new key), never a 201 that a till reads as "give the offer"."""
        if stored.status != 201:
            return stored
        redemption_id = uuid.UUID(orjson.loads(stored.body)["id"])
        current = await self.coupons.get(principal.merchant, redemption_id)
        if current.voided_at is None:
            return stored
        refusal = RedemptionVoided(
            "this redemption was voided; do not give the offer for it. The coupon can be "
            "redeemed again with a new Idempotency-Key",
            redemption_id=str(redemption_id),
            voided_at=current.voided_at.isoformat(),
        )
        return _rendered(refusal)

    async def _execute(
        self, claim: uuid.UUID, principal: MerchantPrincipal, text: str, reference: str | None
    ) -> Redeemed:
        redemption_id = None
        try:
            read = await self.coupons.redeem(
                principal.merchant, principal.api_key_id, text, reference, utcnow()
            )
            outcome = Replay(201, read.model_dump_json().encode())
            redemption_id, detail = read.id, None
            await self.limits.refund(principal.merchant.id)
        except DomainError as exc:
            outcome, detail = _rendered(exc), exc.detail  # the slot taken stays taken
        await self.keys.complete(claim, outcome.status, outcome.body)
        entry = principal.audit(
            "redeem", outcome.status, code=text, redemption_id=redemption_id, detail=detail
        )
        await self.audit_log.audit(entry)
        return Redeemed(outcome, replayed=False, redemption_id=redemption_id)


def _rendered(exc: DomainError) -> Replay:
    rendered = problem(exc.status, exc.detail, slug=exc.slug, **exc.extra)
    return Replay(exc.status, bytes(rendered.body))
