"""Thresholds of the geo engine, with the defaults of SPEC §4."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class GeoSettings:
    """Every threshold of fix screening, plausibility and fence hysteresis.

    Plain values only, so that the service can build it from its own settings.
    """

    # Fix screening (SPEC §4).
    max_accuracy_m: float = 35.0
    max_future_s: float = 30.0
    max_age_s: float = 300.0
    # Plausibility (SPEC §4).
    max_speed_mps: float = 15.0
    # The speed check forgives each fix its accuracy radius, but at most this much: a
    # claimed 35 m accuracy must not turn 80 m/s into a walk (docs/anti-cheat.md).
    speed_accuracy_cap_m: float = 20.0
    teleport_distance_m: float = 1000.0
    teleport_window_s: float = 60.0
    teleport_cooldown_s: float = 300.0
    # Visits (SPEC §4): a fence's own dwell_s overrides dwell_s.
    dwell_s: float = 20.0
    min_dwell_fixes: int = 2
    dwell_max_gap_s: float = 60.0
    # Hysteresis: enter when at least enter_margin_m inside the boundary, exit when
    # more than max(exit_margin_m, fix accuracy) outside it.
    enter_margin_m: float = 0.0
    exit_margin_m: float = 20.0
    # Play area: the old-town polygon grown by this margin (the farthest shipped
    # site, Santi Niccolò e Cataldo, lies 442 m outside the ring roads).
    area_margin_m: float = 500.0
    # How many recent device timestamps are remembered to label resent fixes.
    duplicate_window: int = 8

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(
                    f"GeoSettings.{f.name} must be a finite number >= 0, got {value!r}"
                )
        if self.min_dwell_fixes < 1:
            raise ValueError("GeoSettings.min_dwell_fixes must be >= 1")
        if self.duplicate_window < 1:
            raise ValueError("GeoSettings.duplicate_window must be >= 1")
