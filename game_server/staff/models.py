"""Staff accounts: curators and admins of the admin API. Disabled, never deleted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from game_server.kit.clock import utcnow
from game_server.kit.db import Base, UTCDateTime

ROLES_KNOWN = "role IN ('curator', 'admin', 'district')"


class StaffAccount(Base):
    __tablename__ = "staff_accounts"
    __table_args__ = (CheckConstraint(ROLES_KNOWN, name="role_known"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, PHC string
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Audit entries point at accounts, so an account leaving is disabled, not deleted.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffGrant(Base):
    """A role on one comune: a Bergamo curator curates Bergamo only; an admin may hold several.

    `StaffAccount.role` is the highest role the account holds anywhere.
    """

    __tablename__ = "staff_grants"
    __table_args__ = (CheckConstraint(ROLES_KNOWN, name="role_known"),)

    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), primary_key=True
    )
    city: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
