from __future__ import annotations

import pytest

from geo import FenceIndex, GeoEvent, GeoSettings, Rejection, Tracker, TrackerState
from geo.events import Outcome
from tests.geo.factories import FRAME, T0, at, tracker


def run(tr, fixes, *, state=None, latency_ms=500):  # type: ignore[no-untyped-def]
    state = state or TrackerState()
    outcomes: list[Outcome] = []
    for fix in fixes:
        state, produced = tr.process(state, fix, fix.ts_ms + latency_ms)
        outcomes.extend(produced)
    return state, outcomes


def kinds(outcomes: list[Outcome]) -> list[tuple[str, str]]:
    return [
        (o.kind, o.fence) if isinstance(o, GeoEvent) else ("rejected", o.reason) for o in outcomes
    ]


def test_enter_visit_exit_at_walking_pace() -> None:
    fixes = [at(0, 0, t_s=t) for t in range(0, 25, 5)] + [at(51, 0, t_s=30)]
    _, out = run(tracker(), fixes)
    assert kinds(out) == [("enter", "piazza"), ("visit", "piazza"), ("exit", "piazza")]
    assert [o.ts_ms for o in out] == [T0, T0 + 20_000, T0 + 30_000]


def test_visit_needs_the_dwell_time() -> None:
    _, out = run(tracker(), [at(t_s=0), at(t_s=10), at(t_s=19.9)])
    assert kinds(out) == [("enter", "piazza")]


def test_visit_needs_two_fixes_even_with_zero_dwell() -> None:
    _, out = run(tracker(dwell_s=0), [at(t_s=0), at(t_s=1)])
    assert kinds(out) == [("enter", "piazza"), ("visit", "piazza")]
    _, out = run(tracker(dwell_s=0, min_dwell_fixes=1), [at(t_s=0)])
    assert kinds(out) == [("enter", "piazza"), ("visit", "piazza")]


def test_fence_dwell_overrides_the_default() -> None:
    _, out = run(tracker(dwell_s=60), [at(t_s=t) for t in range(0, 55, 5)])
    assert kinds(out) == [("enter", "piazza")]


def test_hysteresis_band_neither_exits_nor_counts_as_dwell() -> None:
    # 10 m outside a 30 m fence: within the 20 m exit margin, so still present...
    fixes = [at(0, 0, t_s=0), at(40, 0, t_s=5), at(40, 0, t_s=15), at(40, 0, t_s=25)]
    _, out = run(tracker(), fixes)
    assert kinds(out) == [("enter", "piazza")]
    # ...and the dwell only adds time between consecutive fixes inside the fence.
    _, out = run(tracker(), [*fixes, at(0, 0, t_s=30), at(0, 0, t_s=50)])
    assert kinds(out) == [("enter", "piazza"), ("visit", "piazza")]
    assert out[-1].ts_ms == T0 + 50_000


def test_exit_margin_grows_with_fix_accuracy() -> None:
    base = [at(0, 0, t_s=0)]
    _, out = run(tracker(), [*base, at(55, 0, t_s=20, acc=30)])  # 25 m out, accuracy 30 m
    assert kinds(out) == [("enter", "piazza")]
    _, out = run(tracker(), [*base, at(61, 0, t_s=20, acc=30)])
    assert kinds(out)[-1] == ("exit", "piazza")


def test_enter_margin_requires_being_well_inside() -> None:
    _, out = run(tracker(enter_margin_m=5), [at(27, 0, t_s=0), at(24, 0, t_s=5)])
    assert kinds(out) == [("enter", "piazza")]
    assert out[0].ts_ms == T0 + 5_000


def test_long_gap_does_not_count_as_dwell() -> None:
    _, out = run(tracker(), [at(t_s=0), at(t_s=61), at(t_s=70)])
    assert kinds(out) == [("enter", "piazza")]


def test_one_visit_per_presence_and_again_after_reentry() -> None:
    stay = [at(t_s=t) for t in range(0, 45, 5)]
    again = [at(t_s=t) for t in range(100, 130, 5)]
    _, out = run(tracker(), [*stay, at(100, 0, t_s=60), *again])
    assert kinds(out) == [
        ("enter", "piazza"),
        ("visit", "piazza"),
        ("exit", "piazza"),
        ("enter", "piazza"),
        ("visit", "piazza"),
    ]


@pytest.mark.parametrize(
    ("fix", "now_delta_ms", "reason"),
    [
        (at(t_s=41), -31_000, "future"),  # 31 s ahead of the server clock
        (at(t_s=-301), 0, "stale"),
        (at(t_s=10), 0, "duplicate"),
        (at(t_s=5), 0, "out_of_order"),
        (at(t_s=11, mock=True), 0, "mock"),
        (at(t_s=11, acc=35.1), 0, "accuracy"),
        (at(100, 0, t_s=11, acc=5), 0, "implausible_speed"),  # 90 m in 1 s
        (at(2000, 0, t_s=20, acc=5), 0, "teleport"),
        (at(0, 1500, t_s=200), 0, "outside_area"),
    ],
)
def test_each_rejection_has_its_reason(fix, now_delta_ms, reason) -> None:  # type: ignore[no-untyped-def]
    tr = tracker()
    state, _ = run(tr, [at(t_s=0), at(t_s=10)])
    now_ms = max(fix.ts_ms, T0 + 10_000) + now_delta_ms
    _, out = tr.process(state, fix, now_ms)
    assert [type(o) for o in out] == [Rejection]
    assert out[0].reason == reason
    assert out[0].ts_ms == fix.ts_ms


