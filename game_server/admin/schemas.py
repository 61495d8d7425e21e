"""API models of the admin routes (content, moderation, audit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from game_server.admin.diff import BundleChanges


class ProblemRead(BaseModel):
    file: str
    line: int
    col: int
    message: str


class BundleSummary(BaseModel):
    content_hash: str
    active: bool = Field(description="the same content is already the active version")
    areas: int
    pois: int
    quests: int
    badges: int
    coupons: int
    merchants: int
    quest_slugs: list[str] = Field(default=[], description="the bundle's quests, for previews")
    text: str = Field(description="what `lupiae content validate` prints")


class ValidationReport(BaseModel):
    valid: bool
    problems: list[ProblemRead]
    summary: BundleSummary | None
    changes: BundleChanges | None = Field(
        default=None, description="what publishing this bundle would change (when valid)"
    )


class CityPublishRead(BaseModel):
    city: str
    version_id: int
    content_hash: str
    status: Literal["published", "unchanged", "reactivated"]


class PublishRead(BaseModel):
    version_id: int
    content_hash: str
    status: Literal["published", "unchanged", "reactivated"]
    city: str
    comuni: list[CityPublishRead] = Field(
        default_factory=list, description="one entry per comune when the upload held several"
    )


class ActivateRead(BaseModel):
    city: str
    version_id: int
    content_hash: str
    status: Literal["activated", "unchanged"]
    previous_version_id: int | None


class VersionRead(BaseModel):
    id: int
    city: str
    content_hash: str
    author: str
    published_at: datetime
    activated_at: datetime
    active: bool


class BanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500, description="kept for moderators")


class ModerationRead(BaseModel):
    player_id: uuid.UUID
    display_name: str
    created_at: datetime
    banned_at: datetime | None
    ban_reason: str | None
    sockets_closed: bool | None = Field(
        default=None, description="after a ban: whether every worker was told to close"
    )


class AuditRead(BaseModel):
    source: Literal["staff", "merchant"]
    id: int
    at: datetime
    actor: str
    actor_email: str | None
    role: str | None
    action: str
    target: str | None
    status: int
    detail: dict[str, Any] | None
    city: str | None = None
    client_ip: str | None = Field(
        default=None,
        description="the client's address: the peer's, or X-Forwarded-For's from "
        "LUPIAE_TRUSTED_PROXIES only",
    )
