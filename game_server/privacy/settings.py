"""Retention (SPEC §6): how long what says where a player was is kept."""

from __future__ import annotations

from pydantic import Field

from game_server.kit.settings import KernelSettings


class PrivacySettings(KernelSettings):
    # Visit rows (a position's trace: who was where, when) are pruned after this many days;
    # SPEC §6 caps it at 30. Aggregates (visited sites, open-data cells) outlive them.
    position_retention_days: int = Field(default=30, ge=1, le=30)
    # Events older than this may be pruned; a resume from before them gets `resync`.
    event_retention_days: int = Field(default=30, ge=1)
    # The tracker's stored state (the last accepted fix) expires this long after its last
    # save: soon after the socket closes. See game_server/gateway/trackers.py.
    tracker_linger_s: float = Field(default=900.0, ge=10, le=6 * 3600)
