"""The kernel's settings, read from `LUPIAE_*` environment variables.

Each domain owns its own settings class, a subclass of `KernelSettings` holding its knobs and
their checks (`rewards/settings.py`, `game_server/staff/settings.py`, ...); the wiring composes
them into the one `Settings` the app runs with (`game_server/settings.py`). This class holds
only what every part shares: the environment, the database, Redis, the secret, the players'
tokens, the public address, and the limits of the HTTP and socket transports.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused outside development
MIN_SECRET_KEY_LENGTH = 32


def checkout_root() -> Path | None:
    """The repository this code runs from (an editable install), or None for an installed copy."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "content").is_dir() else None


def default_database_url() -> str:
    """`var/lupiae.sqlite3` of the checkout, whatever the current directory; empty outside one."""
    root = checkout_root()
    return f"sqlite+aiosqlite:///{root / 'var' / 'lupiae.sqlite3'}" if root is not None else ""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingsError(ValueError):
    """Settings that must never reach production."""


class KernelSettings(BaseSettings):
    """What every part reads; a domain's knobs live in its own subclass (see the module)."""

    model_config = SettingsConfigDict(
        env_prefix="LUPIAE_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    env: Environment = Environment.DEVELOPMENT
    # The embedded default lives in the checkout's var/, never in the current directory.
    database_url: str = Field(default_factory=default_database_url)
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    access_token_ttl_s: int = Field(default=900, ge=60, le=86_400)
    refresh_token_ttl_s: int = Field(default=30 * 86_400, ge=3600)
    # A refresh retried this soon after it succeeded (its answer lost on a flaky network)
    # gets the same new pair back rather than revoking the token family; 0: never.
    refresh_grace_s: int = Field(default=30, ge=0, le=300)
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Slow clients (docs/security.md): a request's headers must arrive within
    # header_read_timeout_s of the connection (or of the previous response), its body within
    # body_read_timeout_s of the first read; else 408 and the connection is closed.
    header_read_timeout_s: float = Field(default=10.0, gt=0, le=300)
    body_read_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    log_level: str = "info"
    # How often each worker checks for a newly activated content version (SPEC: < 2 s).
    content_poll_s: float = Field(default=1.0, gt=0, le=60)
    # Realtime gateway (/v1/play); see docs/realtime.md.
    hello_timeout_s: float = Field(default=5.0, gt=0, le=60)
    max_frame_bytes: int = Field(default=65_536, ge=1024, le=4 * 1_048_576)
    frames_per_s: float = Field(default=10.0, gt=0)
    frames_burst: int = Field(default=20, ge=1)
    min_fix_interval_s: float = Field(default=1.0, ge=0)
    # Frames dropped by the rate limit within abuse_window_s before the socket is closed (1008).
    abuse_drops: int = Field(default=100, ge=1)
    abuse_window_s: float = Field(default=10.0, gt=0)
    outbound_queue: int = Field(default=256, ge=8)
    send_timeout_s: float = Field(default=10.0, gt=0)
    # Open /v1/play sockets per worker; beyond, a new socket is closed at once with 1013 (try
    # again later) so that the players already in keep being served. One socket at 1 Hz costs
    # ~0.1 ms of CPU per second and ~27 KiB: 10,000 is more than one core can serve.
    max_sockets: int = Field(default=10_000, ge=1)
    # Admission (docs/security.md): sockets per client address on one worker (1013 beyond),
    # and per player across workers (the oldest is closed with 4001 for the newest).
    max_sockets_per_client: int = Field(default=100, ge=1)
    max_sockets_per_player: int = Field(default=3, ge=1)
    ws_ping_interval_s: float = Field(default=20.0, gt=0)
    ws_ping_timeout_s: float = Field(default=20.0, gt=0)
    # Python's garbage collector: a young-generation threshold well above the default 700 (one
    # young collection per 700 new container objects) keeps a busy worker from collecting all
    # the time, and full collections (which stop the worker while they walk every object) rare.
    # 0 keeps Python's defaults. See docs/operators.md.
    gc_young_threshold: int = Field(default=50_000, ge=0)
    # How often each worker grants game reactions a crash left owed (a visit recorded, its geo
    # events sent, and the worker gone before the game reacted); see docs/realtime.md.
    reaction_sweep_s: float = Field(default=30.0, gt=0, le=3600)
    # Each worker's heartbeat (PostgreSQL); the reactions owed by a worker silent for three
    # beats (killed, stopped) are granted by the others at their next beat.
    heartbeat_s: float = Field(default=1.0, gt=0, le=60)
    # Tasks per worker granting the game's reactions to visits, off the sockets' read loops.
    reaction_workers: int = Field(default=4, ge=1, le=64)
    # Reverse proxies (addresses or networks, e.g. ["172.18.0.0/16"]) whose X-Forwarded-For
    # and X-Forwarded-Proto are believed; empty: none is, the peer's address is the client's.
    trusted_proxies: list[str] = []
    # In production /metrics, /docs and /openapi.json answer only these networks (404 else).
    internal_networks: list[str] = ["127.0.0.0/8", "::1/128"]
    # Browser origins allowed to open /v1/play; empty allows any (native apps send none).
    allowed_origins: list[str] = []
    # The public address the catalogue's URLs are built on (what harvesters reach).
    public_url: str = "http://127.0.0.1:8000"
    # Content uploads to /admin/v1/content/*: a 16 MiB bundle plus multipart overhead.
    max_upload_bytes: int = Field(default=17 * 1_048_576, ge=1024)

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> Self:
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

    @model_validator(mode="after")
    def _require_database_url(self) -> Self:
        if not self.database_url:
            raise ValueError(
                "LUPIAE_DATABASE_URL is not set and this installation has no checkout to keep "
                "its default var/lupiae.sqlite3 in; set it, e.g. "
                "sqlite+aiosqlite:////srv/lupiae/lupiae.sqlite3 or postgresql+asyncpg://..."
            )
        return self

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def backend_url(self) -> str:
        return self.redis_url or "memory://"
