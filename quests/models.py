"""Quest progress tables. Each grant has a unique key, so the database refuses a second one."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from content.model import DEFAULT_CITY
from game_server.kit.db import Base, UTCDateTime

SLUG = 80
_PLAYER_FK = "players.id"


class Visit(Base):
    """A real visit reported by the geo engine; the same visit replayed is the same row."""

    __tablename__ = "visits"
    __table_args__ = (
        Index(None, "poi", "team_id", "visited_at"),
        # Retention and the open-data build read visits by time.
        Index(None, "visited_at"),
        # Few rows at any time: the sweep reads them without scanning the history.
        Index(
            "ix_visits_reaction_pending",
            "player_id",
            postgresql_where=text("reaction_pending"),
            sqlite_where=text("reaction_pending"),
        ),
    )

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_PLAYER_FK, ondelete="CASCADE"), primary_key=True
    )
    poi: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    entered_ts_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dwell_s: Mapped[float | None] = mapped_column(Float)
    # The player's team when the visit happened (team steps count these); no FK on purpose:
    # teams are another domain's and a visit must outlive a team change.
    team_id: Mapped[uuid.UUID | None]
    # Recorded, and its geo events sent, ahead of the game's reaction, which is still owed:
    # `quests.service.GameService.react_to_pending` grants it and clears this, exactly once.
    reaction_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The worker that recorded it ahead and owes the reaction (`game_server.kit.liveness`): when
    # that worker stops beating, any worker's sweep grants it at once.
    reaction_owner: Mapped[str | None] = mapped_column(String(100))


class QuestRun(Base):
    """Run `run_no` (from 1) of a quest by a player; a new run needs the previous completed."""

    __tablename__ = "quest_runs"

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_PLAYER_FK, ondelete="CASCADE"), primary_key=True
    )
    quest: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    run_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    auto: Mapped[bool] = mapped_column(Boolean, default=False)


def _run_fk(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["player_id", "quest", "run_no"],
        ["quest_runs.player_id", "quest_runs.quest", "quest_runs.run_no"],
        ondelete="CASCADE",
        name=f"fk_{table}_run_quest_runs",
    )


class StepCompletion(Base):
    __tablename__ = "step_completions"
    __table_args__ = (_run_fk("step_completions"),)

    player_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    quest: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    run_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    step_id: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuestCompletion(Base):
    __tablename__ = "quest_completions"
    __table_args__ = (_run_fk("quest_completions"),)

    player_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    quest: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    run_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class XpAward(Base):
    """The XP ledger: the total is the sum; `reason` (e.g. "quest:slug:run") is granted once."""

    __tablename__ = "xp_awards"
    __table_args__ = (UniqueConstraint("player_id", "reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    player_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_PLAYER_FK, ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200))
    xp: Mapped[int] = mapped_column(Integer)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlayerBadge(Base):
    __tablename__ = "player_badges"

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_PLAYER_FK, ondelete="CASCADE"), primary_key=True
    )
    badge: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    # The credential's id (urn:uuid:…): stable, so re-fetching returns the same credential.
    credential_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    reason: Mapped[str] = mapped_column(String(200))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlayDay(Base):
    """A day on which the player visited a site of comune `city` or answered one of its
    questions: the comune's local day. A distinct-days badge counts its own comune's days."""

    __tablename__ = "play_days"

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_PLAYER_FK, ondelete="CASCADE"), primary_key=True
    )
    city: Mapped[str] = mapped_column(String(64), primary_key=True, server_default=DEFAULT_CITY)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class QuizFailure(Base):
    """A wrong answer, counted to rate-limit guessing."""

    __tablename__ = "quiz_failures"
    __table_args__ = (Index(None, "player_id", "quest", "step_id", "failed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    player_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_PLAYER_FK, ondelete="CASCADE"))
    quest: Mapped[str] = mapped_column(String(SLUG))
    step_id: Mapped[str] = mapped_column(String(SLUG))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VisitedSite(Base):
    """A site the player has visited, kept when the visit rows themselves are pruned.

    Written by the retention job just before it deletes old visits: badge criteria count
    distinct sites visited, and that count must not shrink when positions are forgotten. It
    holds no time finer than the day of the first visit.
    """

    __tablename__ = "visited_sites"

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(_PLAYER_FK, ondelete="CASCADE"), primary_key=True
    )
    poi: Mapped[str] = mapped_column(String(SLUG), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date)
