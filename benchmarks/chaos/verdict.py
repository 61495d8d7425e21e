"""What the suite counts, from the clients' records and the database, per fault window.

- *lost*: an event stored (acknowledged by the log) that its player never received, even after
  the final catch-up; a redemption the till was told succeeded (201) that is not in the database.
- *doubled visits*: a second `poi.visit` for the same stay (no `poi.exit` of that site between)
  in a player's log — what the fault test saw after a `kill -9`; *doubled enters* likewise.
- *doubled rewards*: a step, quest completion or badge twice in the log, a coupon issued twice
  for one reason, a coupon redeemed twice.
- *late*: an event created while the service was up (outside every fault's window from the
  fault to its recovery) that reached its player more than `LATE_S` after it was stored.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from benchmarks.chaos.clients import Bot, Till

LATE_S = 3.0


@dataclass
class Stored:
    seq: int
    kind: str
    data: dict[str, Any]
    created_at: float


@dataclass
class Window:
    """A fault, from its injection to the recovery (and the settling after it)."""

    name: str
    started_at: float
    ended_at: float = 0.0  # the fault action is over (worker back, SIGCONT, server restarted)
    recovered_at: float = 0.0
    closed_at: float = 0.0  # the next fault's window begins after this
    counts: Counter[str] = field(default_factory=Counter)
    late: list[dict[str, Any]] = field(default_factory=list)  # what arrived late, to look into

    def holds(self, at: float) -> bool:
        return self.started_at <= at < self.closed_at

    @property
    def recovery_s(self) -> float:
        return max(0.0, self.recovered_at - self.ended_at)


async def stored_events(dsn: str) -> dict[str, list[Stored]]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT player_id, seq, kind, data, created_at FROM player_events"
            " ORDER BY player_id, seq"
        )
    finally:
        await connection.close()
    by_player: dict[str, list[Stored]] = {}
    for row in rows:
        data = row["data"]
        if isinstance(data, str):
            data = orjson.loads(data)
        created: datetime = row["created_at"]
        by_player.setdefault(str(row["player_id"]), []).append(
            Stored(row["seq"], row["kind"], data, created.timestamp())
        )
    return by_player


def doubled_stays(events: list[Stored]) -> tuple[list[Stored], list[Stored]]:
    """The second visits and second enters of one stay at a site, in a player's log."""
    inside: dict[str, bool] = {}  # site -> visited in this stay
    visits, enters = [], []
    for event in events:
        poi = event.data.get("poi")
        if event.kind == "poi.enter":
            if poi in inside:
                enters.append(event)
            inside.setdefault(poi, False)
        elif event.kind == "poi.visit":
            if inside.get(poi):
                visits.append(event)
            inside[poi] = True
        elif event.kind == "poi.exit":
            inside.pop(poi, None)
    return visits, enters


_REWARD_KEYS = {
    "quest.step_completed": ("quest", "run", "step"),
    "quest.completed": ("quest", "run"),
    "badge.awarded": ("badge",),
}


def doubled_rewards(events: list[Stored]) -> list[Stored]:
    seen: set[tuple[Any, ...]] = set()
    doubled = []
    for event in events:
        keys = _REWARD_KEYS.get(event.kind)
        if keys is None:
            continue
        key = (event.kind, *(str(event.data.get(k)) for k in keys))
        if key in seen:
            doubled.append(event)
        seen.add(key)
    return doubled


async def doubled_in_tables(dsn: str) -> dict[str, int]:
    """Rewards granted twice according to the tables themselves."""
    queries = {
        "coupons issued twice": "SELECT count(*) FROM (SELECT player_id, reason FROM coupons "
        "GROUP BY player_id, reason HAVING count(*) > 1) d",
        "coupons redeemed twice": "SELECT count(*) FROM (SELECT coupon_id FROM redemptions "
        "WHERE voided_at IS NULL GROUP BY coupon_id HAVING count(*) > 1) d",
        "owed reactions left": "SELECT count(*) FROM visits WHERE reaction_pending",
    }
    connection = await asyncpg.connect(dsn)
    try:
        return {name: int(await connection.fetchval(sql)) for name, sql in queries.items()}
    finally:
        await connection.close()


async def redemptions_stored(dsn: str, ids: list[str]) -> set[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT id FROM redemptions WHERE id = ANY($1::uuid[])", [uuid.UUID(i) for i in ids]
        )
    finally:
        await connection.close()
    return {str(r["id"]) for r in rows}


def window_of(windows: list[Window], at: float) -> Window | None:
    return next((w for w in windows if w.holds(at)), None)


def judge_events(bots: list[Bot], stored: dict[str, list[Stored]], windows: list[Window]) -> None:
    """Add each bot's lost, doubled and late events to the window they happened in."""
    for bot in bots:
        events = stored.get(bot.player_id, [])
        for event in events:
            window = window_of(windows, event.created_at)
            if window is None:
                continue
            window.counts["events stored"] += 1
            got = bot.received.get(event.seq)
            if got is None:
                window.counts["events lost"] += 1
            elif got.at - event.created_at > LATE_S and not _in_outage(windows, event.created_at):
                window.counts["events late"] += 1
                window.late.append(
                    {
                        "kind": event.kind,
                        "seq": event.seq,
                        "late_s": round(got.at - event.created_at, 2),
                    }
                )
        visits, enters = doubled_stays(events)
        for kind, doubled in (
            ("doubled visits", visits),
            ("doubled enters", enters),
            ("doubled rewards", doubled_rewards(events)),
        ):
            for event in doubled:
                window = window_of(windows, event.created_at)
                if window is not None:
                    window.counts[kind] += 1


def _in_outage(windows: list[Window], at: float) -> bool:
    return any(w.started_at <= at < max(w.recovered_at, w.ended_at) for w in windows)


def judge_answers(answers: list[tuple[float, int]], windows: list[Window], what: str) -> None:
    for at, status in answers:
        window = window_of(windows, at)
        if window is None:
            continue
        if status == 500:
            window.counts["answers 500"] += 1
        elif status >= 500:
            window.counts[f"answers {status}"] += 1
        window.counts[f"{what} answers"] += 1


async def judge_till(till: Till, dsn: str) -> int:
    """Redemptions acknowledged to the till and missing from the database."""
    found = await redemptions_stored(dsn, list(till.acked.values()))
    return len(set(till.acked.values()) - found)


def judge_closes(bots: list[Bot], windows: list[Window]) -> None:
    for bot in bots:
        for at, code in bot.closes:
            window = window_of(windows, at)
            if window is not None:
                window.counts[f"closes {code}"] += 1
