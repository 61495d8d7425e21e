"""Turn accepted fixes into durable events: the geo engine's outcomes, persisted and pushed."""

from __future__ import annotations

from dataclasses import dataclass

from content.model import Bundle
from game_server.events.log import NewEvent, presence_key
from game_server.gateway.limits import Throttle
from geo import GeoEvent, Rejection, TrackerState

GEO_KINDS = {"enter": "poi.enter", "visit": "poi.visit", "exit": "poi.exit"}


@dataclass(frozen=True, slots=True)
class Visit:
    poi: str
    entered_ts_ms: int
    dwell_s: float
    ts_ms: int


def to_events(
    outcomes: list[GeoEvent | Rejection],
    state: TrackerState,
    throttle: Throttle,
    now_s: float,
) -> tuple[list[NewEvent], list[Visit]]:
    """Map tracker outcomes to socket events. Rejection notices are throttled per reason."""
    events: list[NewEvent] = []
    visits: list[Visit] = []
    for outcome in outcomes:
        if isinstance(outcome, Rejection):
            if throttle.allow(outcome.reason, now_s):
                events.append(rejected(outcome.reason, outcome.ts_ms, outcome.hold_until_ms))
            continue
        data: dict[str, object] = {"poi": outcome.fence, "ts": outcome.ts_ms}
        presence = None
        if outcome.kind == "visit":
            visit = _visit(outcome, state)
            data["dwell_s"] = visit.dwell_s
            visits.append(visit)
            presence = presence_key(visit.poi, visit.entered_ts_ms)
        events.append(NewEvent(GEO_KINDS[outcome.kind], data, presence))
    return events, visits


def longer_stays(
    before: TrackerState, after: TrackerState, targets_ms: dict[str, tuple[int, ...]]
) -> list[Visit]:
    """Visits whose dwell just crossed a longer dwell step's target: reported again.

    The game stores the longest dwell of one visit (same entry time), so a dwell step of
    15 minutes completes when the player has stood there for 15 minutes.
    """
    if not targets_ms or not any(p.visited and p.fence in targets_ms for p in after.presences):
        return []
    old = {p.fence: p.dwell_ms for p in before.presences}
    visits = []
    for p in after.presences:
        targets = targets_ms.get(p.fence)
        if not (targets and p.visited):
            continue
        previous = old.get(p.fence, 0)
        if any(previous < target <= p.dwell_ms for target in targets):
            visits.append(Visit(p.fence, p.entered_ms, round(p.dwell_ms / 1000, 1), p.last_ms))
    return visits


def rejected(reason: str, ts_ms: int | None, hold_until_ms: int | None = None) -> NewEvent:
    data: dict[str, object] = {"reason": reason, "ts": ts_ms}
    if hold_until_ms is not None:
        data["hold_until"] = hold_until_ms
    return NewEvent("position.rejected", data)


def _visit(event: GeoEvent, state: TrackerState) -> Visit:
    presence = next((p for p in state.presences if p.fence == event.fence), None)
    entered = presence.entered_ms if presence else event.ts_ms
    dwell_s = round((presence.dwell_ms if presence else 0) / 1000, 1)
    return Visit(event.fence, entered, dwell_s, event.ts_ms)


def current_poi(state: TrackerState, bundle: Bundle, quest: str, step: str) -> str | None:
    """The site the player stands at for a quiz: the step's own site if they are there."""
    found = bundle.quest(quest)
    wanted = next((s.poi for s in found.steps if s.id == step), None) if found else None
    inside = [p.fence for p in state.presences if p.last_inside]
    if wanted in inside:
        return wanted
    return inside[0] if inside else None


def without_stale_fences(state: TrackerState, slugs: frozenset[str]) -> TrackerState:
    """Forget presences in fences that a new content version removed."""
    kept = tuple(p for p in state.presences if p.fence in slugs)
    if len(kept) == len(state.presences):
        return state
    return TrackerState(state.recent_ts, state.anchor, state.hold_until_ms, kept)
