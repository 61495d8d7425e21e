"""Position filters: decide whether a fix may earn credit, and why not."""

from __future__ import annotations

from dataclasses import replace

from geo.area import PlayArea
from geo.events import Rejection, RejectionReason
from geo.fix import Fix
from geo.frame import LocalFrame, distance_m
from geo.settings import GeoSettings
from geo.state import Anchor, TrackerState


class FixScreen:
    """Screens one fix against the player's state (SPEC §4), in this order:

    future, stale, duplicate, out_of_order (nothing remembered) → mock, accuracy (only the
    device time is remembered) → teleport (re-anchors and starts the hold),
    implausible_speed (the fix is an outlier and is forgotten) → outside_area (tracked:
    anchors later checks) → teleport again while the hold lasts (tracked).
    """

    __slots__ = (
        "_age_ms",
        "_area",
        "_cooldown_ms",
        "_frame",
        "_future_ms",
        "_max_accuracy_m",
        "_max_speed_mps",
        "_speed_cap_m",
        "_teleport_m",
        "_teleport_window_ms",
        "_window",
    )

    def __init__(self, settings: GeoSettings, frame: LocalFrame, area: PlayArea | None) -> None:
        self._future_ms = round(settings.max_future_s * 1000)
        self._age_ms = round(settings.max_age_s * 1000)
        self._window = settings.duplicate_window
        self._max_accuracy_m = settings.max_accuracy_m
        self._max_speed_mps = settings.max_speed_mps
        self._speed_cap_m = settings.speed_accuracy_cap_m
        self._teleport_m = settings.teleport_distance_m
        self._teleport_window_ms = round(settings.teleport_window_s * 1000)
        self._cooldown_ms = round(settings.teleport_cooldown_s * 1000)
        self._frame = frame
        self._area = None if area is None else area.in_frame(frame)

    def screen(
        self, state: TrackerState, fix: Fix, now_ms: int
    ) -> tuple[TrackerState, Rejection | None, tuple[float, float]]:
        """The state after the checks, the rejection if any, and the fix in frame metres."""
        ts = fix.ts_ms
        rejected = self._check_time(state.recent_ts, ts, now_ms)
        if rejected is not None:
            return state, rejected, (0.0, 0.0)
        recent = (*state.recent_ts[1 - self._window :], ts) if self._window > 1 else (ts,)
        if fix.mock:
            return replace(state, recent_ts=recent), Rejection("mock", ts), (0.0, 0.0)
        if fix.accuracy_m > self._max_accuracy_m:
            return replace(state, recent_ts=recent), Rejection("accuracy", ts), (0.0, 0.0)
        anchor = Anchor(fix.lat, fix.lon, fix.accuracy_m, ts)
        hold_until_ms = state.hold_until_ms
        if state.anchor is not None:
            jump = self._check_movement(state.anchor, fix)
            if jump == "implausible_speed":
                return replace(state, recent_ts=recent), Rejection(jump, ts), (0.0, 0.0)
            if jump == "teleport":
                hold_until_ms = ts + self._cooldown_ms
                held = TrackerState(recent, anchor, hold_until_ms, state.presences)
                return held, Rejection("teleport", ts, hold_until_ms), (0.0, 0.0)
        state = TrackerState(recent, anchor, hold_until_ms, state.presences)
        xy = self._frame.to_xy(fix.lat, fix.lon)
        if self._area is not None and not self._area.contains_xy(*xy):
            return state, Rejection("outside_area", ts), xy
        if ts < hold_until_ms:
            return state, Rejection("teleport", ts, hold_until_ms), xy
        return state, None, xy

    def _check_time(self, recent: tuple[int, ...], ts: int, now_ms: int) -> Rejection | None:
        if ts > now_ms + self._future_ms:
            return Rejection("future", ts)
        if ts < now_ms - self._age_ms:
            return Rejection("stale", ts)
        if recent and ts <= recent[-1]:
            return Rejection("duplicate" if ts in recent else "out_of_order", ts)
        return None

    def _check_movement(self, anchor: Anchor, fix: Fix) -> RejectionReason | None:
        dt_ms = fix.ts_ms - anchor.ts_ms
        moved_m = distance_m(anchor.lat, anchor.lon, fix.lat, fix.lon)
        cap = self._speed_cap_m
        allowance = min(anchor.accuracy_m, cap) + min(fix.accuracy_m, cap)
        moved_m = max(0.0, moved_m - allowance)
        if moved_m > self._teleport_m and dt_ms < self._teleport_window_ms:
            return "teleport"
        if moved_m > self._max_speed_mps * dt_ms / 1000.0:
            return "implausible_speed"
        return None
