"""All SQL about passkeys and used ceremony challenges."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.players.passkeys.models import Passkey, UsedChallenge


class PasskeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_player(self, player_id: uuid.UUID) -> list[Passkey]:
        stmt = select(Passkey).where(Passkey.player_id == player_id).order_by(Passkey.created_at)
        return list((await self.session.execute(stmt)).scalars())

    async def by_credential(self, credential_id: bytes) -> Passkey | None:
        stmt = select(Passkey).where(Passkey.credential_id == credential_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add(self, passkey: Passkey) -> bool:
        """False when that credential is already registered (to anyone)."""
        try:
            async with self.session.begin_nested():
                self.session.add(passkey)
        except IntegrityError:
            return False
        return True

    async def used(self, passkey_id: uuid.UUID, sign_count: int, now: datetime) -> None:
        stmt = (
            update(Passkey)
            .where(Passkey.id == passkey_id)
            .values(sign_count=sign_count, last_used_at=now)
        )
        await self.session.execute(stmt)

    async def spend_challenge(
        self, challenge_hash: str, expires_at: datetime, now: datetime
    ) -> bool:
        """Record a challenge as answered; False when it was answered before (a replay)."""
        await self.session.execute(delete(UsedChallenge).where(UsedChallenge.expires_at < now))
        try:
            async with self.session.begin_nested():
                self.session.add(
                    UsedChallenge(challenge_hash=challenge_hash, expires_at=expires_at)
                )
        except IntegrityError:
            return False
        return True
