"""Properties of the tracker under noise, adversarial streams and batching."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from geo import Fix, GeoEvent, Rejection, Tracker, TrackerState
from geo.events import Outcome
from tests.geo.factories import FRAME, T0, tracker
from tests.geo.traces import Noise, Stop, walk

PROPS = settings(deadline=None, max_examples=60, derandomize=True)


@PROPS
@given(
    radius_m=st.floats(10, 80),
    offset_m=st.floats(-15, 15),
    bearing_deg=st.floats(0, 360),
    every_s=st.sampled_from([1.0, 2.0, 5.0]),
    max_error_m=st.floats(0, 10),
    seed=st.integers(0, 2**32),
)
def test_standing_at_the_edge_for_ten_minutes_makes_at_most_one_pair(
    radius_m: float,
    offset_m: float,
    bearing_deg: float,
    every_s: float,
    max_error_m: float,
    seed: int,
) -> None:
    r = radius_m + offset_m
    x = r * math.sin(math.radians(bearing_deg))
    y = r * math.cos(math.radians(bearing_deg))
    lat, lon = FRAME.to_latlon(x, y)
    noise = Noise(max_error_m=max_error_m, accuracy_lo=3.0, accuracy_hi=20.0)
    fixes = walk([Stop(lat, lon, 600.0)], seed=seed, every_s=every_s, noise=noise, start_ms=T0)
    outcomes = replay(tracker(radius_m=radius_m), fixes)
    count = Counter(o.kind for o in outcomes if isinstance(o, GeoEvent))
    assert count["enter"] <= 1
    assert count["exit"] <= 1


def _time_step(ms: int) -> int:
    if ms % 9 == 0:
        return -ms // 4  # the device clock goes back
    return 0 if ms % 11 == 0 else ms  # a repeated timestamp


# A hostile stream: positions around the fence and far away, any accuracy, mock flags,
# device clocks that jump back and forth, repeats, and late or early arrival.
fix_steps = st.lists(
    st.tuples(
        st.floats(-70, 70),  # x, metres from the fence centre
        st.floats(-70, 70),  # y
        st.sampled_from([0.0, 1.0, 2.0, 5.0, 8.0, 15.0, 30.0, 40.0, 60.0]),  # accuracy
        st.integers(0, 40_000).map(_time_step),  # ms since the previous fix
        st.booleans() | st.just(False),  # mock, rarely
        st.sampled_from([0, 0, 0, 0, 0, 0, 1_000, -40_000, 400_000]),  # arrival delay
        st.sampled_from([0.0] * 8 + [1_150.0, 3_000.0]),  # a jump north now and then
    ),
    min_size=1,
    max_size=60,
)


def build(steps: list[tuple[float, float, float, int, bool, int, float]]) -> list[tuple[Fix, int]]:
    out = []
    ts = T0
    for x, y, acc, dt, mock, delay, jump in steps:
        ts += dt
        lat, lon = FRAME.to_latlon(x, y + jump)
        out.append((Fix(lat, lon, acc, ts, mock and dt % 7 == 0), ts + delay))
    return out


def replay(tr: Tracker, fixes: list[Fix]) -> list[Outcome]:
    state = TrackerState()
    outcomes: list[Outcome] = []
    for fix in fixes:
        state, produced = tr.process(state, fix, fix.ts_ms + 500)
        outcomes.extend(produced)
    return outcomes


@PROPS
@given(steps=fix_steps, dwell_s=st.sampled_from([0.0, 5.0, 20.0]))
def test_no_event_from_a_rejected_fix_and_no_visit_without_the_dwell(
    steps: list[tuple[float, float, float, int, bool, int, float]], dwell_s: float
) -> None:
    tr = tracker(radius_m=40, dwell_s=dwell_s)
    state = TrackerState()
    entered_at: int | None = None
    credited_since_enter = 0
    for fix, now_ms in build(steps):
        state, out = tr.process(state, fix, now_ms)
        rejected = [o for o in out if isinstance(o, Rejection)]
        assert not rejected or out == rejected[:1]  # a rejected fix yields only its reason
        if rejected:
            continue
        credited_since_enter += 1
        for event in out:
            assert isinstance(event, GeoEvent)
            if event.kind == "enter":
                entered_at, credited_since_enter = event.ts_ms, 1
            elif event.kind == "exit":
                entered_at = None
            else:
                assert entered_at is not None
                assert event.ts_ms - entered_at >= dwell_s * 1000
                assert credited_since_enter >= 2
        assert len(state.recent_ts) <= 8
        assert len(state.presences) <= 1


def device_order(fix: Fix) -> tuple[int, float, float, float, bool]:
    return fix.ts_ms, fix.lat, fix.lon, fix.accuracy_m, fix.mock


@PROPS
@given(steps=fix_steps, cuts=st.lists(st.integers(0, 60), max_size=8), seed=st.integers(0, 99))
def test_results_do_not_depend_on_batching(
    steps: list[tuple[float, float, float, int, bool, int, float]], cuts: list[int], seed: int
) -> None:
    tr = tracker(radius_m=40)
    fixes = [fix for fix, _ in build(steps)]
    now_ms = max(f.ts_ms for f in fixes) + 1_000

    one_by_one = TrackerState()
    expected: list[Outcome] = []
    for fix in sorted(fixes, key=device_order):
        one_by_one, out = tr.process(one_by_one, fix, now_ms)
        expected.extend(out)

    ordered = sorted(fixes, key=device_order)
    bounds = sorted({0, len(ordered), *(c for c in cuts if c < len(ordered))})
    batched = TrackerState()
    got: list[Outcome] = []
    rng = random.Random(seed)
    for lo, hi in itertools.pairwise(bounds):
        chunk = ordered[lo:hi]
        rng.shuffle(chunk)
        batched, out = tr.process_batch(TrackerState.from_bytes(batched.to_bytes()), chunk, now_ms)
        got.extend(out)
    assert got == expected
    assert batched == one_by_one
