from __future__ import annotations

import uuid
from datetime import UTC, datetime

from game_server.events.log import StoredEvent
from game_server.gateway.replay import replay
from geo import TrackerState
from geo.state import Presence

PID = uuid.uuid4()
AT = datetime(2026, 11, 30, tzinfo=UTC)


def _event(seq: int, kind: str, poi: str, ts: int, **data: object) -> StoredEvent:
    return StoredEvent(PID, seq, kind, {"poi": poi, "ts": ts, **data}, AT)


def test_replay_opens_marks_and_closes_presences_from_the_log() -> None:
    events = [
        _event(1, "poi.enter", "duomo", 1_000),
        _event(2, "poi.enter", "villa", 2_000),
        _event(3, "poi.visit", "duomo", 26_000, dwell_s=25.0),
        _event(4, "poi.exit", "villa", 30_000),
        _event(5, "xp.gained", "-", 0),
    ]
    state = replay(TrackerState(), events)
    assert state.presences == (Presence("duomo", 1_000, 26_000, True, 25_000, 1, True),)
    assert replay(state, events) == state  # idempotent


def test_replay_keeps_what_the_state_already_knows_better() -> None:
    known = Presence("duomo", 5_000, 40_000, True, 35_000, 36, True)
    state = TrackerState(presences=(known,))
    older = [_event(1, "poi.enter", "duomo", 1_000), _event(2, "poi.exit", "duomo", 3_000)]
    assert replay(state, older) is state
    again = [_event(3, "poi.visit", "duomo", 30_000, dwell_s=25.0)]
    assert replay(state, again) is state