def test_rejected_fix_changes_no_presence() -> None:
    tr = tracker()
    state, _ = run(tr, [at(t_s=0)])
    for fix in [at(500, 0, t_s=5), at(t_s=10, acc=80), at(t_s=15, mock=True)]:
        state, _ = tr.process(state, fix, fix.ts_ms)
        assert [p.fence for p in state.presences] == ["piazza"]


def test_teleport_holds_credit_for_the_cooldown_then_resumes() -> None:
    tr = tracker(teleport_cooldown_s=300)
    far = at(0, 1400, t_s=0)  # outside the area: tracked, no credit
    state, out = run(tr, [far])
    assert kinds(out) == [("rejected", "outside_area")]
    hop = at(0, 0, t_s=30)
    state, out = tr.process(state, hop, hop.ts_ms)
    assert out == [Rejection("teleport", hop.ts_ms, hop.ts_ms + 300_000)]
    state, out = run(tr, [at(t_s=t) for t in range(35, 330, 5)], state=state)
    assert {o.reason for o in out if isinstance(o, Rejection)} == {"teleport"}
    assert not [o for o in out if isinstance(o, GeoEvent)]
    state, out = run(tr, [at(t_s=t) for t in range(330, 360, 5)], state=state)
    assert kinds(out) == [("enter", "piazza"), ("visit", "piazza")]


def test_speed_is_corrected_for_accuracy() -> None:
    # 40 m in 1 s, but each fix may be 20 m off: max(0, 40 - 20 - 20) / 1 = 0 m/s.
    _, out = run(tracker(), [at(0, 0, t_s=0, acc=20), at(40, 0, t_s=1, acc=20)])
    assert kinds(out) == [("enter", "piazza")]


def test_implausible_fix_does_not_move_the_anchor() -> None:
    tr = tracker()
    state, out = run(tr, [at(t_s=0), at(300, 0, t_s=2), at(0, 0, t_s=4)])
    assert kinds(out) == [("enter", "piazza"), ("rejected", "implausible_speed")]
    assert state.anchor is not None
    assert state.anchor.ts_ms == T0 + 4_000


def test_state_is_bounded_by_the_duplicate_window() -> None:
    state, _ = run(tracker(), [at(t_s=t) for t in range(200)])
    assert len(state.recent_ts) == 8
    assert len(state.presences) == 1


def test_a_fence_removed_by_new_content_exits_on_the_next_fix() -> None:
    state, _ = run(tracker(), [at(t_s=0)])
    fresh = Tracker(GeoSettings(), FenceIndex.build([], FRAME), None)
    _, out = fresh.process(state, at(t_s=5), T0 + 5_000)
    assert kinds(out) == [("exit", "piazza")]


def test_the_worked_example_of_docs_geofencing() -> None:
    tr = tracker()
    state = TrackerState()
    table = [
        (at(50, t_s=0), []),
        (at(25, t_s=5), [("enter", "piazza")]),
        (at(35, t_s=10), []),
        (at(20, t_s=15), []),
        (at(10, t_s=25), []),
        (at(10, t_s=25), [("rejected", "duplicate")]),
        (at(10, t_s=30, acc=60), [("rejected", "accuracy")]),
        (at(0, t_s=35), [("visit", "piazza")]),
        (at(45, t_s=40, acc=30), []),
        (at(55, t_s=45), [("exit", "piazza")]),
        (at(2050, t_s=50), [("rejected", "teleport")]),
        (at(2050, t_s=60), [("rejected", "outside_area")]),
        (at(0, t_s=100), [("rejected", "teleport")]),
        *[(at(0, t_s=t), [("rejected", "teleport")]) for t in range(130, 391, 30)],
        (at(0, t_s=405), [("enter", "piazza")]),
        *[(at(0, t_s=t), []) for t in range(410, 421, 5)],
        (at(0, t_s=425), [("visit", "piazza")]),
    ]
    holds = []
    for fix, expected in table:
        state, out = tr.process(state, fix, fix.ts_ms + 300)
        assert kinds(out) == expected, fix
        holds += [o.hold_until_ms for o in out if isinstance(o, Rejection) and o.hold_until_ms]
    assert sorted(set(holds)) == [T0 + 350_000, T0 + 400_000]


def test_claimed_accuracy_cannot_buy_speed() -> None:
    # 80 m per second (288 km/h) at a claimed 35 m: each fix is forgiven at most 20 m,
    # so every hop after the first is 40 m/s or more, an outlier.
    fixes = [at(80 * i, 0, t_s=i, acc=35) for i in range(8)]
    _, out = run(tracker(), fixes)
    assert [o.reason for o in out if isinstance(o, Rejection)] == ["implausible_speed"] * 7
