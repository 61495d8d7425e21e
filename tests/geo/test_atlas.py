"""geo.Atlas: each fix goes to its comune's tracker; comuni never see each other's fences."""

from __future__ import annotations

import pytest

from geo import (
    Atlas,
    Fence,
    FenceIndex,
    Fix,
    GeoEvent,
    GeoSettings,
    LocalFrame,
    Region,
    Tracker,
    TrackerState,
)

LECCE = (40.35274, 18.17271)  # Piazza Sant'Oronzo
BERGAMO = (45.704251, 9.66282)  # Piazza Vecchia
LECCE_BOX = (18.02, 40.22, 18.40, 40.47)
BERGAMO_BOX = (9.60, 45.66, 9.72, 45.73)
T0 = 1_732_300_000_000
SETTINGS = GeoSettings(dwell_s=0, min_dwell_fixes=1, enter_margin_m=0)


def _region(name: str, centre: tuple[float, float], box: tuple[float, ...], slug: str) -> Region:
    index = FenceIndex.build([Fence.circle(slug, *centre, 30.0)], LocalFrame(*centre))
    return Region(name, box, Tracker(SETTINGS, index))  # type: ignore[arg-type]


def _atlas() -> Atlas:
    lecce = _region("lecce", LECCE, LECCE_BOX, "piazza_sant_oronzo")
    bergamo = _region("bergamo", BERGAMO, BERGAMO_BOX, "piazza_vecchia")
    return Atlas([bergamo, lecce], SETTINGS)


def _fix(where: tuple[float, float], t_s: float) -> Fix:
    return Fix(where[0], where[1], 5.0, T0 + round(t_s * 1000))


def _events(outcomes: list[object]) -> list[tuple[str, str]]:
    return [(o.kind, o.fence) for o in outcomes if isinstance(o, GeoEvent)]


def test_each_fix_is_judged_by_its_comunes_fences() -> None:
    atlas = _atlas()
    assert atlas.region_at(*LECCE).name == "lecce"  # type: ignore[union-attr]
    assert atlas.region_at(*BERGAMO).name == "bergamo"  # type: ignore[union-attr]
    assert atlas.region_at(0.0, 0.0) is None
    _, outcomes = atlas.process(TrackerState(), _fix(BERGAMO, 0), T0)
    assert _events(outcomes) == [("enter", "piazza_vecchia"), ("visit", "piazza_vecchia")]
    _, outcomes = atlas.process(TrackerState(), _fix(LECCE, 0), T0)
    assert _events(outcomes) == [("enter", "piazza_sant_oronzo"), ("visit", "piazza_sant_oronzo")]


def test_arriving_in_another_comune_ends_the_old_presences_and_holds_then_credits() -> None:
    atlas = _atlas()
    state, _ = atlas.process(TrackerState(), _fix(LECCE, 0), T0)
    assert [p.fence for p in state.presences] == ["piazza_sant_oronzo"]
    # Two hours later, in Bergamo: without the arrival rule every fix would be refused as
    # implausible_speed (800 km from the Lecce anchor) for fifteen hours.
    later = 2 * 3600
    state, outcomes = atlas.process(state, _fix(BERGAMO, later), T0 + later * 1000)
    assert _events(outcomes) == [("exit", "piazza_sant_oronzo")]
    assert [o.reason for o in outcomes if not isinstance(o, GeoEvent)] == ["teleport"]  # type: ignore[attr-defined]
    assert state.presences == ()
    after = later + SETTINGS.teleport_cooldown_s + 1
    state, outcomes = atlas.process(state, _fix(BERGAMO, after), T0 + round(after * 1000))
    assert _events(outcomes) == [("enter", "piazza_vecchia"), ("visit", "piazza_vecchia")]


def test_a_spoofer_hopping_between_comuni_stays_on_hold() -> None:
    atlas = _atlas()
    state, _ = atlas.process(TrackerState(), _fix(LECCE, 0), T0)
    for step in range(1, 40):
        where = BERGAMO if step % 2 else LECCE
        state, outcomes = atlas.process(state, _fix(where, step * 60), T0 + step * 60_000)
        assert [e for e in _events(outcomes) if e[0] != "exit"] == []  # no enter, no visit


def test_fence_slugs_are_unique_across_comuni() -> None:
    twin = _region("bergamo", BERGAMO, BERGAMO_BOX, "piazza_sant_oronzo")
    with pytest.raises(ValueError, match="unique across regions"):
        Atlas([_region("lecce", LECCE, LECCE_BOX, "piazza_sant_oronzo"), twin])
