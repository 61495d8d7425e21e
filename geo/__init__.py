"""Pure geometry and movement: fences, the spatial index, the play area and the tracker.

No I/O and no framework imports; see docs/geofencing.md for the semantics.
"""

from geo.area import PlayArea
from geo.atlas import Atlas, Region
from geo.events import EventKind, GeoEvent, Outcome, Rejection, RejectionReason
from geo.fences import Fence
from geo.fix import Fix
from geo.frame import LocalFrame, distance_m
from geo.index import FenceIndex
from geo.settings import GeoSettings
from geo.state import Anchor, Presence, TrackerState
from geo.tracker import Tracker

__all__ = [
    "Anchor",
    "Atlas",
    "EventKind",
    "Fence",
    "FenceIndex",
    "Fix",
    "GeoEvent",
    "GeoSettings",
    "LocalFrame",
    "Outcome",
    "PlayArea",
    "Presence",
    "Region",
    "Rejection",
    "RejectionReason",
    "Tracker",
    "TrackerState",
    "distance_m",
]
