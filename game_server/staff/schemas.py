from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from game_server.kit.inputs import Name
from game_server.staff.passwords import MAX_PASSWORD_LENGTH
from game_server.staff.roles import Role

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=64)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Name = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class StaffTokenRead(BaseModel):
    staff_id: uuid.UUID
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="seconds until the token expires; then log in again")
    role: Role


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Name = Field(min_length=3, max_length=254)
    role: Role
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    cities: list[Slug] = Field(
        default=["lecce"], min_length=1, max_length=50, description="comuni the role is held on"
    )


class GrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class StaffRead(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    created_at: datetime
    last_login_at: datetime | None
    disabled_at: datetime | None
    grants: dict[str, Role] = Field(default_factory=dict, description="role per comune")


class WhoAmI(BaseModel):
    subject: str
    role: Role
    grants: dict[str, Role] | None = Field(
        description="role per comune; null: every comune (a token minted with the secret)"
    )
