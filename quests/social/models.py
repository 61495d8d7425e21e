"""Tables of the social game. Nothing here stores a position: see docs/social.md."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.clock import utcnow
from game_server.kit.db import Base, UTCDateTime

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Team(Base):
    """A contrada. A conditional UPDATE bumps `member_count`: the size limit is race-proof."""

    __tablename__ = "teams"
    __table_args__ = (CheckConstraint("member_count >= 0", name="member_count_not_negative"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(40))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TeamMember(Base):
    """The primary key on `player_id` is the rule "a player is in at most one team"."""

    __tablename__ = "team_members"
    __table_args__ = (Index(None, "team_id"),)

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("players.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InviteCode(Base):
    """A player's own friend code: created on first request, then stable."""

    __tablename__ = "invite_codes"

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("players.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(16), unique=True)


class Friendship(Base):
    """One row per mutual friendship, as an ordered pair: (a, b) and (b, a) cannot both exist."""

    __tablename__ = "friendships"
    __table_args__ = (
        CheckConstraint("low_id < high_id", name="ordered_pair"),
        Index(None, "high_id"),
    )

    low_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("players.id", ondelete="CASCADE"), primary_key=True
    )
    high_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("players.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FeedItem(Base):
    """An achievement shown to friends and team mates. `data` holds whitelisted scalars only."""

    __tablename__ = "feed_items"
    __table_args__ = (Index(None, "player_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    player_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class XpScore(Base):
    """The durable leaderboard: one score per (board, member). Redis only caches it."""

    __tablename__ = "xp_scores"
    __table_args__ = (Index(None, "board", "score", "member"),)

    board: Mapped[str] = mapped_column(String(40), primary_key=True)
    member: Mapped[str] = mapped_column(String(36), primary_key=True)
    score: Mapped[int] = mapped_column(BigInteger, default=0)
