from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.clock import utcnow
from game_server.kit.db import Base, UTCDateTime


class Passkey(Base):
    """A WebAuthn credential of a player: its id and public key, never anything secret."""

    __tablename__ = "player_passkeys"
    __table_args__ = (Index(None, "player_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    player_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"))
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UsedChallenge(Base):
    """A ceremony's challenge, once answered: the same answer never works twice. Rows expire
    with their challenge and are pruned then."""

    __tablename__ = "passkey_used_challenges"
    __table_args__ = (Index(None, "expires_at"),)

    challenge_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
