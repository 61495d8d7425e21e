from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from game_server.staff.passwords import MAX_PASSWORD_LENGTH
from game_server.staff.roles import Role


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class StaffTokenRead(BaseModel):
    staff_id: uuid.UUID
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="seconds until the token expires; then log in again")
    role: Role


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    role: Role
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class StaffRead(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    created_at: datetime
    last_login_at: datetime | None
    disabled_at: datetime | None


class WhoAmI(BaseModel):
    subject: str
    role: Role
