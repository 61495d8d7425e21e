"""Friends by invite code: each player has one stable code; using it makes a mutual friendship."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.clock import utcnow
from game_server.players.models import Player
from quests.social import codes
from quests.social.exceptions import NotAFriend, SelfFriendship, UnknownCode
from quests.social.repository import FriendRepository

CODE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Friend:
    player_id: uuid.UUID
    display_name: str
    since: datetime


class FriendService:
    """Never commits: the unit of work does."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.friends = FriendRepository(session)

    async def invite_code(self, player_id: uuid.UUID) -> str:
        """The player's code, created on first use and the same ever after."""
        for _ in range(CODE_ATTEMPTS):
            code = await self.friends.invite_code(player_id)
            if code is not None:
                return code
            try:
                async with self.session.begin_nested():
                    await self.friends.add_invite_code(player_id, codes.new_code())
            except IntegrityError:
                continue  # a concurrent first request won, or (rarely) the code was taken
        raise RuntimeError(f"no invite code after {CODE_ATTEMPTS} attempts")

    async def befriend(self, player: Player, raw_code: str) -> tuple[Friend, bool]:
        """Befriend the owner of the code; True when the friendship is new (idempotent)."""
        other_id = await self.friends.owner_of(codes.parse(raw_code))
        if other_id is None:
            raise UnknownCode("no player has this invite code")
        if other_id == player.id:
            raise SelfFriendship("this is your own invite code")
        created = await self.friends.since(player.id, other_id) is None
        if created:
            try:
                async with self.session.begin_nested():
                    await self.friends.befriend(player.id, other_id, utcnow())
            except IntegrityError:
                created = False  # the other player used our code at the same moment
        return await self._friend(player.id, other_id), created

    async def list_for(self, player_id: uuid.UUID) -> list[Friend]:
        return [
            Friend(friend.id, friend.display_name, since)
            for friend, since in await self.friends.friends(player_id)
        ]

    async def unfriend(self, player_id: uuid.UUID, other_id: uuid.UUID) -> None:
        if not await self.friends.unfriend(player_id, other_id):
            raise NotAFriend("this player is not your friend")

    async def _friend(self, player_id: uuid.UUID, other_id: uuid.UUID) -> Friend:
        since = await self.friends.since(player_id, other_id)
        other = await self.session.get(Player, other_id)
        assert since is not None
        assert other is not None
        return Friend(other.id, other.display_name, since)
