"""What the game knows of one player, kept by the player's socket to judge visits in memory.

Most real visits change nothing in the game: the player passes a site again, or a site that no
open step and no badge is waiting for. Loading the player's progress from the database for each
of them (about ten statements) is most of the gateway's cost, so the socket keeps a `GameView`
and asks `quiet_visit` first. A visit is quiet when the pure engine, run on the view, makes no
transition and no badge criterion becomes met; then only the visit itself is recorded (see
`quests.visitlog.postgres`). Anything else takes the full unit of work in `quests.service`.

The view is as fresh as the player's event cursor `seq`: every change to a player's progress
(a quest started or completed, a step, a badge, XP) appends an event, so a view read at cursor
`seq` is still exact as long as nobody else has appended to that player's log. The write that
relies on it checks exactly that, under the player's row lock, and falls back otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    ScalarSelect,
    Select,
    String,
    bindparam,
    cast,
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
from quests.schedule import play_day


@dataclass(frozen=True, slots=True)
class GameView:
    seq: int  # the player's event cursor when this was read
    snapshot: Snapshot
    record: PlayerRecord
    owned_badges: frozenset[str]
    last_play_days: Mapping[str, date]  # per comune: the latest of its play days
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
# Per comune: its number of play days and the latest, as `city|n|YYYY-MM-DD`.
_DAYS = (
    select(PlayDay.city, func.count().label("n"), func.max(PlayDay.day).label("last"))
    .where(PlayDay.player_id == _PLAYER)
    .group_by(PlayDay.city)
    .subquery()
)
_DAYS_JOINED = select(
    func.aggregate_strings(
        _DAYS.c.city + "|" + cast(_DAYS.c.n, String) + "|" + cast(_DAYS.c.last, String), _SEP
    )
).scalar_subquery()
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
    _DAYS_JOINED,
    _joined(select(PlayerBadge.badge).where(PlayerBadge.player_id == _PLAYER)),
    select(VisitRow.poi).where(VisitRow.player_id == _PLAYER, VisitRow.reaction_pending).exists(),
)


async def load_view(session: AsyncSession, player_id: uuid.UUID) -> GameView:
    """Three round trips: this is read again after every game reaction, and the same reads
    one query each cost about 4.5 ms of CPU. The runs are read after the cursor, so they are
    at least as new as it, never older.
    """
    summary = await session.execute(_SUMMARY, {"player_id": player_id})
    seq, quests, pois, days, badges, owed = summary.one()
    snapshot = await QuestRepository(session).snapshot(player_id)
    counts, last = _days(days)
    record = PlayerRecord(_slugs(quests), _slugs(pois), counts)
    return GameView(int(seq or 0), snapshot, record, _slugs(badges), last, bool(owed))


def _days(joined: str | None) -> tuple[dict[str, int], dict[str, date]]:
    counts: dict[str, int] = {}
    last: dict[str, date] = {}
    for item in joined.split(_SEP) if joined else ():
        city, n, day = item.split("|")
        counts[city], last[city] = int(n), date.fromisoformat(day)
    return counts, last


def quiet_visit(
    view: GameView, engine: Engine, bundle: Bundle, visit: Visit
) -> tuple[GameView, tuple[str, date] | None] | None:
    """The view after a visit that changes nothing but the history, and the new play day it
    adds (its comune and local date; None if that day is counted already); None when the
    visit needs the full unit of work."""
    if view.owes_reactions:
        return None
    if engine.team_steps_at(visit.poi):
        return None  # team steps depend on team mates' visits: never judged from one view
    city, day = play_day(bundle, engine.city_of_site(visit.poi), visit.at)
    last = view.last_play_days.get(city)
    if last is not None and day < last:
        return None  # a clock going backwards: let the full path sort it out
    if engine.visit(view.snapshot, visit).transitions:
        return None
    if last is not None and day == last:
        record = replace(view.record, visited_pois=view.record.visited_pois | {visit.poi})
        new_day = None
    else:
        days = {**view.record.play_days, city: view.record.play_days.get(city, 0) + 1}
        record = PlayerRecord(
            view.record.completed_quests, view.record.visited_pois | {visit.poi}, days
        )
        new_day = (city, day)
    if badges_due(bundle.badges, record, engine.pois, view.owned_badges, engine.quest_cities):
        return None
    last_days = view.last_play_days if new_day is None else {**view.last_play_days, city: day}
    return replace(view, record=record, last_play_days=last_days), new_day
