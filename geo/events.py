"""What the tracker reports: fence events and rejected fixes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EventKind = Literal["enter", "visit", "exit"]
RejectionReason = Literal[
    "accuracy",
    "stale",
    "future",
    "out_of_order",
    "duplicate",
    "implausible_speed",
    "teleport",
    "mock",
    "outside_area",
    "two_places",  # the gateway's: another socket of the player put them elsewhere
]


@dataclass(frozen=True, slots=True)
class GeoEvent:
    """A fence event caused by one accepted fix; ts_ms is that fix's device time."""

    kind: EventKind
    fence: str
    ts_ms: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """A fix that earns no credit, and why. hold_until_ms is set for teleport."""

    reason: RejectionReason
    ts_ms: int
    hold_until_ms: int | None = None


Outcome = GeoEvent | Rejection
