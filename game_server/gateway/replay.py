"""Bring a saved tracker state up to what the event log says happened.

The tracker state is saved in the shared backend after the events it produced are stored; a
worker killed in between leaves an older state behind, and a Redis restart loses it. Either way
the player's next socket would report again what is already in the log — a second `poi.enter`
for the same stay, a second visit. So on connect the state is replayed forward from the log:
the `poi.*` events stored after the `seq` the state was saved at (or, with no saved state, the
player's last few events) open, mark visited and close presences. The replay is idempotent:
an event the state already reflects changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from game_server.events.log import StoredEvent
from geo import TrackerState
from geo.state import Presence

# With no saved state, how far back the log is read to find presences still open.
REPLAY_WINDOW = 200


def replay(state: TrackerState, events: Iterable[StoredEvent]) -> TrackerState:
    presences = {p.fence: p for p in state.presences}
    for event in events:
        poi, ts = event.data.get("poi"), event.data.get("ts")
        if not isinstance(poi, str) or not isinstance(ts, int):
            continue
        known = presences.get(poi)
        if event.kind == "poi.enter":
            if known is None or known.entered_ms < ts:
                presences[poi] = Presence(poi, ts, ts, True, 0, 1, False)
        elif event.kind == "poi.visit":
            if known is not None and not known.visited and known.entered_ms <= ts:
                dwell_ms = max(known.dwell_ms, int(float(event.data.get("dwell_s", 0)) * 1000))
                last_ms = max(known.last_ms, ts)
                presences[poi] = replace(known, visited=True, dwell_ms=dwell_ms, last_ms=last_ms)
        elif event.kind == "poi.exit" and known is not None and known.entered_ms <= ts:
            del presences[poi]
    kept = tuple(sorted(presences.values(), key=lambda p: p.fence))
    if kept == state.presences:
        return state
    return TrackerState(state.recent_ts, state.anchor, state.hold_until_ms, kept)
