"""Staff roles. An admin may do everything a curator or a district manager may.

A district manager (Town Centre Management, docs/district.md) sees the district's figures of
their comune; a curator does not, and a district manager curates nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CURATOR = "curator"
    ADMIN = "admin"
    DISTRICT = "district"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, required: Role) -> bool:
        return self is required or self.rank > required.rank


_RANKS = {Role.CURATOR: 1, Role.DISTRICT: 1, Role.ADMIN: 2}
