"""The walking bound of a coupon quest's legs, in server time (quests/presence.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from content import load_bundle
from quests.presence import gap_m, legs, reach_m, shortest_walk_s
from tests.paths import CONTENT

BUNDLE = load_bundle(CONTENT).bundle
assert BUNDLE is not None
POIS = {p.slug: p for p in BUNDLE.pois}
GATES = next(q for q in BUNDLE.quests if q.slug == "porte-della-citta")
T0 = datetime(2026, 6, 13, 9, 0, tzinfo=UTC)


def test_the_gap_between_two_fences_is_their_centres_minus_both_reaches() -> None:
    napoli, biagio = POIS["porta_napoli"], POIS["porta_san_biagio"]
    assert reach_m(napoli) == napoli.radius_m
    assert gap_m(napoli, biagio) == pytest.approx(843 - 40 - 40, abs=2)
    assert gap_m(napoli, napoli) == 0


def test_a_batch_makes_legs_of_zero_seconds() -> None:
    done = {"napoli": T0, "biagio": T0, "rudiae": T0, "quiz": T0 + timedelta(seconds=1)}
    found = legs(GATES, POIS, done, walk_mps=2.5, default_dwell_s=20)
    # Ties in server time are read in site order: Napoli, Rudiae, San Biagio, then the quiz
    # back at Rudiae a second later. Every leg is far too fast for a walk.
    assert [leg.too_fast for leg in found] == [True, True, True]
    assert all(leg.needed_s > 200 for leg in found)


def test_a_walk_makes_no_fast_leg_and_a_quiz_at_the_same_site_no_leg() -> None:
    # Napoli, then Rudiae 12 min later (661 m at 1.4 m/s: 8 min, and a stay), quiz there,
    # then San Biagio 10 min after that.
    done = {
        "napoli": T0,
        "rudiae": T0 + timedelta(minutes=12),
        "quiz": T0 + timedelta(minutes=12, seconds=30),
        "biagio": T0 + timedelta(minutes=22),
    }
    found = legs(GATES, POIS, done, walk_mps=2.5, default_dwell_s=20)
    assert [(leg.from_poi, leg.to_poi) for leg in found] == [
        ("porta_napoli", "porta_rudiae"),
        ("porta_rudiae", "porta_san_biagio"),
    ]
    assert not any(leg.too_fast for leg in found)


def test_the_shortest_walk_takes_the_best_order_for_any_order_quests() -> None:
    fastest = shortest_walk_s(GATES, POIS, walk_mps=2.5, default_dwell_s=20)
    # Rudiae (a quiz there: no dwell needed on arrival) is an end of the best route.
    assert 500 < fastest < 560
    assert shortest_walk_s(GATES, POIS, walk_mps=1.4, default_dwell_s=20) > fastest


def test_touching_fences_need_no_walk_and_no_second_dwell() -> None:
    """Santa Croce and the Celestini palace touch: one stand can visit both at once."""
    barocco = next(q for q in BUNDLE.quests if q.slug == "cammino-del-barocco")
    croce, celestini = POIS["basilica_santa_croce"], POIS["palazzo_celestini"]
    assert gap_m(croce, celestini) == 0
    done = {barocco.steps[0].id: T0, barocco.steps[1].id: T0}
    assert legs(barocco, POIS, done, walk_mps=2.5, default_dwell_s=20)[0].too_fast is False
