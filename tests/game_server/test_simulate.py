"""The simulator's routes: real sites, walking speed, GPS noise, one fix per second."""

from __future__ import annotations

import math
import random

from game_server.simulate import GPS_SIGMA_M, WALK_MPS, Site, walk
from geo import distance_m

PORTA_NAPOLI = Site("porta_napoli", 40.356503, 18.168469)
DUOMO = Site("duomo", 40.35167, 18.16944)


def test_a_walk_moves_at_walking_speed_then_stands_at_the_site() -> None:
    fixes = walk(PORTA_NAPOLI, DUOMO, random.Random(3), dwell_s=30)
    length = distance_m(PORTA_NAPOLI.lat, PORTA_NAPOLI.lon, DUOMO.lat, DUOMO.lon)
    walking = len(fixes) - 30
    assert math.isclose(walking, length / WALK_MPS, rel_tol=0.05)
    for lat, lon, accuracy in fixes[-30:]:
        assert distance_m(lat, lon, DUOMO.lat, DUOMO.lon) < 6 * GPS_SIGMA_M
        assert 5 <= accuracy <= 15


def test_routes_are_reproducible_from_the_seed() -> None:
    assert walk(PORTA_NAPOLI, DUOMO, random.Random(7), dwell_s=5) == walk(
        PORTA_NAPOLI, DUOMO, random.Random(7), dwell_s=5
    )
