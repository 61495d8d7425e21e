"""Keyword factories for tracker tests around one fence at Piazza Sant'Oronzo."""

from __future__ import annotations

from geo import Fence, FenceIndex, Fix, GeoSettings, LocalFrame, PlayArea, Tracker
from tests.geo.lecce import play_area

CENTRE = (40.35274, 18.17271)  # Piazza Sant'Oronzo
FRAME = LocalFrame(*CENTRE)
T0 = 1_732_300_000_000


def at(
    x: float = 0.0, y: float = 0.0, *, t_s: float = 0.0, acc: float = 5.0, mock: bool = False
) -> Fix:
    """A fix x metres east and y metres north of the square's centre, t_s after T0."""
    lat, lon = FRAME.to_latlon(x, y)
    return Fix(lat, lon, acc, T0 + round(t_s * 1000), mock)


def tracker(
    *,
    radius_m: float = 30.0,
    dwell_s: float | None = None,
    area: PlayArea | None = None,
    **settings: float,
) -> Tracker:
    fence = Fence.circle("piazza", CENTRE[0], CENTRE[1], radius_m, dwell_s=dwell_s)
    index = FenceIndex.build([fence], FRAME)
    return Tracker(GeoSettings(**settings), index, area if area is not None else play_area())
