"""Honest walkers: the `simulate` bots' walk (1.4 m/s, 4 m of GPS noise, a fix a second)
through a quest's sites, on a server whose clock the test moves (no sleeping).

The clock and the walk advance together in ticks: at each tick every walker sends the fixes
of the tick (a `positions` frame, as a phone that uploads every few seconds) and the answers
due, then waits for the server to have read them (ping/pong). Device time is real time; the
server receives each fix at most one tick later.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from content import load_bundle
from content.model import Bundle, Quest
from game_server.simulate import METRES_PER_DEG_LAT, Site, walk
from tests.abuse.script import client_ip
from tests.game_server.gateway.live import Player
from tests.paths import CONTENT

TICK_S = 5
REPLY_S = 60.0  # a loaded machine with hundreds of walkers in one process answers slowly
EXTRA_STAND_S = (15, 25)


def shipped() -> Bundle:
    bundle = load_bundle(CONTENT).bundle
    assert bundle is not None
    return bundle


@dataclass
class FakeClock:
    """The gateway's server time; starts at `now` and moves only when told."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, at: datetime) -> None:
        self.now = max(self.now, at)


def saturday_evening(after: datetime) -> datetime:
    """The next Saturday 20:00 in Lecce (every shipped quest is open then)."""
    local = after.astimezone(ZoneInfo("Europe/Rome"))
    days = (5 - local.weekday()) % 7 or 7
    evening = (local + timedelta(days=days)).replace(hour=20, minute=0, second=0, microsecond=0)
    return evening.astimezone(UTC)


@dataclass
class Walker:
    """One phone walking one quest: its fixes and answers at offsets from the start (s)."""

    quest: Quest
    token: str
    fixes: list[tuple[int, float, float, float]]  # (offset s, lat, lon, accuracy)
    answers: list[tuple[int, dict[str, Any]]]
    events: list[dict[str, Any]] = field(default_factory=list)
    others: list[dict[str, Any]] = field(default_factory=list)  # error frames and the like
    phone: Player | None = None
    answered: set[str] = field(default_factory=set)  # the quiz steps answered

    def may_answer(self, step: str) -> bool:
        """As the app shows a quiz: in a quest walked in sequence, once every step before it
        is completed (the server's reaction to a visit may come a tick after the visit)."""
        if self.quest.order != "sequence":
            return True
        done = {
            e["data"].get("step")
            for e in self.events
            if e["kind"] == "quest.step_completed" and e["data"].get("quest") == self.quest.slug
        }
        before = [s.id for s in self.quest.steps[: [s.id for s in self.quest.steps].index(step)]]
        return all(s in done for s in before)

    @property
    def duration_s(self) -> int:
        return self.fixes[-1][0] + 1


def plan(bundle: Bundle, quest: Quest, rng: random.Random) -> tuple[list, list]:
    """The quest's sites in step order, walked like `simulate`, standing long enough at each
    for its dwell and its quiz; quizzes answered a few seconds after arriving (and, as in the
    app, not before the steps ahead of them are completed: see `Walker.may_answer`)."""
    pois = {p.slug: p for p in bundle.pois}
    sites = list(dict.fromkeys(s.poi for s in quest.steps))
    first = pois[sites[0]]
    here = Site("start", first.lat - 80 / METRES_PER_DEG_LAT, first.lon)  # 80 m south
    fixes: list[tuple[int, float, float, float]] = []
    answers: list[tuple[int, dict[str, Any]]] = []
    t = 0
    for slug in sites:
        poi = pois[slug]
        steps = [s for s in quest.steps if s.poi == slug]
        needed = max([poi.dwell_s or 20, *(s.dwell_s or 0 for s in steps)])
        stand = needed + rng.randint(*EXTRA_STAND_S)
        there = Site(slug, poi.lat, poi.lon)
        path = walk(here, there, rng, dwell_s=stand)
        arrived = t + len(path) - stand
        for s in steps:
            if s.kind == "quiz" and s.quiz is not None:
                frame = {"type": "answer", "quest": quest.slug, "step": s.id}
                answers.append((arrived + needed + 2, {**frame, "answer": s.quiz.answers[0]}))
        fixes += [(t + i, lat, lon, acc) for i, (lat, lon, acc) in enumerate(path)]
        t += len(path)
        here = there
    return fixes, answers


