"""Who did something, as the audit log records it."""

from __future__ import annotations

from dataclasses import dataclass

ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Actor:
    name: str  # "staff:<id>", "cli:<os user>" or "anonymous"
    role: str | None = None
    client_ip: str | None = None

    @classmethod
    def cli(cls, user: str) -> Actor:
        return cls(f"cli:{user}")
