from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from game_server.kit.inputs import Name


class TokenPair(BaseModel):
    player_id: uuid.UUID
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="seconds until the access token expires")


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=16, max_length=200)


class GuestRequest(BaseModel):
    display_name: Name | None = Field(default=None, min_length=1, max_length=40)


class PlayerRead(BaseModel):
    player_id: uuid.UUID
    display_name: str
    created_at: datetime