async def sign_up(base: str, client: str | None = None) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        r = await http.post("/v1/auth/guest", headers={"X-Forwarded-For": client or client_ip()})
        r.raise_for_status()
        return str(r.json()["access_token"])


async def team_up(base: str, tokens: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        auth = {"Authorization": f"Bearer {tokens[0]}"}
        team = await http.post(
            "/v1/teams", json={"name": f"T{random.randint(0, 10**9)}"}, headers=auth
        )
        team.raise_for_status()
        for token in tokens[1:]:
            r = await http.post(
                "/v1/teams/join",
                json={"code": team.json()["join_code"]},
                headers={"Authorization": f"Bearer {token}"},
            )
            r.raise_for_status()


async def walk_together(
    host: str, clock: FakeClock, walkers: list[Walker], *, settle_s: float = 30.0
) -> None:
    """Walk every walker from the clock's now, tick by tick, then wait (bounded) for the
    game's reactions: each walker's quest completed and its coupon issued or withheld."""
    start = clock.now
    start_ms = int(start.timestamp() * 1000)
    async with contextlib.AsyncExitStack() as stack:
        for w in walkers:
            w.phone, _ = await stack.enter_async_context(Player.connect(host, w.token))
            await w.phone.send({"type": "start", "quest": w.quest.slug})
            await _drain(w)
        end = max(w.duration_s for w in walkers)
        for tick in range(0, end + TICK_S, TICK_S):
            clock.set(start + timedelta(seconds=tick + TICK_S))
            await asyncio.gather(*(_tick(w, start_ms, tick) for w in walkers))
        await _settle(walkers, settle_s)


async def _tick(w: Walker, start_ms: int, tick: int) -> None:
    assert w.phone is not None
    due = [f for f in w.fixes if tick <= f[0] < tick + TICK_S]
    if due:
        fixes = [
            {"lat": lat, "lon": lon, "accuracy": acc, "ts": start_ms + off * 1000}
            for off, lat, lon, acc in due
        ]
        await w.phone.send({"type": "positions", "fixes": fixes})
    for off, frame in w.answers:
        step = frame["step"]
        if off < tick + TICK_S and step not in w.answered and w.may_answer(step):
            w.answered.add(step)
            await w.phone.send(frame)
    await _drain(w)


async def _drain(w: Walker) -> None:
    """Every frame already sent: ping, and collect frames until the pong (events in
    `w.events`, anything else, e.g. an `error` frame, in `w.others`)."""
    assert w.phone is not None
    await w.phone.send({"type": "ping"})
    while (frame := await w.phone.recv(REPLY_S))["type"] != "pong":
        (w.events if frame["type"] == "event" else w.others).append(frame)


async def _settle(walkers: list[Walker], settle_s: float) -> None:
    for _ in range(int(settle_s * 10)):  # bounded: reactions run on the server's own tasks
        if all(_verdict(w) for w in walkers):
            return
        for w in walkers:
            await _drain(w)
        await asyncio.sleep(0.1)


def _verdict(w: Walker) -> bool:
    kinds = {e["kind"] for e in w.events}
    if w.quest.rewards.coupon is None:
        return "quest.completed" in kinds
    return bool({"coupon.issued", "coupon.withheld"} & kinds)


def outcome(w: Walker) -> dict[str, Any]:
    """What the walk earned: completed, XP, badge, coupon (issued / held / withheld)."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for e in w.events:
        by_kind.setdefault(e["kind"], []).append(e)
    issued = [
        e
        for e in by_kind.get("coupon.issued", [])
        if e["data"]["template"] == w.quest.rewards.coupon
    ]
    return {
        "completed": any(
            e["data"]["quest"] == w.quest.slug for e in by_kind.get("quest.completed", [])
        ),
        "xp": sum(
            e["data"]["xp"]
            for e in by_kind.get("xp.gained", [])
            if e["data"].get("quest") == w.quest.slug
        ),
        "coupon": "withheld"
        if by_kind.get("coupon.withheld")
        else (issued[0]["data"].get("state", "issued") if issued else None),
        "hold_reason": issued[0]["data"].get("hold_reason") if issued else None,
        "rejections": sorted({e["data"]["reason"] for e in by_kind.get("position.rejected", [])}),
        "other_frames": sorted({str(f.get("code") or f.get("type")) for f in w.others}),
    }
