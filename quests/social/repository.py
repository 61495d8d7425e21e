"""All SQL of teams, friends and the feed (the leaderboards keep theirs in leaderboards/)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, delete, or_, select, union, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.players.models import Player
from quests.social.models import FeedItem, Friendship, InviteCode, Team, TeamMember


class TeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, team: Team) -> Team:
        self.session.add(team)
        await self.session.flush()
        return team

    async def get(self, team_id: uuid.UUID) -> Team | None:
        return await self.session.get(Team, team_id, populate_existing=True)

    async def by_code(self, code: str) -> Team | None:
        return await self.session.scalar(select(Team).where(Team.join_code == code))

    async def team_id_of(self, player_id: uuid.UUID) -> uuid.UUID | None:
        stmt = select(TeamMember.team_id).where(TeamMember.player_id == player_id)
        return await self.session.scalar(stmt)

    async def claim_seat(self, team_id: uuid.UUID, max_members: int) -> bool:
        """One more member, unless the team is full. The row lock makes it race-proof."""
        stmt = (
            update(Team)
            .where(Team.id == team_id, Team.member_count < max_members)
            .values(member_count=Team.member_count + 1)
        )
        return await self._changed(stmt) == 1

    async def add_member(self, player_id: uuid.UUID, team_id: uuid.UUID, at: datetime) -> None:
        self.session.add(TeamMember(player_id=player_id, team_id=team_id, joined_at=at))
        await self.session.flush()

    async def remove_member(self, player_id: uuid.UUID) -> uuid.UUID | None:
        stmt = (
            delete(TeamMember)
            .where(TeamMember.player_id == player_id)
            .returning(TeamMember.team_id)
        )
        team_id = (await self.session.execute(stmt)).scalar_one_or_none()
        if team_id is not None:
            release = (
                update(Team)
                .where(Team.id == team_id, Team.member_count > 0)
                .values(member_count=Team.member_count - 1)
            )
            await self.session.execute(release)
        return team_id

    async def member_ids(self, team_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = (
            select(TeamMember.player_id)
            .where(TeamMember.team_id == team_id)
            .order_by(TeamMember.joined_at, TeamMember.player_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def member_names(self, team_id: uuid.UUID) -> list[str]:
        stmt = (
            select(Player.display_name)
            .join(TeamMember, TeamMember.player_id == Player.id)
            .where(TeamMember.team_id == team_id)
            .order_by(TeamMember.joined_at, Player.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def names(self, team_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not team_ids:
            return {}
        stmt = select(Team.id, Team.name).where(Team.id.in_(list(team_ids)))
        return {team_id: name for team_id, name in (await self.session.execute(stmt)).all()}

    async def _changed(self, stmt: Any) -> int:
        result = await self.session.execute(stmt)
        assert isinstance(result, CursorResult)
        return result.rowcount


class FriendRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def invite_code(self, player_id: uuid.UUID) -> str | None:
        stmt = select(InviteCode.code).where(InviteCode.player_id == player_id)
        return await self.session.scalar(stmt)

    async def add_invite_code(self, player_id: uuid.UUID, code: str) -> None:
        self.session.add(InviteCode(player_id=player_id, code=code))
        await self.session.flush()

    async def owner_of(self, code: str) -> uuid.UUID | None:
        stmt = select(InviteCode.player_id).where(InviteCode.code == code)
        return await self.session.scalar(stmt)

    async def since(self, a: uuid.UUID, b: uuid.UUID) -> datetime | None:
        low, high = sorted((a, b))
        stmt = select(Friendship.created_at).where(
            Friendship.low_id == low, Friendship.high_id == high
        )
        return await self.session.scalar(stmt)

    async def befriend(self, a: uuid.UUID, b: uuid.UUID, at: datetime) -> None:
        low, high = sorted((a, b))
        self.session.add(Friendship(low_id=low, high_id=high, created_at=at))
        await self.session.flush()

    async def unfriend(self, a: uuid.UUID, b: uuid.UUID) -> bool:
        low, high = sorted((a, b))
        stmt = delete(Friendship).where(Friendship.low_id == low, Friendship.high_id == high)
        result = await self.session.execute(stmt)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def friends(self, player_id: uuid.UUID) -> list[tuple[Player, datetime]]:
        other = friend_of(player_id).subquery()
        stmt = (
            select(Player, other.c.since)
            .join(other, other.c.friend_id == Player.id)
            .order_by(Player.display_name, Player.id)
        )
        return [(player, since) for player, since in (await self.session.execute(stmt)).all()]

    async def friend_ids(self, player_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = select(friend_of(player_id).subquery().c.friend_id)
        return list((await self.session.scalars(stmt)).all())


def friend_of(player_id: uuid.UUID) -> Select[tuple[uuid.UUID, datetime]]:
    """(friend_id, since) for every friend of `player_id`, whichever side of the pair it is."""
    friend_id = case(
        (Friendship.low_id == player_id, Friendship.high_id), else_=Friendship.low_id
    ).label("friend_id")
    return select(friend_id, Friendship.created_at.label("since")).where(
        or_(Friendship.low_id == player_id, Friendship.high_id == player_id)
    )


class FeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, item: FeedItem) -> None:
        self.session.add(item)
        await self.session.flush()

    async def circle_page(
        self, player_id: uuid.UUID, *, limit: int, before: int | None
    ) -> list[tuple[FeedItem, str]]:
        """Newest first: the items of the player, their friends and their team mates."""
        stmt = (
            select(FeedItem, Player.display_name)
            .join(Player, Player.id == FeedItem.player_id)
            .where(FeedItem.player_id.in_(_circle(player_id)))
            .order_by(FeedItem.id.desc())
            .limit(limit)
        )
        if before is not None:
            stmt = stmt.where(FeedItem.id < before)
        return [(item, name) for item, name in (await self.session.execute(stmt)).all()]


def _circle(player_id: uuid.UUID) -> Any:
    my_team = select(TeamMember.team_id).where(TeamMember.player_id == player_id)
    friends = select(friend_of(player_id).subquery().c.friend_id)
    mates = select(TeamMember.player_id).where(TeamMember.team_id.in_(my_team))
    me = select(Player.id).where(Player.id == player_id)
    return union(friends, mates, me)


async def display_names(
    session: AsyncSession, player_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not player_ids:
        return {}
    stmt = select(Player.id, Player.display_name).where(Player.id.in_(list(player_ids)))
    return {player_id: name for player_id, name in (await session.execute(stmt)).all()}
