"""One row per suspicious pattern seen, with its evidence and the score it adds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.clock import utcnow
from game_server.kit.db import Base, UTCDateTime


class SuspicionRecord(Base):
    """`kind` is one of `anticheat.rules.KINDS`; `evidence` says what was seen (never a
    coordinate of the player: distances, times, reasons, counts)."""

    __tablename__ = "anticheat_records"
    __table_args__ = (Index(None, "player_id", "at"), Index(None, "at"))

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    player_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
