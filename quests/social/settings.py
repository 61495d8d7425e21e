"""Settings of the social game (teams, leaderboards), read from `LUPIAE_*` like the kernel's."""

from __future__ import annotations

from pydantic import Field

from game_server.kit.settings import KernelSettings


class SocialSettings(KernelSettings):
    team_max_members: int = Field(default=50, ge=1, le=10_000)
    # How long a Redis copy of a board is trusted before it is rebuilt from the database.
    leaderboard_cache_ttl_s: float = Field(default=900.0, ge=1.0, le=86_400.0)
    leaderboard_prefix: str = "lupiae:lb:"
