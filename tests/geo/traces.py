"""Synthetic phone traces along real routes, with correlated, bounded GPS noise."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from geo import Fix, LocalFrame


@dataclass(frozen=True)
class Stop:
    """A waypoint; the walker stands there for dwell_s seconds."""

    lat: float
    lon: float
    dwell_s: float = 0.0


@dataclass(frozen=True)
class Noise:
    """A Gauss-Markov bias (slow multipath drift) plus white jitter, clipped to max_error_m.

    Reported accuracy lies between accuracy_lo and accuracy_hi and is never below the
    actual error, as phones report a ~68-95 % radius.
    """

    max_error_m: float = 8.0
    bias_sigma_m: float = 4.0
    jitter_sigma_m: float = 2.0
    tau_s: float = 20.0
    accuracy_lo: float = 5.0
    accuracy_hi: float = 15.0


def sample_path(
    stops: Sequence[Stop], speed_mps: float, every_s: float
) -> list[tuple[float, float, float]]:
    """(t_s, x, y) in a frame centred on the first stop, one point every every_s seconds."""
    frame = LocalFrame(stops[0].lat, stops[0].lon)
    points = [frame.to_xy(s.lat, s.lon) for s in stops]
    t = 0.0
    timeline: list[tuple[float, float, float, float, float, float]] = []
    for i, stop in enumerate(stops):
        x, y = points[i]
        timeline.append((t, t + stop.dwell_s, x, y, x, y))
        t += stop.dwell_s
        if i + 1 < len(stops):
            nx, ny = points[i + 1]
            duration = math.hypot(nx - x, ny - y) / speed_mps
            timeline.append((t, t + duration, x, y, nx, ny))
            t += duration
    samples = []
    step = 0
    while step * every_s <= t:
        ts = step * every_s
        for t0, t1, x0, y0, x1, y1 in timeline:
            if t0 <= ts <= t1:
                f = 0.0 if t1 == t0 else (ts - t0) / (t1 - t0)
                samples.append((ts, x0 + f * (x1 - x0), y0 + f * (y1 - y0)))
                break
        step += 1
    return samples


def walk(
    stops: Sequence[Stop],
    *,
    seed: int,
    start_ms: int = 1_732_300_000_000,
    speed_mps: float = 1.4,
    every_s: float = 2.0,
    noise: Noise | None = None,
    time_scale: float = 1.0,
    accuracy_m: float | None = None,
    mock: bool = False,
) -> list[Fix]:
    """Fixes along the stops; time_scale 3 replays the same fixes three times faster."""
    noise = noise or Noise()
    rng = random.Random(seed)
    frame = LocalFrame(stops[0].lat, stops[0].lon)
    fixes = []
    bx = by = 0.0
    for t_s, x, y in sample_path(stops, speed_mps, every_s):
        keep = math.exp(-every_s / noise.tau_s)
        spread = noise.bias_sigma_m * math.sqrt(1 - keep * keep)
        bx = keep * bx + rng.gauss(0, spread)
        by = keep * by + rng.gauss(0, spread)
        ex = bx + rng.gauss(0, noise.jitter_sigma_m)
        ey = by + rng.gauss(0, noise.jitter_sigma_m)
        err = math.hypot(ex, ey)
        if err > noise.max_error_m:
            ex, ey = ex * noise.max_error_m / err, ey * noise.max_error_m / err
            err = noise.max_error_m
        lat, lon = frame.to_latlon(x + ex, y + ey)
        acc = (
            accuracy_m
            if accuracy_m is not None
            else max(err, rng.uniform(noise.accuracy_lo, noise.accuracy_hi))
        )
        fixes.append(Fix(lat, lon, round(acc, 1), start_ms + round(t_s * 1000 / time_scale), mock))
    return fixes
