"""Messages queued on a session during its unit of work and published only after its commit.

A rollback drops them (`db.UnitOfWorkSession`), so a rolled-back change is never announced.
The kernel knows only that a message has a channel and a payload; the domains say what they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from game_server.kit.db import AFTER_COMMIT_KEY
from game_server.kit.pubsub import Backend


class Outgoing(Protocol):
    @property
    def channel(self) -> str: ...

    def payload(self) -> bytes: ...


def queue(session: AsyncSession, messages: Iterable[Outgoing]) -> None:
    session.info.setdefault(AFTER_COMMIT_KEY, []).extend(messages)


def take(session: AsyncSession) -> list[Any]:
    """The messages queued on `session` (once: they leave the queue)."""
    messages: list[Any] = session.info.pop(AFTER_COMMIT_KEY, [])
    return messages


async def publish(backend: Backend, messages: Sequence[Outgoing]) -> None:
    """Push committed messages to every worker subscribed to their channels."""
    for message in messages:
        await backend.publish(message.channel, message.payload())
