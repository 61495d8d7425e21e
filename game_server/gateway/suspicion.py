"""One player, one place, and suspicious patterns on record, for one socket.

- **Two places**: a socket judges fixes against the state another socket of the player saved
  (see `trackers.TrackerStore.claim`). A fix too far from that socket's last position for the
  time between them (the speed check, with the bounded accuracy allowance) is rejected
  `two_places` and changes nothing.
- **On record**: rejections that no honest phone makes often (mock, implausible speed, a new
  teleport hold, two places) and visits made of a fix seen before (a replayed trace) are put
  on the player's record (`game_server.anticheat`), each kind at most once per socket per
  `REJECTION_RECORD_INTERVAL_S`. Only frames that produced them pay for it.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from game_server.anticheat.rules import REJECTION_KINDS, REJECTION_RECORD_INTERVAL_S, Kind
from game_server.kit.pubsub import Backend, BackendUnavailable
from geo import Anchor, Fix, GeoSettings, Rejection
from geo.frame import distance_m

log = logging.getLogger(__name__)

PRINT_TTL_S = 30 * 86_400

Suspect = tuple[Kind, dict[str, Any]]


def allowance_m(settings: GeoSettings, a: float, b: float) -> float:
    cap = settings.speed_accuracy_cap_m
    return min(a, cap) + min(b, cap)


def elsewhere(settings: GeoSettings, anchor: Anchor, fix: Fix) -> dict[str, Any] | None:
    """Evidence when `fix` cannot be where another socket's `anchor` says the player is."""
    dt_s = abs(fix.ts_ms - anchor.ts_ms) / 1000.0
    apart = distance_m(anchor.lat, anchor.lon, fix.lat, fix.lon)
    moved = apart - allowance_m(settings, anchor.accuracy_m, fix.accuracy_m)
    if moved <= settings.max_speed_mps * dt_s:
        return None
    return {"apart_m": round(apart), "dt_s": round(dt_s, 1)}


def rejection_suspect(
    settings: GeoSettings, rejection: Rejection, anchor: Anchor | None, fix: Fix
) -> Suspect | None:
    kind = REJECTION_KINDS.get(rejection.reason)
    if kind is None:
        return None
    if rejection.reason == "teleport":
        hold = rejection.hold_until_ms
        if hold is None or hold - rejection.ts_ms < settings.teleport_cooldown_s * 1000:
            return None  # the rest of a hold already on record
    evidence: dict[str, Any] = {"reason": rejection.reason, "ts": rejection.ts_ms}
    if anchor is not None and kind in ("speed", "teleport"):
        dt_s = max(0.001, (fix.ts_ms - anchor.ts_ms) / 1000.0)
        apart = distance_m(anchor.lat, anchor.lon, fix.lat, fix.lon)
        evidence.update(
            apart_m=round(apart), dt_s=round(dt_s, 1), claimed_accuracy_m=fix.accuracy_m
        )
    return kind, evidence


class Recorded:
    """When this socket last put each kind on record (monotonic seconds)."""

    __slots__ = ("_at",)

    def __init__(self) -> None:
        self._at: dict[str, float] = {}

    def due(self, suspects: list[Suspect], now_s: float) -> list[Suspect]:
        out = []
        for kind, evidence in suspects:
            last = self._at.get(kind)
            if last is None or now_s - last >= REJECTION_RECORD_INTERVAL_S:
                self._at[kind] = now_s
                out.append((kind, evidence))
        return out


def fingerprint(fix: Fix) -> str:
    """Exactly this fix's position and accuracy: a real phone does not report the same
    floating-point coordinates and accuracy for two visits."""
    text = f"{fix.lat!r},{fix.lon!r},{fix.accuracy_m!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _whose(player_id: uuid.UUID) -> bytes:
    """Who made the visit, without naming them: erasing a player leaves no id behind."""
    return hashlib.sha256(f"visitprint:{player_id}".encode()).hexdigest()[:16].encode()


async def replayed(backend: Backend, player_id: uuid.UUID, poi: str, fix: Fix) -> Suspect | None:
    """Remember the fix that made a visit; a suspect when someone's visit had it before."""
    key = f"lupiae:visitprint:{fingerprint(fix)}"
    whose = _whose(player_id)
    try:
        if await backend.set(key, whose, ttl_s=PRINT_TTL_S, only_if_absent=True):
            return None
        first = await backend.get(key)
    except BackendUnavailable as exc:
        log.debug("visit fingerprint not checked: %s", exc)  # the outage is logged once
        return None
    return "replay", {"poi": poi, "ts": fix.ts_ms, "same_player": first == whose}
