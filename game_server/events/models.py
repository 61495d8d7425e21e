"""The durable per-player event log: what the socket sends, kept so it can be replayed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.clock import utcnow
from game_server.kit.db import Base, UTCDateTime


class EventCursor(Base):
    """The last `seq` given to a player's events; the row lock serialises appends per player."""

    __tablename__ = "event_cursors"

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("players.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class PlayerEvent(Base):
    __tablename__ = "player_events"
    __table_args__ = (
        Index(None, "created_at"),
        # A `poi.visit` is stored once per presence (player, site, entry time), whichever
        # worker, socket or replay reports it: the log never says a site was visited twice
        # when it was visited once.
        Index(
            "uq_player_events_presence",
            "player_id",
            "presence",
            unique=True,
            postgresql_where=text("presence IS NOT NULL"),
            sqlite_where=text("presence IS NOT NULL"),
        ),
    )

    player_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("players.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # "<poi>@<entered_ts_ms>" for a visit's event; None for every other event.
    presence: Mapped[str | None] = mapped_column(String(100))
