"""Scheduled jobs: stored schedules survive a restart, a missed run happens once across two
workers' schedulers, and every run is recorded (job_runs, metrics). SQLite with the
in-process broker; PostGIS with the Redis broker, and without Redis with PostgreSQL's
LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from apscheduler import AsyncScheduler, ConflictPolicy
from prometheus_client import CollectorRegistry

from game_server.jobs.runs import JOBS, JobContext, JobMetrics, last_runs
from game_server.jobs.scheduler import _trigger, scheduling
from game_server.kit.clock import utcnow
from game_server.kit.db import make_engine, make_session_factory
from game_server.settings import Settings
from tests.conftest import make_settings, truncate_all
from tests.game_server.gateway.live import publish_shipped


@pytest.fixture
def settings(request: pytest.FixtureRequest, database_url: str) -> Settings:
    redis_url = None
    if database_url.startswith("postgresql"):
        redis_url = request.getfixturevalue("redis_url")
    return make_settings(database_url, redis_url=redis_url, jobs_enabled=True)


@asynccontextmanager
async def worker(settings: Settings) -> AsyncIterator[tuple[AsyncScheduler, CollectorRegistry]]:
    """One worker's scheduler, with its own engine and metrics."""
    engine = make_engine(settings.database_url)
    registry = CollectorRegistry()
    context = JobContext(settings, make_session_factory(engine), JobMetrics.create(registry))
    try:
        async with scheduling(settings, engine, context) as scheduler:
            assert scheduler is not None
            yield scheduler, registry
    finally:
        await engine.dispose()


async def _miss_every_run(scheduler: AsyncScheduler) -> None:
    """As if every worker had been down when the jobs were due (an hour ago)."""
    for name in JOBS:
        schedule = await scheduler.get_schedule(name)
        missed = attrs.evolve(schedule, next_fire_time=utcnow() - timedelta(hours=1))
        await scheduler.data_store.add_schedule(missed, ConflictPolicy.replace)


async def test_a_missed_run_happens_once_across_workers_after_a_restart(
    settings: Settings,
) -> None:
    await _missed_runs_happen_once(settings)


@pytest.mark.postgis
async def test_workers_on_postgresql_without_redis_hear_of_jobs_through_notify(
    postgis_url: str,
) -> None:
    """The LISTEN/NOTIFY broker: before NotifyBroker, anyio refused every notification
    (agronholm/apscheduler#1141), no worker heard of a due run and none ran."""
    await truncate_all(postgis_url)
    await _missed_runs_happen_once(make_settings(postgis_url, jobs_enabled=True))


async def _missed_runs_happen_once(settings: Settings) -> None:
    await publish_shipped(settings.database_url)
    async with worker(settings) as (first, _):
        before = {name: (await first.get_schedule(name)).next_fire_time for name in JOBS}
        assert all(t is not None and t > utcnow() for t in before.values())
        await first.stop()  # the worker goes down; then the time of every job passes
        await _miss_every_run(first)
    # Both workers restart; the stored schedules say the runs were missed.
    async with AsyncExitStack() as stack:
        a, metrics_a = await stack.enter_async_context(worker(settings))
        _, metrics_b = await stack.enter_async_context(worker(settings))
        engine = make_engine(settings.database_url)
        stack.push_async_callback(engine.dispose)
        sessions = make_session_factory(engine)
        runs = {}
        for _ in range(600):  # bounded: up to a minute on a busy machine
            runs = {r.job: r for r in await last_runs(sessions)}
            if all(name in runs and runs[name].last_status for name in JOBS):
                break
            await asyncio.sleep(0.1)
        assert {name: runs[name].last_status for name in JOBS} == dict.fromkeys(JOBS, "ok")
        assert {name: runs[name].runs for name in JOBS} == dict.fromkeys(JOBS, 1)
        for name in JOBS:
            upcoming = (await a.get_schedule(name)).next_fire_time
            assert upcoming is not None
            assert upcoming > utcnow()
        for name in JOBS:
            done = sum(
                m.get_sample_value("lupiae_job_runs_total", {"job": name, "status": "ok"}) or 0
                for m in (metrics_a, metrics_b)
            )
            assert done == 1
    assert '"built"' in (runs["opendata"].last_detail or "")


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 1, 3, 58, tzinfo=UTC),  # 04:58 in Lecce, before 04:30 in UTC
        datetime(2026, 7, 1, 2, 45, tzinfo=UTC),  # summer time: 04:45 in Lecce
        datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
    ],
)
def test_a_daily_job_is_first_due_after_now_whatever_the_hour(now: datetime) -> None:
    """`30 4` is 04:30 in Lecce: the first run is the next 04:30 there, never one that has
    passed (APScheduler matched a UTC start against Lecce's fields)."""
    first = _trigger("30 4", now).next()
    assert first is not None
    assert now < first <= now + timedelta(days=1)
    local = first.astimezone(ZoneInfo("Europe/Rome"))
    assert (local.hour, local.minute) == (4, 30)
