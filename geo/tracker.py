"""The per-player fence tracker: fixes in, enter / visit / exit events out."""

from __future__ import annotations

from collections.abc import Iterable

from geo.area import PlayArea
from geo.events import GeoEvent, Outcome
from geo.filters import FixScreen
from geo.fix import Fix
from geo.index import FenceIndex
from geo.settings import GeoSettings
from geo.state import Presence, TrackerState


class Tracker:
    """Pure and stateless: process() maps (state, fix, now) to (new state, outcomes).

    A fix either earns credit and may produce events, or is rejected with one reason
    and produces no event (see docs/geofencing.md).
    """

    __slots__ = ("_dwell_ms", "_enter_m", "_exit_m", "_gap_ms", "_min_fixes", "_screen", "index")

    def __init__(
        self, settings: GeoSettings, index: FenceIndex, area: PlayArea | None = None
    ) -> None:
        self.index = index
        self._screen = FixScreen(settings, index.frame, area)
        self._enter_m = settings.enter_margin_m
        self._exit_m = settings.exit_margin_m
        self._gap_ms = round(settings.dwell_max_gap_s * 1000)
        self._min_fixes = settings.min_dwell_fixes
        default_ms = round(settings.dwell_s * 1000)
        self._dwell_ms = {
            f.slug: default_ms if f.dwell_s is None else round(f.dwell_s * 1000)
            for f in index.fences
        }

    def process(
        self, state: TrackerState, fix: Fix, now_ms: int
    ) -> tuple[TrackerState, list[Outcome]]:
        """Evaluate one fix received at server time now_ms."""
        state, rejection, (x, y) = self._screen.screen(state, fix, now_ms)
        if rejection is not None:
            return state, [rejection]
        presences, events = self._update_fences(state.presences, fix, x, y)
        if presences is state.presences:
            return state, events
        return TrackerState(state.recent_ts, state.anchor, state.hold_until_ms, presences), events

    def process_batch(
        self, state: TrackerState, fixes: Iterable[Fix], now_ms: int
    ) -> tuple[TrackerState, list[Outcome]]:
        """Evaluate buffered fixes in device-time order; same result as one by one."""
        outcomes: list[Outcome] = []
        for fix in sorted(fixes, key=_device_order):
            state, produced = self.process(state, fix, now_ms)
            outcomes.extend(produced)
        return state, outcomes

    def _update_fences(
        self, presences: tuple[Presence, ...], fix: Fix, x: float, y: float
    ) -> tuple[tuple[Presence, ...], list[Outcome]]:
        inside = set(self.index.containing_xy(x, y))
        if not inside and not presences:
            return presences, []
        ts = fix.ts_ms
        exit_m = max(self._exit_m, fix.accuracy_m)
        exits: list[Outcome] = []
        later: list[Outcome] = []  # visits of ongoing presences, then enters
        kept: list[Presence] = []
        for p in presences:
            is_inside = p.fence in inside
            if is_inside:
                inside.discard(p.fence)
            elif self.index.signed_distance_xy(p.fence, x, y) > exit_m:
                exits.append(GeoEvent("exit", p.fence, ts))
                continue
            # Dwell keeps counting after the visit: the game has longer dwell steps than the
            # visit's own dwell (a quarter of an hour in the park).
            now = self._dwell(p, ts, is_inside)
            if now.visited and not p.visited:
                later.append(GeoEvent("visit", p.fence, ts))
            kept.append(now)
        if inside:
            for p in self._enter(sorted(inside), x, y, ts):
                kept.append(p)
                later.append(GeoEvent("enter", p.fence, ts))
                if p.visited:
                    later.append(GeoEvent("visit", p.fence, ts))
            kept.sort(key=_slug)
        return tuple(kept), [*exits, *later]

    def _enter(self, slugs: list[str], x: float, y: float, ts: int) -> list[Presence]:
        entered = []
        for slug in slugs:
            if self._enter_m > 0 and self.index.signed_distance_xy(slug, x, y) > -self._enter_m:
                continue
            ready = self._min_fixes <= 1 and self._dwell_ms[slug] == 0
            entered.append(Presence(slug, ts, ts, True, 0, 1, ready))
        return entered

    def _dwell(self, p: Presence, ts: int, is_inside: bool) -> Presence:
        dwell_ms = p.dwell_ms
        if is_inside and p.last_inside and ts - p.last_ms <= self._gap_ms:
            dwell_ms += ts - p.last_ms
        fixes = p.inside_fixes + is_inside
        visited = p.visited or (
            is_inside and fixes >= self._min_fixes and dwell_ms >= self._dwell_ms.get(p.fence, 0)
        )
        return Presence(p.fence, p.entered_ms, ts, is_inside, dwell_ms, fixes, visited)


def _slug(p: Presence) -> str:
    return p.fence


def _device_order(fix: Fix) -> tuple[int, float, float, float, bool]:
    return fix.ts_ms, fix.lat, fix.lon, fix.accuracy_m, fix.mock
