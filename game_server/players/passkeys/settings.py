"""Passkeys' (WebAuthn) settings."""

from __future__ import annotations

from pydantic import Field

from game_server.kit.settings import KernelSettings


class PasskeySettings(KernelSettings):
    # The relying party id (a domain, e.g. gioca.lecce.it) and the page origins allowed
    # (https://gioca.lecce.it). Empty: taken from the request's Host, which is right behind a
    # proxy that sets it; pin both in production (else they follow LUPIAE_PUBLIC_URL).
    webauthn_rp_id: str = ""
    webauthn_origins: list[str] = Field(default_factory=list)
    passkey_challenge_ttl_s: int = Field(default=300, ge=30, le=3600)
