"""Player sign-up and token rotation. Never commits: the unit of work does."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from game_server.kit.clock import utcnow
from game_server.kit.errors import Forbidden, NotAuthenticated
from game_server.kit.settings import KernelSettings
from game_server.players.models import Player, RefreshToken
from game_server.players.repository import PlayerRepository
from game_server.players.schemas import TokenPair
from game_server.players.tokens import hash_refresh_token, issue_access_token, new_refresh_token


class RefreshTokenReused(NotAuthenticated):
    """A consumed refresh token came back: someone holds a stolen copy. Revoke the family."""

    commit = True


class AuthService:
    def __init__(self, repository: PlayerRepository, settings: KernelSettings) -> None:
        self.players = repository
        self.settings = settings

    async def create_guest(
        self, display_name: str | None = None, *, signup_client: str | None = None
    ) -> TokenPair:
        name = display_name or f"Viandante {secrets.randbelow(10_000):04d}"
        player = await self.players.add(
            Player(id=uuid.uuid4(), display_name=name, signup_client=signup_client)
        )
        return await self._issue(player.id, family_id=uuid.uuid4(), now=utcnow())

    async def sign_in(self, player_id: uuid.UUID, *, now: datetime) -> TokenPair:
        """A new session (token family) for a player who proved who they are (a passkey)."""
        return await self._issue(player_id, family_id=uuid.uuid4(), now=now)

    async def refresh(self, raw_token: str) -> TokenPair:
        """The next pair of the token's family. The successor of a refresh token is derived
        from it (a keyed hash), so a retry of a refresh whose answer was lost, within
        `refresh_grace_s` and while that successor is unused, gets the same pair back instead
        of revoking the family (docs/security.md, "Refresh")."""
        now = utcnow()
        token = await self.players.find_refresh_token(hash_refresh_token(raw_token))
        if token is None:
            raise NotAuthenticated("unknown refresh token")
        if token.revoked_at is None and token.used_at is not None:
            again = await self._same_pair_again(token, raw_token, now)
            if again is not None:
                return again
        if token.used_at is not None or token.revoked_at is not None:
            await self.players.revoke_family(token.family_id, now)
            raise RefreshTokenReused("refresh token already used; every session of it is revoked")
        if token.expires_at <= now:
            raise NotAuthenticated("the refresh token has expired; sign in again")
        if not await self.players.mark_used(token.id, now):
            await self.players.revoke_family(token.family_id, now)
            raise RefreshTokenReused("refresh token already used; every session of it is revoked")
        player = await self._player(token.player_id)
        return await self._issue(
            player.id, family_id=token.family_id, now=now, raw=self._successor(raw_token)
        )

    async def _player(self, player_id: uuid.UUID) -> Player:
        player = await self.players.get(player_id)
        if player is None:
            raise NotAuthenticated("the player no longer exists")
        if player.banned_at is not None:
            raise Forbidden("this player is banned", reason=player.ban_reason)
        return player

    async def _same_pair_again(
        self, token: RefreshToken, raw_token: str, now: datetime
    ) -> TokenPair | None:
        """The pair a used token was traded for, when it is asked again within the grace
        window and that pair's refresh token is still unused; else None (a reuse)."""
        assert token.used_at is not None
        used_at = token.used_at
        if now - used_at > timedelta(seconds=self.settings.refresh_grace_s):
            return None
        successor_raw = self._successor(raw_token)
        successor = await self.players.find_refresh_token(hash_refresh_token(successor_raw))
        if successor is None or successor.used_at is not None or successor.revoked_at is not None:
            return None
        player = await self._player(token.player_id)
        return self._pair(player.id, successor_raw, issued_at=used_at)

    def _successor(self, raw_token: str) -> str:
        key = self.settings.secret_key.encode()
        digest = hmac.new(key, b"refresh-successor:" + raw_token.encode(), hashlib.sha256)
        return digest.hexdigest()

    def _pair(self, player_id: uuid.UUID, raw: str, *, issued_at: datetime) -> TokenPair:
        """The access token is a function of the player and its issue time (the grace path
        hands back the very same pair)."""
        ttl_s = self.settings.access_token_ttl_s
        access = issue_access_token(
            player_id,
            secret=self.settings.secret_key,
            now=issued_at,
            ttl_s=ttl_s,
            jti=hashlib.sha256(raw.encode()).hexdigest()[:16],
        )
        return TokenPair(
            player_id=player_id, access_token=access, refresh_token=raw, expires_in=ttl_s
        )

    async def _issue(
        self, player_id: uuid.UUID, *, family_id: uuid.UUID, now: datetime, raw: str | None = None
    ) -> TokenPair:
        raw = raw or new_refresh_token()
        await self.players.add_refresh_token(
            RefreshToken(
                id=uuid.uuid4(),
                player_id=player_id,
                family_id=family_id,
                token_hash=hash_refresh_token(raw),
                issued_at=now,
                expires_at=now + timedelta(seconds=self.settings.refresh_token_ttl_s),
            )
        )
        return self._pair(player_id, raw, issued_at=now)
