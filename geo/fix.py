"""A position fix as reported by a phone."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fix:
    """One GPS fix: WGS84 degrees, accuracy radius in metres, device time in ms since epoch.

    Raises ValueError for values that are not a position at all (out of range, NaN);
    plausibility is judged later by the tracker, which rejects with a reason.
    """

    lat: float
    lon: float
    accuracy_m: float
    ts_ms: int
    mock: bool = False

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise ValueError(f"latitude out of range: {self.lat!r}")
        if not -180.0 <= self.lon <= 180.0:
            raise ValueError(f"longitude out of range: {self.lon!r}")
        if not (self.accuracy_m >= 0.0 and math.isfinite(self.accuracy_m)):
            raise ValueError(f"accuracy must be a finite number >= 0: {self.accuracy_m!r}")
