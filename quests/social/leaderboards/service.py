"""A board as the player sees it: the top, their own rank and their neighbours."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from content.model import DEFAULT_CITY
from quests.models import Visit
from quests.social.exceptions import UnknownBoard
from quests.social.leaderboards.periods import Board, Scope, period_label
from quests.social.leaderboards.repository import Entry
from quests.social.leaderboards.stores import LeaderboardStore
from quests.social.repository import FriendRepository, TeamRepository, display_names


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    member_id: uuid.UUID
    display_name: str | None  # None once the player or team is gone
    score: int


@dataclass(frozen=True, slots=True)
class LeaderboardView:
    city: str
    board: Board
    period: str
    top: list[Standing]
    me: Entry | None
    around_me: list[Standing]


async def leaderboard(
    session: AsyncSession,
    store: LeaderboardStore,
    player_id: uuid.UUID,
    name: str,
    *,
    limit: int,
    around: int,
    now: datetime,
    city: str = DEFAULT_CITY,
) -> LeaderboardView:
    """Comune `city`'s board `name`."""
    board = Board.parse(name)
    if board is None:
        raise UnknownBoard(f"no leaderboard called {name!r}", boards=BOARD_NAMES)
    key = board.key(now, city)
    if board.scope is Scope.FRIENDS:
        top, me, near = await _among_friends(session, store, key, player_id, limit, around)
    else:
        member = await _my_member(session, board, player_id)
        top = await store.top(key, limit)
        me, near = await store.around(key, member, around) if member else (None, [])
    names = await _names(session, board, {e.member for e in top + near})
    return LeaderboardView(
        city,
        board,
        period_label(board.period, now),
        [_standing(e, names) for e in top],
        me,
        [_standing(e, names) for e in near],
    )


async def current_city(
    session: AsyncSession, player_id: uuid.UUID, poi_cities: Mapping[str, str]
) -> str:
    """The comune the player plays in now: that of their latest visit (Lecce before any)."""
    stmt = (
        select(Visit.poi)
        .where(Visit.player_id == player_id)
        .order_by(Visit.visited_at.desc())
        .limit(1)
    )
    poi = (await session.execute(stmt)).scalar_one_or_none()
    return poi_cities.get(poi, DEFAULT_CITY) if poi is not None else DEFAULT_CITY


BOARD_NAMES = sorted(f"{scope}-{period}" for scope in Scope for period in ("weekly", "alltime"))


async def _my_member(session: AsyncSession, board: Board, player_id: uuid.UUID) -> str | None:
    if board.scope is Scope.TEAMS:
        team_id = await TeamRepository(session).team_id_of(player_id)
        return str(team_id) if team_id is not None else None
    return str(player_id)


async def _among_friends(
    session: AsyncSession,
    store: LeaderboardStore,
    key: str,
    player_id: uuid.UUID,
    limit: int,
    around: int,
) -> tuple[list[Entry], Entry | None, list[Entry]]:
    friends = await FriendRepository(session).friend_ids(player_id)
    ranked = await store.ranked_among(key, [str(player_id), *map(str, friends)])
    index = next(i for i, e in enumerate(ranked) if e.member == str(player_id))
    near = ranked[max(0, index - around) : index + around + 1]
    return ranked[:limit], ranked[index], near


async def _names(session: AsyncSession, board: Board, members: set[str]) -> dict[str, str]:
    ids = [uuid.UUID(m) for m in members]
    if board.scope is Scope.TEAMS:
        found = await TeamRepository(session).names(ids)
    else:
        found = await display_names(session, ids)
    return {str(member_id): name for member_id, name in found.items()}


def _standing(entry: Entry, names: dict[str, str]) -> Standing:
    return Standing(entry.rank, uuid.UUID(entry.member), names.get(entry.member), entry.score)
