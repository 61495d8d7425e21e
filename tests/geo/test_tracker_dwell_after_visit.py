"""Dwell keeps counting after the visit, for the game's longer dwell steps."""

from __future__ import annotations

from geo import Fence, FenceIndex, Fix, GeoSettings, Tracker, TrackerState

RUDIAE = (40.351345, 18.164581)


def test_dwell_keeps_counting_after_the_visit_and_the_visit_fires_once() -> None:
    tracker = Tracker(GeoSettings(), FenceIndex.build([Fence.circle("rudiae", *RUDIAE, 40)]))
    state, kinds = TrackerState(), []
    start = 1_800_000_000_000
    for i in range(61):
        state, outcomes = tracker.process(
            state, Fix(*RUDIAE, 5.0, start + i * 1000), start + i * 1000
        )
        kinds += [o.kind for o in outcomes]  # type: ignore[union-attr]
    assert kinds == ["enter", "visit"]
    assert state.presences[0].dwell_ms == 60_000
