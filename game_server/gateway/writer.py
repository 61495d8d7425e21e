"""Group commit: the events of many sockets stored in one transaction.

Each socket hands its unit of work (append its events, let the game react to its visits) to
the worker's single writer and waits for the commit. The writer takes whatever has queued up,
runs each unit in its own SAVEPOINT inside one transaction, and commits once: the commit and
the connection are paid once per batch instead of once per socket. A unit that fails is rolled
back to its savepoint and fails alone. If the shared commit itself fails (a deadlock with
another worker, a lost connection), every unit of the batch is retried alone, in its own
transaction, so a batch never turns one unit's trouble into everybody's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.db import AFTER_COMMIT_KEY
from game_server.events import log as events_log
from game_server.events.log import StoredEvent

log = logging.getLogger(__name__)

Unit = Callable[[AsyncSession], Awaitable[None]]
MAX_BATCH = 200


@dataclass(eq=False)
class _Job:
    unit: Unit
    done: asyncio.Future[list[StoredEvent]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupWriter:
    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def run(self, unit: Unit) -> list[StoredEvent]:
        """Store one unit of work; return its events (to publish) once they are committed."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_forever(), name="group-writer")
        job = _Job(unit)
        self._queue.put_nowait(job)
        return await job.done

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._together(batch)
            except Exception:
                log.warning("group commit of %d units failed; retrying each alone", len(batch))
                for job in batch:
                    if not job.done.done():
                        await self._alone(job)

    async def _together(self, batch: list[_Job]) -> None:
        results: list[tuple[_Job, list[StoredEvent] | BaseException]] = []
        async with self._factory() as session:
            for job in batch:
                results.append((job, await self._in_savepoint(session, job)))
            await session.commit()
            events_log.take_outbox(session)  # each unit publishes its own share
        for job, outcome in results:
            if isinstance(outcome, BaseException):
                job.done.set_exception(outcome)
            else:
                job.done.set_result(outcome)

    @staticmethod
    async def _in_savepoint(session: AsyncSession, job: _Job) -> list[StoredEvent] | BaseException:
        before = len(session.info.get(AFTER_COMMIT_KEY, []))
        try:
            async with session.begin_nested():
                await job.unit(session)
        except Exception as exc:
            queued = session.info.get(AFTER_COMMIT_KEY, [])
            del queued[before:]  # its events were rolled back with its savepoint
            return exc
        return list(session.info.get(AFTER_COMMIT_KEY, [])[before:])

    async def _alone(self, job: _Job) -> None:
        try:
            async with self._factory() as session:
                await job.unit(session)
                await session.commit()
                stored = events_log.take_outbox(session)
        except Exception as exc:
            job.done.set_exception(exc)
            return
        job.done.set_result(stored)
