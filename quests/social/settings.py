"""Settings of the social game, read from `LUPIAE_*` like the service's own."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SocialSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LUPIAE_", env_file=".env", extra="ignore")

    team_max_members: int = Field(default=50, ge=1, le=10_000)
    # How long a Redis copy of a board is trusted before it is rebuilt from the database.
    leaderboard_cache_ttl_s: float = Field(default=900.0, ge=1.0, le=86_400.0)
    leaderboard_prefix: str = "lupiae:lb:"
