"""A local metric frame: metres east/north of a reference point on the WGS84 ellipsoid."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

_A = 6378137.0  # WGS84 semi-major axis, metres
_E2 = 6.69437999014e-3  # WGS84 first eccentricity squared
_RAD = math.pi / 180.0


def _radii(lat_deg: float) -> tuple[float, float]:
    """Meridional (M) and prime-vertical (N) radii of curvature at a latitude."""
    s = math.sin(lat_deg * _RAD)
    w = 1.0 - _E2 * s * s
    return _A * (1.0 - _E2) / (w * math.sqrt(w)), _A / math.sqrt(w)


@dataclass(frozen=True, slots=True)
class LocalFrame:
    """Tangent-plane (east, north) coordinates in metres around (lat0, lon0).

    A second-order expansion of the ellipsoidal east-north-up projection: it keeps the
    convergence of meridians, so distances are right to a few millimetres within 3 km of
    the reference and to well under a metre within 10 km, at the cost of a handful of
    multiplications per point.
    """

    lat0: float
    lon0: float
    _kx: float = field(init=False, repr=False, compare=False)
    _ky: float = field(init=False, repr=False, compare=False)
    _kxy: float = field(init=False, repr=False, compare=False)
    _kyx: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (-85.0 <= self.lat0 <= 85.0 and -180.0 <= self.lon0 <= 180.0):
            raise ValueError(f"reference point out of range: {self.lat0!r}, {self.lon0!r}")
        m, n = _radii(self.lat0)
        phi = self.lat0 * _RAD
        # x = N cos φ Δλ, where d(N cos φ)/dφ = -M sin φ; y = M Δφ + ½ N sin φ cos φ Δλ².
        object.__setattr__(self, "_kx", n * math.cos(phi) * _RAD)
        object.__setattr__(self, "_kxy", m * math.sin(phi) * _RAD * _RAD)
        object.__setattr__(self, "_ky", m * _RAD)
        object.__setattr__(self, "_kyx", 0.5 * n * math.sin(phi) * math.cos(phi) * _RAD * _RAD)

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        """Metres east and north of the reference point."""
        dlat = lat - self.lat0
        dlon = lon - self.lon0
        return dlon * (self._kx - self._kxy * dlat), dlat * self._ky + self._kyx * dlon * dlon

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        """Inverse of to_xy (fixed-point iteration, sub-millimetre)."""
        dlon = x / self._kx
        dlat = y / self._ky
        for _ in range(4):
            dlon = x / (self._kx - self._kxy * dlat)
            dlat = (y - self._kyx * dlon * dlon) / self._ky
        return self.lat0 + dlat, self.lon0 + dlon

    def distance_m(self, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        """Distance in metres between two points near the reference."""
        x1, y1 = self.to_xy(lat1, lon1)
        x2, y2 = self.to_xy(lat2, lon2)
        return math.hypot(x2 - x1, y2 - y1)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres without a frame: ellipsoidal radii at the mid-latitude.

    Millimetre-accurate over a few kilometres, a fair approximation beyond; used for the
    movement checks, which only compare distances with thresholds of metres to a kilometre.
    """
    m, n = _radii(0.5 * (lat1 + lat2))
    dlon = (lon2 - lon1 + 180.0) % 360.0 - 180.0
    dx = n * math.cos(0.5 * (lat1 + lat2) * _RAD) * dlon * _RAD
    dy = m * (lat2 - lat1) * _RAD
    return math.hypot(dx, dy)
