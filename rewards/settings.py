"""The merchant API's settings (rewards/), read from `LUPIAE_*` like the kernel's."""

from __future__ import annotations

from pydantic import Field

from game_server.kit.settings import KernelSettings


class RewardsSettings(KernelSettings):
    # Brute-force limits per API key, the window in which a redemption may be voided, and how
    # long an idempotency key's stored answer is kept (and an attempt in flight holds it).
    merchant_lookups_per_min: int = Field(default=60, ge=1)
    merchant_failed_redemptions_per_min: int = Field(default=10, ge=1)
    redemption_void_window_s: int = Field(default=600, ge=0)
    idempotency_ttl_s: int = Field(default=86_400, ge=60)
    idempotency_lease_s: float = Field(default=30.0, gt=0)
