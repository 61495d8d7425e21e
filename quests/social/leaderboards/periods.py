"""Boards and their periods: what a board name means and which key holds its scores."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from content.model import DEFAULT_CITY, TIMEZONE

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

    def key(self, at: datetime, city: str = DEFAULT_CITY) -> str:
        """The storage key of comune `city`'s board for the period containing `at`.

        Lecce's boards keep the keys they had before there were several comuni (nothing to
        migrate); every other comune's keys start with its slug: `bergamo/players:alltime`.
        """
        scope = Scope.PLAYERS if self.scope is Scope.FRIENDS else self.scope
        key = f"{scope}:{period_label(self.period, at)}"
        return key if city == DEFAULT_CITY else f"{city}/{key}"


def iso_week(at: datetime) -> str:
    """The ISO week of `at` in Lecce's local time, e.g. `2026-W47` (weeks start on Monday)."""
    if at.tzinfo is None:
        raise ValueError("an aware datetime is needed to find the week")
    year, week, _ = at.astimezone(ZoneInfo(TIMEZONE)).isocalendar()
    return f"{year}-W{week:02d}"


def period_label(period: Period, at: datetime) -> str:
    return iso_week(at) if period is Period.WEEKLY else ALLTIME


def score_keys(
    player_id: uuid.UUID, team_id: uuid.UUID | None, at: datetime, city: str = DEFAULT_CITY
) -> list[tuple[str, str]]:
    """Every (key, member) that XP earned at `at` in comune `city` adds to."""
    keys = [
        (Board(Scope.PLAYERS, period).key(at, city), str(player_id))
        for period in (Period.WEEKLY, Period.ALLTIME)
    ]
    if team_id is not None:
        keys += [
            (Board(Scope.TEAMS, period).key(at, city), str(team_id))
            for period in (Period.WEEKLY, Period.ALLTIME)
        ]
    return keys
