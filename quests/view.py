"""What the game knows of one player, kept by the player's socket to judge visits in memory.

Most real visits change nothing in the game: the player passes a site again, or a site that no
open step and no badge is waiting for. Loading the player's progress from the database for each
of them (about ten statements) is most of the gateway's cost, so the socket keeps a `GameView`
and asks `quiet_visit` first. A visit is quiet when the pure engine, run on the view, makes no
transition and no badge criterion becomes met; then only the visit itself is recorded (see
`game_server.events.fastlog`). Anything else takes the full unit of work in `quests.service`.

The view is as fresh as the player's event cursor `seq`: every change to a player's progress
(a quest started or completed, a step, a badge, XP) appends an event, so a view read at cursor
`seq` is still exact as long as nobody else has appended to that player's log. The write that
relies on it checks exactly that, under the player's row lock, and falls back otherwise.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    ScalarSelect,
    Select,
    bindparam,
    func,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
from game_server.events.models import EventCursor
from quests.criteria import PlayerRecord, badges_due
from quests.engine import Engine, Snapshot, Visit
from quests.models import PlayDay, PlayerBadge, QuestCompletion, VisitedSite
from quests.models import Visit as VisitRow
from quests.repository import QuestRepository
from quests.schedule import local_day


@dataclass(frozen=True, slots=True)
class GameView:
    seq: int  # the player's event cursor when this was read
    snapshot: Snapshot
    record: PlayerRecord
    owned_badges: frozenset[str]
    last_play_day: date | None
    # A visit's reaction is still owed (a crash between the two): until it is granted, no
    # later visit is judged against this view, which does not know that reaction's outcome.
    owes_reactions: bool = False


# Slugs never contain it: lists of slugs travel as one string per list.
_SEP = "\x1f"


def _joined(slugs: Select[Any] | CompoundSelect[Any]) -> ScalarSelect[str | None]:
    """One string of the (distinct) slugs a query selects; NULL when there are none."""
    rows = (slugs if isinstance(slugs, CompoundSelect) else slugs.distinct()).subquery()
    return select(func.aggregate_strings(rows.c[0], _SEP)).scalar_subquery()


def _slugs(joined: str | None) -> frozenset[str]:
    return frozenset(joined.split(_SEP)) if joined else frozenset()


_PLAYER: BindParameter[uuid.UUID] = bindparam("player_id")
# Built once: building a statement of seven subqueries and its cache key costs more than
# running it. The cursor and the player's record come from one statement, so from one
# snapshot of the database.
_SUMMARY = select(
    select(EventCursor.last_seq).where(EventCursor.player_id == _PLAYER).scalar_subquery(),
    _joined(select(QuestCompletion.quest).where(QuestCompletion.player_id == _PLAYER)),
    _joined(
        union(
            select(VisitRow.poi).where(VisitRow.player_id == _PLAYER),
            select(VisitedSite.poi).where(VisitedSite.player_id == _PLAYER),
        )
    ),
    select(func.count()).where(PlayDay.player_id == _PLAYER).scalar_subquery(),
    select(func.max(PlayDay.day)).where(PlayDay.player_id == _PLAYER).scalar_subquery(),
    _joined(select(PlayerBadge.badge).where(PlayerBadge.player_id == _PLAYER)),
    select(VisitRow.poi).where(VisitRow.player_id == _PLAYER, VisitRow.reaction_pending).exists(),
)


async def load_view(session: AsyncSession, player_id: uuid.UUID) -> GameView:
    """Three round trips: this is read again after every game reaction, and the same reads
    one query each cost about 4.5 ms of CPU. The runs are read after the cursor, so they are
    at least as new as it, never older.
    """
    summary = await session.execute(_SUMMARY, {"player_id": player_id})
    seq, quests, pois, days, last_day, badges, owed = summary.one()
    snapshot = await QuestRepository(session).snapshot(player_id)
    record = PlayerRecord(_slugs(quests), _slugs(pois), int(days))
    return GameView(int(seq or 0), snapshot, record, _slugs(badges), last_day, bool(owed))


def quiet_visit(
    view: GameView, engine: Engine, bundle: Bundle, visit: Visit
) -> tuple[GameView, date | None] | None:
    """The view after a visit that changes nothing but the history, and the new play day it
    adds (None if today is counted already); None when the visit needs the full unit of work."""
    if view.owes_reactions:
        return None
    if engine.team_steps_at(visit.poi):
        return None  # team steps depend on team mates' visits: never judged from one view
    day = local_day(visit.at)
    if view.last_play_day is not None and day < view.last_play_day:
        return None  # a clock going backwards: let the full path sort it out
    if engine.visit(view.snapshot, visit).transitions:
        return None
    new_day = day if view.last_play_day is None or day > view.last_play_day else None
    record = PlayerRecord(
        view.record.completed_quests,
        view.record.visited_pois | {visit.poi},
        view.record.play_days + (1 if new_day else 0),
    )
    if badges_due(bundle.badges, record, engine.pois, view.owned_badges, engine.quest_cities):
        return None
    return replace(view, record=record, last_play_day=new_day or view.last_play_day), new_day
