"""The staff audit log: one row per staff action, appended in the action's own transaction.

Append-only: the application has no update or delete path, and migration 0006 installs
triggers refusing UPDATE and DELETE on both databases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.clock import utcnow
from game_server.kit.db import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index(None, "at"),
        Index(None, "actor", "at"),
        Index(None, "action", "at"),
        Index(None, "city", "at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))  # "staff:<id>", "cli:<user>", "anonymous"
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))  # "content.publish", "player.ban", …
    target: Mapped[str | None] = mapped_column(String(200))  # "player:<id>", "content:<id>", …
    status: Mapped[int] = mapped_column(Integer)  # the HTTP status the action answered
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    # The comune the action concerned (None: not tied to one, or written before comuni).
    city: Mapped[str | None] = mapped_column(String(64))
