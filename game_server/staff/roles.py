"""Staff roles. An admin may do everything a curator may."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CURATOR = "curator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, required: Role) -> bool:
        return self.rank >= required.rank


_RANKS = {Role.CURATOR: 1, Role.ADMIN: 2}
