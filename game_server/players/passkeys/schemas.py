from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class CredentialBody(BaseModel):
    """What `navigator.credentials.create()` / `.get()` returned, as JSON (base64url fields),
    e.g. from @simplewebauthn/browser's startRegistration / startAuthentication."""

    credential: dict[str, Any] = Field(description="the PublicKeyCredential as JSON")


class PasskeyRead(BaseModel):
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None
