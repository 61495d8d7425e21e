from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import LocalFrame, distance_m

LECCE = LocalFrame(40.3535, 18.1700)


def vincenty_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Reference geodesic distance on WGS84 (Vincenty's inverse formula)."""
    a, f = 6378137.0, 1 / 298.257223563
    b = a * (1 - f)
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    big_l = math.radians(lon2 - lon1)
    lam = big_l
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(
            math.cos(u2) * sin_lam,
            math.cos(u1) * math.sin(u2) - math.sin(u1) * math.cos(u2) * cos_lam,
        )
        if sin_sigma == 0:
            return 0.0
        cos_sigma = math.sin(u1) * math.sin(u2) + math.cos(u1) * math.cos(u2) * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = math.cos(u1) * math.cos(u2) * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * math.sin(u1) * math.sin(u2) / cos2_alpha
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-13:
            break
    u2_ = cos2_alpha * (a * a - b * b) / (b * b)
    big_a = 1 + u2_ / 16384 * (4096 + u2_ * (-768 + u2_ * (320 - 175 * u2_)))
    big_b = u2_ / 1024 * (256 + u2_ * (-128 + u2_ * (74 - 47 * u2_)))
    delta = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    return b * big_a * (sigma - delta)


# Points within about 3 km of the old town.
near = st.tuples(st.floats(40.326, 40.381), st.floats(18.135, 18.205))


@settings(deadline=None, max_examples=200, derandomize=True)
@given(p=near, q=near)
def test_frame_distances_match_the_geodesic_within_a_centimetre(
    p: tuple[float, float], q: tuple[float, float]
) -> None:
    truth = vincenty_m(*p, *q)
    assert LECCE.distance_m(*p, *q) == pytest.approx(truth, abs=0.01)
    assert distance_m(*p, *q) == pytest.approx(truth, abs=0.01 + truth * 1e-6)


@settings(deadline=None, max_examples=200, derandomize=True)
@given(p=near)
def test_to_latlon_inverts_to_xy(p: tuple[float, float]) -> None:
    lat, lon = LECCE.to_latlon(*LECCE.to_xy(*p))
    assert lat == pytest.approx(p[0], abs=1e-9)
    assert lon == pytest.approx(p[1], abs=1e-9)


def test_axes_point_east_and_north() -> None:
    x, y = LECCE.to_xy(40.3535, 18.1800)
    assert x > 840
    assert abs(y) < 1
    x, y = LECCE.to_xy(40.3635, 18.1700)
    assert y > 1100
    assert x == 0


def test_distance_wraps_the_antimeridian() -> None:
    assert distance_m(0.0, 179.9995, 0.0, -179.9995) == pytest.approx(111.3, abs=0.1)
