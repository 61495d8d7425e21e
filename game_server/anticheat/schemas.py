"""API models of the anti-cheat admin routes and the attestation endpoint."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RecordRead(BaseModel):
    at: datetime
    kind: str
    score: float
    evidence: dict[str, Any]


class HeldCouponRead(BaseModel):
    code: str
    template: str
    reason: str = Field(description="what earned it: quest:<slug>:<run>")
    state: str
    hold_reason: str | None = Field(
        description="Why it is held or was refused, in the API's language (`?lang=`, "
        "Accept-Language)"
    )
    issued_at: datetime
    expires_at: datetime | None


class PlayerRiskRead(BaseModel):
    player_id: uuid.UUID
    display_name: str | None
    created_at: datetime | None
    risk: float = Field(description="sum of record scores over the last 30 days")
    records: int
    last_at: datetime
    threshold: float
    evidence: list[RecordRead] = Field(description="the most recent records, newest first")
    held_coupons: list[HeldCouponRead]


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=500)


class AttestationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(pattern=r"^(play_integrity|app_attest|test)$")
    token: str = Field(min_length=1, max_length=8192)


class AttestationRead(BaseModel):
    attested: bool
    valid_for_s: int
