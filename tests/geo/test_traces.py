"""The old-town walk on real coordinates, honest and spoofed."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from geo import FenceIndex, Fix, GeoEvent, GeoSettings, Rejection, Tracker, TrackerState
from geo.events import Outcome
from tests.geo.lecce import heritage_fences, play_area, sites
from tests.geo.routes import VISITED, grand_tour
from tests.geo.traces import Stop, walk

SEEDS = range(8)


@pytest.fixture(scope="module")
def tracker() -> Tracker:
    return Tracker(GeoSettings(), FenceIndex.build(heritage_fences()), play_area())


def replay(tracker: Tracker, fixes: list[Fix], latency_ms: int = 700) -> list[Outcome]:
    state = TrackerState()
    outcomes: list[Outcome] = []
    for fix in fixes:
        state, produced = tracker.process(state, fix, fix.ts_ms + latency_ms)
        outcomes.extend(produced)
    return outcomes


def visits(outcomes: list[Outcome]) -> list[str]:
    return [o.fence for o in outcomes if isinstance(o, GeoEvent) and o.kind == "visit"]


def reasons(outcomes: list[Outcome]) -> Counter[str]:
    return Counter(o.reason for o in outcomes if isinstance(o, Rejection))


@pytest.mark.parametrize("seed", SEEDS)
def test_walk_yields_exactly_the_four_visits_in_order(tracker: Tracker, seed: int) -> None:
    out = replay(tracker, walk(grand_tour(), seed=seed))
    assert visits(out) == VISITED
    assert not reasons(out)
    fenced = [o.fence for o in out if isinstance(o, GeoEvent)]
    assert set(fenced) == set(VISITED)  # no other site was even entered


@pytest.mark.parametrize("seed", SEEDS)
def test_offline_upload_in_one_shuffled_batch_matches_live(tracker: Tracker, seed: int) -> None:
    fixes = walk(grand_tour(), seed=seed)
    recent = [f for f in fixes if f.ts_ms >= fixes[-1].ts_ms - 240_000]  # within max_age_s
    upload_ms = fixes[-1].ts_ms + 1_000
    live_state, live = TrackerState(), []
    for fix in recent:
        live_state, produced = tracker.process(live_state, fix, upload_ms)
        live.extend(produced)
    shuffled = random.Random(seed).sample(recent, len(recent))
    batch_state, batch = tracker.process_batch(TrackerState(), shuffled, upload_ms)
    assert batch == live
    assert batch_state == live_state
    assert visits(batch)[-1] == "basilica_santa_croce"


@pytest.mark.parametrize("seed", SEEDS)
def test_replay_at_three_times_speed_earns_no_visit(tracker: Tracker, seed: int) -> None:
    # 3 x 1.4 m/s is a plausible cycling speed: no fix is rejected, but every stay
    # shrinks below the 20 s dwell.
    out = replay(tracker, walk(grand_tour(), seed=seed, time_scale=3))
    assert visits(out) == []
    assert not reasons(out)


@pytest.mark.parametrize("seed", SEEDS)
def test_replay_faster_than_any_walker_earns_speed_rejections(tracker: Tracker, seed: int) -> None:
    fixes = walk(grand_tour(), seed=seed, time_scale=15, every_s=30)  # 21 m/s
    out = replay(tracker, fixes)
    assert visits(out) == []
    assert reasons(out)["implausible_speed"] >= 5


@pytest.mark.parametrize("seed", SEEDS)
def test_teleporting_to_each_site_from_2_km_away_earns_no_visit(
    tracker: Tracker, seed: int
) -> None:
    home = sites()["porta_napoli"].lat - 0.018, sites()["porta_napoli"].lon  # 2 km south
    fixes: list[Fix] = []
    t_ms = 1_732_300_000_000
    for slug in VISITED:
        site = sites()[slug]
        for stop in (Stop(*home, 60), Stop(site.lat, site.lon, 60)):
            leg = walk([stop], seed=seed, start_ms=t_ms)
            fixes += leg
            t_ms = leg[-1].ts_ms + 2_000
    out = replay(tracker, fixes)
    assert visits(out) == []
    assert [o for o in out if isinstance(o, GeoEvent)] == []
    assert reasons(out)["teleport"] >= len(VISITED) * 2
    assert reasons(out)["outside_area"] > 0
    assert all(o.hold_until_ms for o in out if isinstance(o, Rejection) and o.reason == "teleport")


@pytest.mark.parametrize("seed", SEEDS)
def test_mock_locations_earn_no_visit(tracker: Tracker, seed: int) -> None:
    out = replay(tracker, walk(grand_tour(), seed=seed, mock=True))
    assert visits(out) == []
    assert set(reasons(out)) == {"mock"}


@pytest.mark.parametrize("seed", SEEDS)
def test_sixty_metre_accuracy_earns_no_visit(tracker: Tracker, seed: int) -> None:
    out = replay(tracker, walk(grand_tour(), seed=seed, accuracy_m=60))
    assert visits(out) == []
    assert set(reasons(out)) == {"accuracy"}
