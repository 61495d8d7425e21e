"""What each scheduled job does, and how its runs are recorded (table `job_runs` + metrics).

A job is an async function of a `JobContext`. `run_job` records its start and end in
`job_runs` (shared by every worker: the last run, its status and detail, counts) and in
Prometheus metrics of the worker that ran it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.jobs.models import JobRun
from game_server.kit.clock import utcnow
from game_server.kit.db import insert_or_ignore
from game_server.kit.pubsub import Backend
from game_server.kit.pubsub.redis import RedisBackend
from game_server.kit.uow import unit_of_work
from game_server.privacy.retention import prune
from game_server.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobMetrics:
    runs: Counter
    last_success: Gauge
    duration: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> JobMetrics:
        return cls(
            Counter(
                "lupiae_job_runs",
                "Scheduled job runs in this worker, by job and outcome",
                ["job", "status"],
                registry=registry,
            ),
            Gauge(
                "lupiae_job_last_success_timestamp_seconds",
                "When a scheduled job last succeeded in this worker (see job_runs for all)",
                ["job"],
                registry=registry,
            ),
            Histogram(
                "lupiae_job_duration_seconds",
                "Duration of scheduled job runs",
                ["job"],
                buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800),
                registry=registry,
            ),
        )


@dataclass(frozen=True, slots=True)
class JobContext:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    metrics: JobMetrics | None = None
    # The worker's shared backend (street footfall lives there); None: one is opened from
    # the settings when a job needs it (Redis), or there is nothing to read (in-process).
    backend: Backend | None = None


Job = Callable[[JobContext], Awaitable[dict[str, Any]]]


async def retention(context: JobContext) -> dict[str, Any]:
    async with unit_of_work(context.sessions) as session:
        pruned = await prune(session, context.settings, utcnow())
    return pruned.as_dict()


async def opendata(context: JobContext) -> dict[str, Any]:
    from game_server.opendata.service import build_and_publish_due  # noqa: PLC0415 - heavy imports

    return await build_and_publish_due(context.sessions, context.settings, utcnow())


async def district_footfall(context: JobContext) -> dict[str, Any]:
    from game_server.district.flush import flush  # noqa: PLC0415 - keep the jobs light

    if context.backend is not None:
        return await flush(context.sessions, context.backend)
    if context.settings.redis_url is None:
        return {"skipped": "the in-process backend's counts live in the serving workers"}
    backend = RedisBackend(context.settings.redis_url, client_name="lupiae-jobs")
    try:
        return await flush(context.sessions, backend)
    finally:
        await backend.close()


async def district_report(context: JobContext) -> dict[str, Any]:
    from game_server.district.report import build_due  # noqa: PLC0415 - heavy imports

    return await build_due(context.sessions, utcnow(), context.settings.opendata_k)


JOBS: dict[str, Job] = {
    "retention": retention,
    "opendata": opendata,
    "district_footfall": district_footfall,
    "district_report": district_report,
}


async def _ensure_row(session: AsyncSession, name: str) -> None:
    stmt = insert_or_ignore(session, JobRun).values(job=name, runs=0, failures=0)
    await session.execute(stmt)


async def _claim(
    sessions: async_sessionmaker[AsyncSession], name: str, fire_time: datetime | None
) -> bool:
    """Record the start; False when another worker already claimed this scheduled run."""
    async with unit_of_work(sessions) as session:
        await _ensure_row(session, name)
        stmt = update(JobRun).where(JobRun.job == name)
        if fire_time is not None:
            stmt = stmt.where(
                or_(JobRun.claimed_fire_time.is_(None), JobRun.claimed_fire_time < fire_time)
            )
        result = await session.execute(
            stmt.values(last_started_at=utcnow(), claimed_fire_time=fire_time)
        )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def _record(
    sessions: async_sessionmaker[AsyncSession], name: str, *, ok: bool, detail: str
) -> None:
    counter = JobRun.runs if ok else JobRun.failures
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(JobRun)
            .where(JobRun.job == name)
            .values(
                {
                    counter: counter + 1,
                    JobRun.last_finished_at: utcnow(),
                    JobRun.last_status: "ok" if ok else "failed",
                    JobRun.last_detail: detail[:2000],
                }
            )
        )


async def run_job(
    context: JobContext, name: str, fire_time: datetime | None = None
) -> dict[str, Any]:
    """Run one job now, recording it; re-raises its failure after recording it.

    `fire_time` is the scheduled time of the run (None: run by hand, always runs). A scheduled
    run that another worker already claimed is skipped.
    """
    started = time.monotonic()
    if not await _claim(context.sessions, name, fire_time):
        log.info("job %s of %s already run by another worker", name, fire_time)
        return {"skipped": "already run by another worker"}
    try:
        result = await JOBS[name](context)
    except Exception as exc:
        log.exception("scheduled job %s failed", name)
        await _record(context.sessions, name, ok=False, detail=f"{type(exc).__name__}: {exc}")
        _observe(context, name, "failed", started)
        raise
    await _record(context.sessions, name, ok=True, detail=json.dumps(result, default=str))
    _observe(context, name, "ok", started)
    return result


def _observe(context: JobContext, name: str, status: str, started: float) -> None:
    if context.metrics is None:
        return
    context.metrics.runs.labels(name, status).inc()
    context.metrics.duration.labels(name).observe(time.monotonic() - started)
    if status == "ok":
        context.metrics.last_success.labels(name).set(time.time())


async def last_runs(sessions: async_sessionmaker[AsyncSession]) -> list[JobRun]:
    async with sessions() as session:
        return list((await session.execute(select(JobRun).order_by(JobRun.job))).scalars())
