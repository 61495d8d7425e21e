"""Runtime settings, read from `LUPIAE_*` environment variables."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused outside development
MIN_SECRET_KEY_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingsError(ValueError):
    """Settings that must never reach production."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LUPIAE_", env_file=".env", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///var/lupiae.sqlite3"
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    access_token_ttl_s: int = Field(default=900, ge=60, le=86_400)
    refresh_token_ttl_s: int = Field(default=30 * 86_400, ge=3600)
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024)
    log_level: str = "info"
    # How often each worker checks for a newly activated content version (SPEC: < 2 s).
    content_poll_s: float = Field(default=1.0, gt=0, le=60)
    # Positions kept for moderation and debugging; SPEC §6 caps it at 30 days.
    position_retention_days: int = Field(default=30, ge=0, le=30)
    # Merchant API (rewards/): brute-force limits per API key, void window, idempotency.
    merchant_lookups_per_min: int = Field(default=60, ge=1)
    merchant_failed_redemptions_per_min: int = Field(default=10, ge=1)
    redemption_void_window_s: int = Field(default=600, ge=0)
    idempotency_ttl_s: int = Field(default=86_400, ge=60)
    idempotency_lease_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Settings:
        if self.env is not Environment.PRODUCTION:
            return self
        if self.secret_key == DEV_SECRET_KEY:
            raise InsecureSettingsError(
                "LUPIAE_SECRET_KEY is the development default; set a random secret of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`) before running with LUPIAE_ENV=production"
            )
        if len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            raise InsecureSettingsError(
                f"LUPIAE_SECRET_KEY is {len(self.secret_key)} characters long; "
                f"LUPIAE_ENV=production needs at least {MIN_SECRET_KEY_LENGTH}"
            )
        return self

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def backend_url(self) -> str:
        return self.redis_url or "memory://"
