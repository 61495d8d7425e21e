"""`MerchantKey`: the merchant behind `Authorization: Bearer lpm_…`, and what it may do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, NoReturn

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.clock import utcnow
from game_server.kit.counters import Counters
from game_server.kit.deps import SessionDep
from game_server.kit.errors import Forbidden, NotAuthenticated
from rewards.deps import SettingsDep
from rewards.exceptions import InvalidApiKey, RateLimited
from rewards.merchants import KEY_PREFIX, hash_api_key
from rewards.models import MerchantAuditEntry
from rewards.repository import MerchantRepository, Shop
from rewards.settings import RewardsSettings

_WINDOW_S = 60
_bearer = HTTPBearer(
    auto_error=False, scheme_name="MerchantApiKey", description="merchant API key (lpm_…)"
)


@dataclass(frozen=True, slots=True)
class MerchantPrincipal:
    merchant: Shop
    api_key_id: uuid.UUID

    def audit(
        self,
        action: str,
        status: int,
        *,
        code: str | None = None,
        redemption_id: uuid.UUID | None = None,
        detail: str | None = None,
    ) -> MerchantAuditEntry:
        return MerchantAuditEntry(
            at=utcnow(),
            merchant_id=self.merchant.id,
            api_key_id=self.api_key_id,
            actor="merchant",
            action=action,
            status=status,
            code=code[:40] if code else None,
            redemption_id=redemption_id,
            detail=detail[:500] if detail else None,
        )


async def _merchant_key(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> MerchantPrincipal:
    if credentials is None or not credentials.credentials.startswith(KEY_PREFIX):
        raise InvalidApiKey("send the merchant API key as `Authorization: Bearer lpm_…`")
    found = await MerchantRepository(session).by_key_hash(
        hash_api_key(credentials.credentials), utcnow()
    )
    if found is None:
        raise InvalidApiKey("unknown, revoked or expired merchant API key")
    return MerchantPrincipal(merchant=found[0], api_key_id=found[1])


MerchantKey = Annotated[MerchantPrincipal, Depends(_merchant_key)]


async def refuse_on_admin_api(session: AsyncSession, raw: str) -> NoReturn:
    """A merchant API key sent to the admin API (`game_server.staff.auth` hands it over by its
    prefix, as the wiring registers): 401 when it is no working key, 403 when it is one."""
    found = await MerchantRepository(session).by_key_hash(hash_api_key(raw), utcnow())
    if found is None:
        raise NotAuthenticated("unknown, revoked or expired credentials")
    raise Forbidden("merchant API keys cannot use the admin API")


class MerchantLimits:
    """Fixed one-minute windows per shop (not per API key: a shop that rotates its key keeps
    one budget) in the shared backend, every worker counting; while Redis is away, in each
    worker (`game_server.kit.counters`): redemptions go on.

    Atomic under concurrency: each count is one INCR whose answer decides. A redemption takes
    a slot of the failure budget before it runs and gives it back when it succeeds, so 40
    concurrent wrong codes get at most `merchant_failed_redemptions_per_min` checked."""

    def __init__(self, backend: Counters, settings: RewardsSettings) -> None:
        self.backend = backend
        self.settings = settings

    async def count_lookup(self, merchant_id: uuid.UUID) -> None:
        key = f"rl:merchant:lookup:{merchant_id}"
        count = await self.backend.incr(key, ttl_s=_WINDOW_S)
        if count > self.settings.merchant_lookups_per_min:
            raise await self._refusal(key, "lookups")

    async def reserve_attempt(self, merchant_id: uuid.UUID) -> None:
        """Take a slot of the failure budget (429 when none is left); `refund` it on success."""
        key = f"rl:merchant:failed:{merchant_id}"
        count = await self.backend.incr(key, ttl_s=_WINDOW_S)
        if count > self.settings.merchant_failed_redemptions_per_min:
            refusal = await self._refusal(key, "failed redemptions")
            # Refused, the attempt checks nothing: it gives its slot back. Otherwise a burst
            # of concurrent redemptions at a busy till (each holding a slot while it runs)
            # locked the shop out for the rest of the minute, every retry counting as a failure.
            await self.refund(merchant_id)
            raise refusal

    async def refund(self, merchant_id: uuid.UUID) -> None:
        await self.backend.incr(f"rl:merchant:failed:{merchant_id}", -1, ttl_s=_WINDOW_S)

    async def _refusal(self, key: str, what: str) -> RateLimited:
        ttl = await self.backend.ttl(key)
        retry_after_s = max(1, round(ttl)) if ttl is not None else _WINDOW_S
        return RateLimited(
            f"too many {what} for this shop; retry in {retry_after_s} s",
            retry_after_s=retry_after_s,
        )


async def _limits(request: Request, settings: SettingsDep) -> MerchantLimits:
    return MerchantLimits(request.app.state.counters, settings)


Limits = Annotated[MerchantLimits, Depends(_limits)]
