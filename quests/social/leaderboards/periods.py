"""Boards and their periods: what a board name means and which key holds its scores."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from content.model import TIMEZONE

ALLTIME = "alltime"


class Scope(StrEnum):
    PLAYERS = "players"
    TEAMS = "teams"
    FRIENDS = "friends"  # the caller and their friends, ranked on the players' scores


class Period(StrEnum):
    WEEKLY = "weekly"
    ALLTIME = "alltime"


@dataclass(frozen=True, slots=True)
class Board:
    scope: Scope
    period: Period

    @classmethod
    def parse(cls, name: str) -> Board | None:
        """`players-weekly` → Board(PLAYERS, WEEKLY); None when the name is not a board."""
        scope, _, period = name.partition("-")
        try:
            return cls(Scope(scope), Period(period))
        except ValueError:
            return None

    @property
    def name(self) -> str:
        return f"{self.scope}-{self.period}"

    def key(self, at: datetime) -> str:
        """The storage key of this board's scores for the period containing `at`."""
        scope = Scope.PLAYERS if self.scope is Scope.FRIENDS else self.scope
        return f"{scope}:{period_label(self.period, at)}"


def iso_week(at: datetime) -> str:
    """The ISO week of `at` in Lecce's local time, e.g. `2026-W47` (weeks start on Monday)."""
    if at.tzinfo is None:
        raise ValueError("an aware datetime is needed to find the week")
    year, week, _ = at.astimezone(ZoneInfo(TIMEZONE)).isocalendar()
    return f"{year}-W{week:02d}"


def period_label(period: Period, at: datetime) -> str:
    return iso_week(at) if period is Period.WEEKLY else ALLTIME


def score_keys(
    player_id: uuid.UUID, team_id: uuid.UUID | None, at: datetime
) -> list[tuple[str, str]]:
    """Every (key, member) that XP earned at `at` adds to."""
    keys = [
        (Board(Scope.PLAYERS, period).key(at), str(player_id))
        for period in (Period.WEEKLY, Period.ALLTIME)
    ]
    if team_id is not None:
        keys += [
            (Board(Scope.TEAMS, period).key(at), str(team_id))
            for period in (Period.WEEKLY, Period.ALLTIME)
        ]
    return keys
