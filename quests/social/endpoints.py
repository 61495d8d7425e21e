"""Player endpoints of teams, friends, the feed and leaderboards. Every one acts on the caller."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from game_server.kit.clock import utcnow
from game_server.kit.deps import SessionDep
from game_server.kit.inputs import MAX_SAFE_INTEGER
from game_server.players.deps import CurrentPlayer
from quests.social import feed
from quests.social.codes import display
from quests.social.friends import Friend, FriendService
from quests.social.leaderboards import LeaderboardStore, Scope, leaderboard_store
from quests.social.leaderboards.service import Standing, current_city, leaderboard
from quests.social.schemas import (
    CodeBody,
    FeedItemRead,
    FeedRead,
    FriendRead,
    FriendsRead,
    InviteCodeRead,
    LeaderboardRead,
    MyRank,
    PlayerStanding,
    TeamCreate,
    TeamMemberRead,
    TeamRead,
    TeamStanding,
)
from quests.social.settings import SocialSettings
from quests.social.teams import TeamService, TeamView

router = APIRouter(prefix="/v1", tags=["social"])


def _social_settings(request: Request) -> SocialSettings:
    settings: SocialSettings | None = getattr(request.app.state, "social_settings", None)
    return settings or SocialSettings()


async def _store(request: Request, session: SessionDep) -> LeaderboardStore:
    return leaderboard_store(request, session)


SocialSettingsDep = Annotated[SocialSettings, Depends(_social_settings)]
StoreDep = Annotated[LeaderboardStore, Depends(_store)]


def _teams(session: SessionDep, settings: SocialSettingsDep) -> TeamService:
    return TeamService(session, max_members=settings.team_max_members)


TeamServiceDep = Annotated[TeamService, Depends(_teams)]


def _team_read(view: TeamView, max_members: int) -> TeamRead:
    return TeamRead(
        team_id=view.team.id,
        name=view.team.name,
        join_code=display(view.team.join_code),
        member_count=view.team.member_count,
        max_members=max_members,
        members=[TeamMemberRead(display_name=name) for name in view.member_names],
    )


@router.post("/teams", status_code=201)
async def create_team(body: TeamCreate, player: CurrentPlayer, teams: TeamServiceDep) -> TeamRead:
    """Found a contrada; the founder is its first member and gets its join code."""
    return _team_read(await teams.create(player.id, body.name), teams.max_members)


@router.post("/teams/join")
async def join_team(body: CodeBody, player: CurrentPlayer, teams: TeamServiceDep) -> TeamRead:
    """Join by code. Joining one's own team again changes nothing; another team → 409."""
    return _team_read(await teams.join(player.id, body.code), teams.max_members)


@router.post("/teams/leave", status_code=204)
async def leave_team(player: CurrentPlayer, teams: TeamServiceDep) -> Response:
    await teams.leave(player.id)
    return Response(status_code=204)


@router.get("/me/team")
async def my_team(player: CurrentPlayer, teams: TeamServiceDep) -> TeamRead:
    """The caller's team with its members' display names; 404 when not in a team."""
    return _team_read(await teams.mine(player.id), teams.max_members)


@router.get("/me/invite-code")
async def my_invite_code(player: CurrentPlayer, session: SessionDep) -> InviteCodeRead:
    return InviteCodeRead(code=display(await FriendService(session).invite_code(player.id)))


def _friend_read(friend: Friend) -> FriendRead:
    return FriendRead(
        player_id=friend.player_id, display_name=friend.display_name, since=friend.since
    )


@router.post("/friends", status_code=201, responses={200: {"description": "already friends"}})
async def add_friend(
    body: CodeBody, player: CurrentPlayer, session: SessionDep, response: Response
) -> FriendRead:
    """Befriend the owner of an invite code; the friendship is mutual. Idempotent."""
    friend, created = await FriendService(session).befriend(player, body.code)
    if not created:
        response.status_code = 200
    return _friend_read(friend)


@router.get("/friends")
async def list_friends(player: CurrentPlayer, session: SessionDep) -> FriendsRead:
    friends = await FriendService(session).list_for(player.id)
    return FriendsRead(friends=[_friend_read(f) for f in friends])


@router.delete("/friends/{player_id}", status_code=204)
async def remove_friend(
    player_id: uuid.UUID, player: CurrentPlayer, session: SessionDep
) -> Response:
    """End a friendship of the caller's; 404 when that player is not the caller's friend."""
    await FriendService(session).unfriend(player.id, player_id)
    return Response(status_code=204)


@router.get("/feed")
async def activity_feed(
    player: CurrentPlayer,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_SAFE_INTEGER, description="`next_before` of the last page")
    ] = None,
) -> FeedRead:
    """Achievements of the caller, their friends and team mates, newest first. No places."""
    entries = await feed.page(session, player.id, limit=limit, before=before)
    return FeedRead(
        items=[
            FeedItemRead(
                display_name=e.display_name,
                me=e.player_id == player.id,
                kind=e.kind,
                data=e.data,
                at=e.at,
            )
            for e in entries
        ],
        next_before=entries[-1].id if len(entries) == limit else None,
    )


@router.get("/leaderboards/{board}")
async def get_leaderboard(
    board: str,
    player: CurrentPlayer,
    session: SessionDep,
    store: StoreDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    around: Annotated[int, Query(ge=0, le=10)] = 2,
    city: Annotated[
        str | None,
        Query(max_length=64, description="a comune's slug; default: where the caller plays now"),
    ] = None,
) -> LeaderboardRead:
    """`players-weekly`, `players-alltime`, `teams-weekly`, `teams-alltime`, `friends-weekly`,
    `friends-alltime` of one comune (XP counts where it was earned): the top, the caller's own
    rank and the `around` entries either side. Without `city`, the comune of the caller's
    latest visit."""
    loaded = request.app.state.catalog.current
    if city is None:
        poi_cities = {poi.slug: poi.city for poi in loaded.bundle.pois} if loaded else {}
        city = await current_city(session, player.id, poi_cities)
    else:
        request.app.state.catalog.require().city(city)  # 404 for a comune not served
    view = await leaderboard(
        session, store, player.id, board, limit=limit, around=around, now=utcnow(), city=city
    )
    as_teams = view.board.scope is Scope.TEAMS
    return LeaderboardRead(
        city=view.city,
        board=view.board.name,
        period=view.period,
        top=_standings(view.top, as_teams=as_teams, caller=player.id),
        me=MyRank(rank=view.me.rank, score=view.me.score) if view.me else None,
        around_me=_standings(view.around_me, as_teams=as_teams, caller=player.id),
    )


def _standings(
    standings: list[Standing], *, as_teams: bool, caller: uuid.UUID
) -> list[PlayerStanding] | list[TeamStanding]:
    if as_teams:
        return [
            TeamStanding(
                rank=s.rank, team_id=s.member_id, display_name=s.display_name, score=s.score
            )
            for s in standings
        ]
    return [
        PlayerStanding(
            rank=s.rank, display_name=s.display_name, me=s.member_id == caller, score=s.score
        )
        for s in standings
    ]
