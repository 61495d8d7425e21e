"""Teams ("contrade"): create with a join code, join, leave. At most one team per player.

`team_of` and `members` are what the quest engine calls for team steps and team XP.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.clock import utcnow
from quests.social import codes
from quests.social.exceptions import AlreadyInTeam, NotInTeam, TeamFull, UnknownCode
from quests.social.models import Team
from quests.social.repository import TeamRepository

CODE_ATTEMPTS = 5


async def team_of(session: AsyncSession, player_id: uuid.UUID) -> uuid.UUID | None:
    """The team the player is in now, if any."""
    return await TeamRepository(session).team_id_of(player_id)


async def members(session: AsyncSession, team_id: uuid.UUID) -> list[uuid.UUID]:
    """The team's members, earliest to join first."""
    return await TeamRepository(session).member_ids(team_id)


@dataclass(frozen=True, slots=True)
class TeamView:
    team: Team
    member_names: list[str]


class TeamService:
    """Never commits: the unit of work does."""

    def __init__(self, session: AsyncSession, *, max_members: int) -> None:
        self.session = session
        self.teams = TeamRepository(session)
        self.max_members = max_members

    async def create(self, player_id: uuid.UUID, name: str) -> TeamView:
        if await self.teams.team_id_of(player_id) is not None:
            raise AlreadyInTeam("leave your team before founding another one")
        team = await self._add_with_fresh_code(name)
        await self._seat(player_id, team)
        return await self.view(team.id)

    async def join(self, player_id: uuid.UUID, raw_code: str) -> TeamView:
        """Join by code; joining the team one is already in changes nothing."""
        team = await self.teams.by_code(codes.parse(raw_code))
        if team is None:
            raise UnknownCode("no team has this join code")
        current = await self.teams.team_id_of(player_id)
        if current is not None and current != team.id:
            raise AlreadyInTeam("leave your team before joining another one")
        if current is None:
            await self._seat(player_id, team)
        return await self.view(team.id)

    async def leave(self, player_id: uuid.UUID) -> None:
        """Leave the team, if any: leaving twice is fine. The team and its scores stay."""
        await self.teams.remove_member(player_id)

    async def mine(self, player_id: uuid.UUID) -> TeamView:
        team_id = await self.teams.team_id_of(player_id)
        if team_id is None:
            raise NotInTeam("you are not in a team; create one or join with a code")
        return await self.view(team_id)

    async def view(self, team_id: uuid.UUID) -> TeamView:
        team = await self.teams.get(team_id)
        assert team is not None
        return TeamView(team, await self.teams.member_names(team_id))

    async def _add_with_fresh_code(self, name: str) -> Team:
        for _ in range(CODE_ATTEMPTS):
            team = Team(id=uuid.uuid4(), name=name, join_code=codes.new_code(), member_count=0)
            try:
                async with self.session.begin_nested():
                    return await self.teams.add(team)
            except IntegrityError:
                continue  # 31^8 codes: a collision is rare, two in a row rarer still
        raise RuntimeError(f"no free join code after {CODE_ATTEMPTS} attempts")

    async def _seat(self, player_id: uuid.UUID, team: Team) -> None:
        try:
            async with self.session.begin_nested():
                if not await self.teams.claim_seat(team.id, self.max_members):
                    raise TeamFull(
                        f"this team already has {self.max_members} members",
                        max_members=self.max_members,
                    )
                await self.teams.add_member(player_id, team.id, utcnow())
        except IntegrityError:
            # A concurrent request seated this player first (the key on player_id refused us).
            if await self.teams.team_id_of(player_id) != team.id:
                raise AlreadyInTeam("you joined another team meanwhile") from None
