from __future__ import annotations

import pytest

from geo import TrackerState
from tests.geo.factories import at, tracker


def test_round_trip_mid_dwell_gives_identical_results() -> None:
    tr = tracker()
    fixes = [at(t_s=t) for t in range(0, 40, 4)] + [at(60, 0, t_s=44)]
    state = TrackerState()
    straight = []
    for fix in fixes:
        state, out = tr.process(state, fix, fix.ts_ms)
        straight.extend(out)
    final_straight = state

    state = TrackerState()
    hopped = []
    for fix in fixes:
        state = TrackerState.from_bytes(state.to_bytes())  # another worker, after a restart
        state = TrackerState.from_dict(state.to_dict())
        state, out = tr.process(state, fix, fix.ts_ms)
        hopped.extend(out)
    assert hopped == straight
    assert state == final_straight


def test_serialised_state_is_small() -> None:
    tr = tracker()
    state = TrackerState()
    for t in range(0, 600, 2):
        fix = at(t_s=t)
        state, _ = tr.process(state, fix, fix.ts_ms)
    assert len(state.to_bytes()) < 400


@pytest.mark.parametrize(
    "raw",
    [
        b"[]",
        b"{",
        b'{"v": 2}',
        b'{"v": 1, "recent_ts": ["x"], "anchor": null, "hold_until_ms": 0, "presences": []}',
    ],
)
def test_malformed_state_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError, match=r"tracker state|expected|unknown"):
        TrackerState.from_bytes(raw)
