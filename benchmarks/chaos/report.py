"""The suite's verdict: a table on stdout and benchmarks/results/chaos.json."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING, Any

from benchmarks.chaos.services import ROOT
from benchmarks.chaos.verdict import LATE_S, Window, doubled_in_tables

if TYPE_CHECKING:
    from benchmarks.chaos.run import Suite

RECOVERY_TARGET_S = 10.0
# Per fault: what must be zero.
ZERO = (
    "events lost",
    "doubled visits",
    "doubled enters",
    "doubled rewards",
    "answers 500",
    "closes 1011",
    "events late",
)
COLUMNS = (
    ("fault", 28),
    ("stored", 7),
    ("lost", 5),
    ("dbl visits", 10),
    ("dbl enters", 10),
    ("dbl rewards", 11),
    ("500", 4),
    ("503", 4),
    ("1011", 5),
    ("1013", 5),
    ("late", 5),
    ("recovery s", 10),
)


def _row(window: Window) -> dict[str, Any]:
    c = window.counts
    return {
        "fault": window.name,
        "events_stored": c["events stored"],
        "events_lost": c["events lost"],
        "doubled_visits": c["doubled visits"],
        "doubled_enters": c["doubled enters"],
        "doubled_rewards": c["doubled rewards"],
        "answers_500": c["answers 500"],
        "answers_503": c["answers 503"],
        "closes_1011": c["closes 1011"],
        "closes_1013": c["closes 1013"],
        "events_late": c["events late"],
        "till_answers": c["till answers"],
        "rest_answers": c["REST answers"],
        "recovery_s": round(window.recovery_s, 2) if window.name != "steady" else None,
        "late_events": window.late[:20],
        "passed": all(c[k] == 0 for k in ZERO)
        and (window.name == "steady" or window.recovery_s <= RECOVERY_TARGET_S),
    }


def _print(rows: list[dict[str, Any]]) -> None:
    print()
    print(
        " ".join(
            f"{name:>{width}}" if i else f"{name:<{width}}"
            for i, (name, width) in enumerate(COLUMNS)
        )
    )
    keys = (
        "fault",
        "events_stored",
        "events_lost",
        "doubled_visits",
        "doubled_enters",
        "doubled_rewards",
        "answers_500",
        "answers_503",
        "closes_1011",
        "closes_1013",
        "events_late",
        "recovery_s",
    )
    for row in rows:
        cells = []
        for i, ((_, width), key) in enumerate(zip(COLUMNS, keys, strict=True)):
            value = row[key]
            text = "-" if value is None else str(value)
            cells.append(f"{text:<{width}}" if i == 0 else f"{text:>{width}}")
        print(" ".join(cells) + ("" if row["passed"] else "   <- FAILED"))


async def report(suite: Suite, lost_redemptions: int, dsn: str) -> dict[str, Any]:
    assert suite.till is not None
    assert suite.prober is not None
    rows = [_row(w) for w in suite.windows]
    _print(rows)
    tables = await doubled_in_tables(dsn)
    logs = _worker_logs(suite)
    totals = {
        "redemptions_acknowledged": len(suite.till.acked),
        "redemptions_lost": lost_redemptions,
        "redemptions_refused": len(suite.till.refused),
        "till_statuses": {str(k): v for k, v in sorted(suite.till.statuses.items())},
        "till_transport_errors": suite.till.transport_errors,
        "rest_statuses": {str(k): v for k, v in sorted(suite.prober.statuses.items())},
        "events_received_twice": sum(b.received_twice for b in suite.bots),
        **{name.replace(" ", "_"): n for name, n in tables.items()},
        **logs,
    }
    print()
    for name, value in totals.items():
        print(f"{name}: {value}")
    passed = (
        all(r["passed"] for r in rows)
        and lost_redemptions == 0
        and not any(tables.values())
        and logs["worker_log_tracebacks"] == 0
    )
    print(
        f"\nchaos: {'PASSED' if passed else 'FAILED'} "
        f"(targets: 0 lost, 0 doubled, 0 answers 500, 0 closes 1011, 0 late after recovery "
        f"(> {LATE_S:g} s), recovery <= {RECOVERY_TARGET_S:g} s)"
    )
    return {
        "commit": _commit(),
        "bots": len(suite.bots),
        "late_after_s": LATE_S,
        "recovery_target_s": RECOVERY_TARGET_S,
        "faults": rows,
        "totals": totals,
        "passed": passed,
    }


def _worker_logs(suite: Suite) -> dict[str, int]:
    """A dependency's outage is one warning per worker, not a traceback per request."""
    lines = [
        line
        for worker in suite.workers
        for line in worker.log.read_text(errors="replace").splitlines()
    ]
    return {
        "worker_log_tracebacks": sum(line.startswith("Traceback") for line in lines),
        "worker_log_warnings": sum(line.startswith(("WARNING", "ERROR")) for line in lines),
    }


def _commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()
