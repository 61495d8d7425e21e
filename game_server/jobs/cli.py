"""`lupiae jobs status|run`: the scheduled jobs' last runs, and a run now."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from game_server.jobs.runs import JOBS, JobContext, last_runs, run_job
from game_server.kit.cli_errors import load_settings
from game_server.kit.db import make_engine, make_session_factory
from game_server.settings import Settings


async def _status() -> list[dict[str, Any]]:
    settings = load_settings(Settings)
    engine = make_engine(settings.database_url)
    try:
        runs = {r.job: r for r in await last_runs(make_session_factory(engine))}
    finally:
        await engine.dispose()
    return [
        {
            "job": name,
            "at": settings.job_time(name),
            "runs": runs[name].runs if name in runs else 0,
            "failures": runs[name].failures if name in runs else 0,
            "last_started_at": runs[name].last_started_at if name in runs else None,
            "last_finished_at": runs[name].last_finished_at if name in runs else None,
            "last_status": runs[name].last_status if name in runs else None,
            "last_detail": runs[name].last_detail if name in runs else None,
        }
        for name in JOBS
    ]


async def _run_now(name: str) -> dict[str, Any]:
    settings = load_settings(Settings)
    engine = make_engine(settings.database_url)
    try:
        return await run_job(JobContext(settings, make_session_factory(engine)), name)
    finally:
        await engine.dispose()


def _print(value: Any) -> int:
    print(json.dumps(value, default=str, indent=2))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    jobs = commands.add_parser("jobs", help="scheduled jobs (retention, open data)")
    actions = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="each job's time, last run, status and counts")
    status.set_defaults(handler=lambda _: _print(asyncio.run(_status())))
    run = actions.add_parser("run", help="run a job now (recorded like a scheduled run)")
    run.add_argument("job", choices=sorted(JOBS))
    run.set_defaults(handler=lambda args: _print(asyncio.run(_run_now(args.job))))
