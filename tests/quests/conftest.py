from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.errors import DomainError

Work = Callable[[Callable[[AsyncSession], Awaitable[Any]]], Awaitable[Any]]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    await engine.dispose()


@pytest.fixture
def work(sessions: async_sessionmaker[AsyncSession]) -> Work:
    """Run `fn(session)` in its own committed unit of work and return its result."""

    async def run(fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        async with sessions() as session:
            try:
                result = await fn(session)
            except DomainError as exc:
                # Like the request dependency: some refusals persist what they counted.
                await (session.commit() if exc.commit else session.rollback())
                raise
            await session.commit()
            return result

    return run
