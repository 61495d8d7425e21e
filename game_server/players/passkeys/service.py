"""Register a passkey for the signed-in player; sign in with one. Never commits: the unit of
work does. py_webauthn verifies the attestation and assertion signatures, origin and RP id."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from game_server.kit.clock import utcnow
from game_server.kit.errors import Conflict, Forbidden, NotAuthenticated, Unprocessable
from game_server.players.models import Player
from game_server.players.passkeys import challenges
from game_server.players.passkeys.models import Passkey
from game_server.players.passkeys.repository import PasskeyRepository
from game_server.players.passkeys.settings import PasskeySettings
from game_server.players.repository import PlayerRepository
from game_server.players.schemas import TokenPair
from game_server.players.service import AuthService

RP_NAME = "Lupiae"


class BadCredential(Unprocessable):
    slug = "passkey-invalid"


class PasskeyRefused(NotAuthenticated):
    slug = "passkey-refused"


class PasskeyTaken(Conflict):
    slug = "passkey-registered"


@dataclass(frozen=True)
class RelyingParty:
    """Who the passkeys are for: the RP id (a domain) and the page origins allowed."""

    rp_id: str
    origins: list[str]


class PasskeyService:
    def __init__(self, session: Any, settings: PasskeySettings) -> None:
        self.passkeys = PasskeyRepository(session)
        self.players = PlayerRepository(session)
        self.settings = settings

    def _challenge(self, purpose: challenges.Purpose, player_id: uuid.UUID | None) -> bytes:
        expires = int(time.time()) + self.settings.passkey_challenge_ttl_s
        return challenges.issue(self.settings.secret_key, purpose, player_id, expires)

    async def registration_options(self, player: Player, rp: RelyingParty) -> dict[str, Any]:
        existing = await self.passkeys.of_player(player.id)
        options = generate_registration_options(
            rp_id=rp.rp_id,
            rp_name=RP_NAME,
            user_id=player.id.bytes,
            user_name=player.display_name,
            user_display_name=player.display_name,
            challenge=self._challenge("register", player.id),
            timeout=self.settings.passkey_challenge_ttl_s * 1000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.PREFERRED,
            ),
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=p.credential_id) for p in existing
            ],
        )
        return _json(options_to_json(options))

    async def register(
        self, player: Player, credential: dict[str, Any], rp: RelyingParty
    ) -> Passkey:
        challenge = await self._spend(credential, "register", player.id)
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=rp.rp_id,
                expected_origin=rp.origins,
            )
        except InvalidRegistrationResponse as exc:
            raise BadCredential(f"the passkey could not be verified: {exc}") from None
        transports = credential.get("response", {}).get("transports") or []
        passkey = Passkey(
            id=uuid.uuid4(),
            player_id=player.id,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=",".join(str(t) for t in transports)[:200],
            created_at=utcnow(),
        )
        if not await self.passkeys.add(passkey):
            raise PasskeyTaken("this passkey is already registered")
        if player.upgraded_at is None:
            # No longer a guest: coupons whose evidence asks for an upgraded account
            # (`upgraded_account`, docs/anti-cheat.md) count this player from now on.
            player.upgraded_at = passkey.created_at
        return passkey

    def login_options(self, rp: RelyingParty) -> dict[str, Any]:
        options = generate_authentication_options(
            rp_id=rp.rp_id,
            challenge=self._challenge("login", None),
            timeout=self.settings.passkey_challenge_ttl_s * 1000,
            user_verification=UserVerificationRequirement.PREFERRED,
        )
        return _json(options_to_json(options))

    async def login(self, credential: dict[str, Any], rp: RelyingParty) -> TokenPair:
        passkey = await self.passkeys.by_credential(_raw_id(credential))
        if passkey is None:
            raise PasskeyRefused("this passkey is not registered here")
        challenge = await self._spend(credential, "login", None)
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=rp.rp_id,
                expected_origin=rp.origins,
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
            )
        except InvalidAuthenticationResponse as exc:
            raise PasskeyRefused(f"the passkey could not be verified: {exc}") from None
        player = await self.players.get(passkey.player_id)
        if player is None:
            raise PasskeyRefused("the player no longer exists")
        if player.banned_at is not None:
            raise Forbidden("this player is banned", reason=player.ban_reason)
        now = utcnow()
        await self.passkeys.used(passkey.id, verified.new_sign_count, now)
        return await AuthService(self.players, self.settings).sign_in(player.id, now=now)

    async def _spend(
        self, credential: dict[str, Any], purpose: challenges.Purpose, player_id: uuid.UUID | None
    ) -> bytes:
        """The challenge the authenticator signed, checked and recorded as used."""
        challenge = _client_challenge(credential)
        expires_s = challenges.check(
            self.settings.secret_key, challenge, purpose, player_id, time.time()
        )
        expires = datetime.fromtimestamp(expires_s, UTC)
        if not await self.passkeys.spend_challenge(challenges.digest(challenge), expires, utcnow()):
            raise challenges.BadChallenge("this challenge was answered already")
        return challenge


def _json(text: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(text)
    return value


def _client_challenge(credential: dict[str, Any]) -> bytes:
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        return base64url_to_bytes(client_data["challenge"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BadCredential(f"malformed credential: {exc!r}") from None


def _raw_id(credential: dict[str, Any]) -> bytes:
    try:
        return base64url_to_bytes(str(credential["rawId"]))
    except (KeyError, ValueError) as exc:
        raise BadCredential(f"malformed credential: {exc!r}") from None
