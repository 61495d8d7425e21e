"""Anti-cheat's settings (docs/anti-cheat.md), and the geo engine's thresholds it paces by."""

from __future__ import annotations

from dataclasses import fields
from typing import Literal, Self

from pydantic import Field, model_validator

from game_server.kit.settings import KernelSettings
from geo import GeoSettings


class GeoThresholdSettings(KernelSettings):
    """The geo engine's thresholds (geo.GeoSettings), e.g. LUPIAE_GEO__MAX_ACCURACY_M=50.

    Bound here, at the lowest domain that reads them (anti-cheat paces a quest's steps by
    `dwell_s`); the gateway judges every fix with all of them through the app's settings.
    """

    geo: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_geo(self) -> Self:
        self.geo_settings()  # refuse unknown or out-of-range geo thresholds at start
        return self

    def geo_settings(self) -> GeoSettings:
        known = {f.name for f in fields(GeoSettings)}
        unknown = sorted(set(self.geo) - known)
        if unknown:
            raise ValueError(f"unknown geo settings {unknown}; known: {sorted(known)}")
        integers = {"min_dwell_fixes", "duplicate_window"}
        values = {k: int(v) if k in integers else float(v) for k, v in self.geo.items()}
        return GeoSettings(**values)  # type: ignore[arg-type]


class AntiCheatSettings(GeoThresholdSettings):
    # A quest's steps closer in server time than a walk at this speed (plus each site's
    # dwell) are too fast; a coupon is held at this risk score; guest sign-ups allowed per
    # client address per window; device attestation ("test": the test attestor) and how long
    # a passed one counts.
    presence_walk_mps: float = Field(default=2.5, gt=0, le=20)
    risk_hold_threshold: float = Field(default=10.0, gt=0)
    guest_signups_per_client: int = Field(default=5, ge=1)
    guest_signup_window_s: int = Field(default=3600, ge=1)
    attestation: Literal["off", "test"] = "off"
    attestation_ttl_s: int = Field(default=3600, ge=60)
