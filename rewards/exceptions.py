"""What can go wrong with coupons and merchants, as problems a till can act on."""

from __future__ import annotations

from game_server.kit.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    Unprocessable,
)


class InvalidApiKey(NotAuthenticated):
    slug = "merchant-key-invalid"


class UnknownCoupon(NotFound):
    slug = "coupon-unknown"


class ForeignCoupon(Forbidden):
    slug = "coupon-other-merchant"


class CouponSpent(Conflict):
    slug = "coupon-spent"


class CouponHeld(Conflict):
    """Held by anti-cheat until a moderator releases it, or refused (docs/anti-cheat.md)."""

    slug = "coupon-held"


class CouponExpired(Gone):
    slug = "coupon-expired"


class UnknownRedemption(NotFound):
    slug = "redemption-unknown"


class ForeignRedemption(Forbidden):
    slug = "redemption-other-merchant"


class VoidWindowClosed(Conflict):
    slug = "void-window-closed"


class RedemptionVoided(Conflict):
    """A retry of a redemption that was voided since: do not give the offer for it."""

    slug = "redemption-voided"


class IdempotencyKeyMissing(DomainError):
    status = 400
    slug = "idempotency-key-missing"


class IdempotencyKeyReused(Unprocessable):
    slug = "idempotency-key-reused"


class RequestInFlight(Conflict):
    slug = "idempotency-in-flight"


class RateLimited(TooManyRequests):
    """Rendered with a `Retry-After` header. Committed: the audit entry of the refusal stays."""

    slug = "rate-limited"
    commit = True

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


class UnknownMerchant(NotFound):
    slug = "merchant-unknown"


class MerchantExists(Conflict):
    slug = "merchant-exists"


class OutsideDistrict(Unprocessable):
    slug = "merchant-outside-district"


class NoDistrict(Unprocessable):
    slug = "district-unknown"
