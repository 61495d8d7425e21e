"""One unit of work: one transaction, committed or rolled back here and nowhere else.

    async with unit_of_work(factory, publish_to=backend) as session:
        ...  # services flush; they never commit

The block's success commits; an exception rolls back, except a `DomainError` whose `commit`
is set (a refusal that must persist what it did, e.g. a wrong answer counted): that one is
committed, then raised. The messages queued on the session (`outbox`) are taken after the
commit (`committed`) and, with `publish_to`, published; a rollback drops them. Requests
(`deps.SessionDep`), sockets, jobs and the CLI all use it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.kit import outbox
from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.errors import DomainError
from game_server.kit.pubsub import Backend, BackendUnavailable

log = logging.getLogger(__name__)

_UNIT_KEY = "lupiae.unit_of_work"


class unit_of_work:
    """`async with unit_of_work(factory) as session:`; `committed` after the block.

    `lock` is held around the transaction (SQLite's one writer queues here, fairly);
    `on_unpublished` runs when `publish_to` cannot take the committed messages (they are
    durable: a socket catches up from the log).
    """

    __slots__ = ("_factory", "_lock", "_on_unpublished", "_publish_to", "_session", "committed")

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        *,
        publish_to: Backend | None = None,
        on_unpublished: Callable[[], object] | None = None,
        lock: contextlib.AbstractAsyncContextManager[Any] | None = None,
    ) -> None:
        self._factory = factory
        self._publish_to = publish_to
        self._on_unpublished = on_unpublished
        self._lock = lock
        self._session: AsyncSession | None = None
        self.committed: list[Any] = []

    async def __aenter__(self) -> AsyncSession:
        if self._lock is not None:
            await self._lock.__aenter__()
        try:
            self._session = await self._factory().__aenter__()
        except BaseException:
            await self._release(None, None, None)
            raise
        self._session.info[_UNIT_KEY] = self
        return self._session

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._session
        assert session is not None
        try:
            if exc is None or (isinstance(exc, DomainError) and exc.commit):
                await session.commit()
                self.committed += outbox.take(session)
            else:
                await session.rollback()
        finally:
            try:
                await session.__aexit__(exc_type, exc, tb)
            finally:
                await self._release(exc_type, exc, tb)
        if self.committed and self._publish_to is not None:
            await self._publish(self._publish_to)

    async def _release(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._lock is not None:
            await self._lock.__aexit__(exc_type, exc, tb)

    async def _publish(self, backend: Backend) -> None:
        try:
            await outbox.publish(backend, self.committed)
        except BackendUnavailable as exc:
            log.debug("%d committed messages not pushed: %s", len(self.committed), exc)
            if self._on_unpublished is not None:
                self._on_unpublished()


async def make_durable(session: AsyncSession) -> None:
    """Commit what the unit of work owning `session` did so far; it goes on in a new
    transaction. For a use case that must make a change durable before it tells the world
    outside the database (a ban before the player's sockets are closed). The messages queued
    so far are published when the unit of work ends, with the rest."""
    unit: unit_of_work = session.info[_UNIT_KEY]
    await session.commit()
    unit.committed += outbox.take(session)


@contextlib.asynccontextmanager
async def one_off_unit_of_work(database_url: str) -> AsyncIterator[AsyncSession]:
    """One unit of work on an engine of its own, disposed after it (a CLI command)."""
    engine = make_engine(database_url)
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            yield session
    finally:
        await engine.dispose()
