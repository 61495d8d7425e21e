"""The scheduler every worker runs: APScheduler 4 on the databases we already have.

Schedules live in the application database (APScheduler's SQLAlchemy data store: PostgreSQL,
or the embedded SQLite file), so they survive restarts; each due run becomes one job that one
worker acquires (the store's leases), so a job runs once per period however many workers
there are. Workers wake each other through an event broker: Redis when configured, else
PostgreSQL's LISTEN/NOTIFY (asyncpg), else in-process (one worker). A run missed while every
worker was down runs once when one starts again (coalesced, no grace limit). Why this
library: docs/operators.md ("Scheduled jobs").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from apscheduler import (
    AsyncScheduler,
    CoalescePolicy,
    ConflictPolicy,
    Event,
    ScheduleLookupError,
    current_job,
)
from apscheduler.abc import EventBroker
from apscheduler.datastores.sqlalchemy import SQLAlchemyDataStore
from apscheduler.eventbrokers.asyncpg import AsyncpgEventBroker
from apscheduler.eventbrokers.local import LocalEventBroker
from apscheduler.eventbrokers.redis import RedisEventBroker
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from game_server.jobs.runs import JOBS, JobContext, run_job
from game_server.settings import Settings

log = logging.getLogger(__name__)

TIMEZONE = "Europe/Rome"
SCHEMA = "apscheduler"  # PostgreSQL only: SQLite has one schema


@attrs.define(eq=False, repr=False)
class NotifyBroker(AsyncpgEventBroker):
    """APScheduler's LISTEN/NOTIFY broker, its notifications delivered from a task.

    asyncpg calls a NOTIFY listener as a plain loop callback, outside any task, and the broker
    starts the event's delivery from there: anyio 4.14 and later refuse that
    (`NoEventLoopError`, agronholm/apscheduler#1141, open), so every event was dropped — no
    worker heard of a job added, and on PostgreSQL without Redis no job ever ran. The event
    now goes to a task of its own, which hands it over as the broker would.
    """

    _handing: set[asyncio.Task[None]] = attrs.field(init=False, factory=set)

    def reconstitute_event_str(self, payload: str) -> Event | None:
        event = super().reconstitute_event_str(payload)
        if event is None or asyncio.current_task() is not None:
            return event
        task = asyncio.get_running_loop().create_task(self._hand_over(event))
        self._handing.add(task)  # held until done: the loop keeps only a weak reference
        task.add_done_callback(self._handing.discard)
        return None  # the listener's own delivery, which would fail, is skipped

    async def _hand_over(self, event: Event) -> None:
        # A notification that arrives as the scheduler stops finds the group closed: dropped,
        # as the broker itself would drop it then.
        with contextlib.suppress(RuntimeError):
            self._task_group.start_soon(self.publish_local, event)


def _broker(settings: Settings, engine: AsyncEngine) -> EventBroker:
    if settings.redis_url is not None:
        return RedisEventBroker(settings.redis_url, channel="lupiae:apscheduler")
    if engine.dialect.name == "postgresql":
        return NotifyBroker.from_async_sqla_engine(engine, channel="lupiae_apscheduler")
    return LocalEventBroker()


def _trigger(cron: str, now: datetime | None = None) -> CronTrigger | IntervalTrigger:
    """`MM HH` (minute, hour) in Lecce's time zone: once a day; `*/N *`: every N minutes."""
    now = now or datetime.now(UTC)
    minute, hour = cron.split()
    if minute.startswith("*/") and hour == "*":
        every = timedelta(minutes=int(minute[2:]))
        return IntervalTrigger(minutes=int(minute[2:]), start_time=now + every)
    # The start in the trigger's own zone: given in UTC (its default), APScheduler 4.0.0a6
    # matches the fields against the UTC clock and stamps them with Lecce's offset, so from
    # 03:30 to 04:00 UTC a job due at 04:30 in Lecce got a first run half an hour in the past
    # (run at once, as if missed).
    zone = ZoneInfo(TIMEZONE)
    return CronTrigger(minute=minute, hour=hour, timezone=zone, start_time=now.astimezone(zone))


async def _scheduled(context: JobContext, name: str) -> dict[str, Any]:
    """A scheduled run: claimed by its scheduled time, so it runs once across workers."""
    return await run_job(context, name, current_job.get().scheduled_fire_time)


async def _schedule(scheduler: AsyncScheduler, name: str, cron: str) -> None:
    """Keep a stored schedule (and the run it owes) unless its time was changed."""
    try:
        existing = await scheduler.get_schedule(name)
    except ScheduleLookupError:
        existing = None
    if existing is not None and existing.metadata.get("cron") == cron:
        return
    await scheduler.add_schedule(
        name,
        _trigger(cron),
        id=name,
        coalesce=CoalescePolicy.latest,
        misfire_grace_time=None,
        metadata={"cron": cron},
        conflict_policy=ConflictPolicy.replace,
    )


@asynccontextmanager
async def _initialising(engine: AsyncEngine) -> AsyncIterator[None]:
    """One worker at a time creates the store's schema and tables (PostgreSQL): two
    `CREATE SCHEMA IF NOT EXISTS` at once make one fail. Held on its own connection while the
    scheduler starts; SQLite serialises schema changes itself."""
    if engine.dialect.name != "postgresql":
        yield
        return
    # A session-level lock on an autocommit connection: no transaction is held open with it.
    async with engine.connect() as opened:
        connection = await opened.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("SELECT pg_advisory_lock(hashtext('lupiae:scheduler'))"))
        try:
            yield
        finally:
            await connection.execute(
                text("SELECT pg_advisory_unlock(hashtext('lupiae:scheduler'))")
            )


@asynccontextmanager
async def scheduling(
    settings: Settings, engine: AsyncEngine, context: JobContext
) -> AsyncIterator[AsyncScheduler | None]:
    """Run this worker's scheduler for as long as the block (None when jobs are disabled)."""
    if not settings.jobs_enabled:
        yield None
        return
    schema = SCHEMA if engine.dialect.name == "postgresql" else None
    identity = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    scheduler = AsyncScheduler(
        SQLAlchemyDataStore(engine, schema=schema),
        _broker(settings, engine),
        identity=identity,
        logger=log,
    )
    async with AsyncExitStack() as stack:
        async with _initialising(engine):
            await stack.enter_async_context(scheduler)
            for name in JOBS:
                await scheduler.configure_task(name, func=partial(_scheduled, context, name))
                await _schedule(scheduler, name, settings.job_time(name))
        await scheduler.start_in_background()
        yield scheduler
