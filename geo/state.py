"""The per-player tracker state: small, immutable and JSON-safe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Anchor:
    """The last fix accepted as a position: the reference of the movement checks."""

    lat: float
    lon: float
    accuracy_m: float
    ts_ms: int


@dataclass(frozen=True, slots=True)
class Presence:
    """The player is in a fence: entered and not yet exited.

    dwell_ms adds up the time between consecutive credited fixes that were both inside the
    fence proper; last_ms and last_inside describe the latest credited fix.
    """

    fence: str
    entered_ms: int
    last_ms: int
    last_inside: bool
    dwell_ms: int
    inside_fixes: int
    visited: bool


@dataclass(frozen=True, slots=True)
class TrackerState:
    """Everything the tracker remembers about one player; its size is bounded.

    recent_ts holds the last few device timestamps (ordering and duplicates), presences
    the fences the player is in, sorted by slug.
    """

    recent_ts: tuple[int, ...] = ()
    anchor: Anchor | None = None
    hold_until_ms: int = 0
    presences: tuple[Presence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        a = self.anchor
        return {
            "v": _FORMAT,
            "recent_ts": list(self.recent_ts),
            "anchor": None if a is None else [a.lat, a.lon, a.accuracy_m, a.ts_ms],
            "hold_until_ms": self.hold_until_ms,
            "presences": [
                [
                    p.fence,
                    p.entered_ms,
                    p.last_ms,
                    p.last_inside,
                    p.dwell_ms,
                    p.inside_fixes,
                    p.visited,
                ]
                for p in self.presences
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrackerState:
        """Rebuild a state from to_dict(); raises ValueError on anything else."""
        try:
            if data["v"] != _FORMAT:
                raise ValueError(f"unknown tracker state format {data['v']!r}")
            anchor = data["anchor"]
            return cls(
                recent_ts=tuple(_int(t) for t in data["recent_ts"]),
                anchor=None if anchor is None else _anchor(anchor),
                hold_until_ms=_int(data["hold_until_ms"]),
                presences=tuple(sorted((_presence(p) for p in data["presences"]), key=_slug)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed tracker state: {exc!r}") from exc

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.to_dict())

    @classmethod
    def from_bytes(cls, raw: bytes) -> TrackerState:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"malformed tracker state: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError("malformed tracker state: not an object")
        return cls.from_dict(data)


def _slug(p: Presence) -> str:
    return p.fence


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _anchor(raw: list[Any]) -> Anchor:
    lat, lon, accuracy_m, ts_ms = raw
    return Anchor(_float(lat), _float(lon), _float(accuracy_m), _int(ts_ms))


def _presence(raw: list[Any]) -> Presence:
    fence, entered_ms, last_ms, last_inside, dwell_ms, inside_fixes, visited = raw
    if not (isinstance(fence, str) and isinstance(last_inside, bool) and isinstance(visited, bool)):
        raise ValueError(f"malformed presence {raw!r}")
    return Presence(
        fence,
        _int(entered_ms),
        _int(last_ms),
        last_inside,
        _int(dwell_ms),
        _int(inside_fixes),
        visited,
    )
