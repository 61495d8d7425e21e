"""The quest use cases: a visit, an answer, a start. Never commits: the unit of work does.

Exactly once, whatever the retries, devices or workers: every grant is a row with a unique key
inserted with ON CONFLICT DO NOTHING, and only the call that inserted it emits its event or
pays its reward. The players concerned are row-locked first, so progress derived from several
rows (a quest complete, a total, a badge criterion) is read and written by one unit of work at
a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.model import DEFAULT_CITY, Bundle, Quest, Step
from game_server.events import log as events_log
from game_server.events.log import NewEvent, StoredEvent
from game_server.kit.pubsub import Backend
from game_server.kit.settings import KernelSettings
from quests import hooks
from quests.criteria import badges_due
from quests.engine import (
    DEFAULT_DWELL_S,
    Answer,
    Engine,
    Gathering,
    Outcome,
    QuestCompleted,
    QuestStarted,
    Refusal,
    Snapshot,
    StepCompleted,
    Transition,
    Visit,
)
from quests.exceptions import TooManyWrongAnswers, as_domain_error
from quests.grants import Grants
from quests.levels import Level
from quests.repository import QuestRepository
from quests.schedule import play_day
from quests.social.settings import SocialSettings

# Three wrong answers to one question within five minutes, then wait: guessing stays slow.
WRONG_ANSWERS_ALLOWED = 3
WRONG_ANSWER_WINDOW_S = 300


def utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("quest times must be timezone-aware")
    return at.astimezone(UTC)


class Batch:
    """Events of one unit of work, per player, appended to the event log at the end."""

    def __init__(self) -> None:
        self.events: dict[uuid.UUID, list[NewEvent]] = {}

    def add(self, player_id: uuid.UUID, kind: str, data: dict[str, Any]) -> None:
        self.events.setdefault(player_id, []).append(NewEvent(kind, data))

    async def append(self, session: AsyncSession) -> list[StoredEvent]:
        stored: list[StoredEvent] = []
        for player_id in sorted(self.events):
            stored += await events_log.append(session, player_id, self.events[player_id])
        return stored


async def players_owed_reactions(
    session: AsyncSession,
    *,
    before: datetime,
    limit: int,
    alive_since: datetime | None = None,
    me: str | None = None,
) -> list[uuid.UUID]:
    """The sweep's question: players whose visits still wait for the game's reaction (see
    `GameService.react_to_pending`, which grants them); `me`: the sweeping worker."""
    return await QuestRepository(session).players_owed_reactions(
        before=before, limit=limit, alive_since=alive_since, me=me
    )


class GameService:
    """The quest engine at work on one unit of work (construct one per transaction)."""

    def __init__(
        self,
        session: AsyncSession,
        bundle: Bundle,
        settings: KernelSettings | None = None,
        backend: Backend | None = None,
        *,
        default_dwell_s: float = DEFAULT_DWELL_S,
        social: SocialSettings | None = None,
        engine: Engine | None = None,
    ) -> None:
        """`engine`: the rules of `bundle` built already (`quests.game.Game` keeps them)."""
        self.session = session
        self.bundle = bundle
        self.settings = settings
        self.backend = backend
        self.engine = engine or Engine(bundle, default_dwell_s=default_dwell_s)
        self.repository = QuestRepository(session)
        self.grants = Grants(session, bundle, self.repository, settings, backend, social)

    async def record_visit(
        self,
        player_id: uuid.UUID,
        poi: str,
        *,
        entered_ts_ms: int,
        at: datetime,
        dwell_s_observed: float | None = None,
    ) -> list[StoredEvent]:
        """A real visit (dwell satisfied). Replaying it changes nothing and returns [];
        replaying it with a longer `dwell_s_observed` lets it complete longer dwell steps."""
        at = utc(at)
        team_id = await hooks.team_of(self.session, player_id)
        if not await self._new_or_longer_visit(
            player_id, poi, entered_ts_ms, at, dwell_s_observed, team_id
        ):
            return []
        await self._played(player_id, self.engine.city_of_site(poi), at)
        team_steps = self.engine.team_steps_at(poi) if team_id is not None else []
        present: dict[uuid.UUID, datetime] = {}
        if team_id is not None and team_steps:
            # Team lock before any player lock: the order every unit of work follows.
            await self.repository.lock_team_site(team_id, poi)
            present = await self._present(team_id, poi, at, team_steps)
        await self.repository.lock_players({player_id, *present})
        batch = Batch()
        await self._react(batch, player_id, poi, at, dwell_s_observed, present, team_steps)
        return await batch.append(self.session)

    async def react_to_pending(self, player_id: uuid.UUID) -> list[StoredEvent]:
        """The game's reaction to the player's visits recorded ahead of it, oldest first.

        The gateway records a visit and sends its geo events before the game reacts (see
        `quests.visitlog.postgres`), then calls this in a unit of work of its own; a sweep
        calls it for reactions a crash left owed. Exactly once: each visit's flag is cleared
        under the player's lock by the unit of work that grants its reaction. [] when nothing
        is owed (another worker, or the sweep, got there first).
        """
        owed = await self.repository.pending_visits(player_id)
        if not owed:
            return []
        team_sites = sorted(
            {
                (visit.team_id, visit.poi)
                for visit in owed
                if visit.team_id is not None and self.engine.team_steps_at(visit.poi)
            }
        )
        for team_id, poi in team_sites:  # team locks first, in one order, as in record_visit
            await self.repository.lock_team_site(team_id, poi)
        present: dict[tuple[str, int], dict[uuid.UUID, datetime]] = {}
        for visit in owed:
            if visit.team_id is not None and (visit.team_id, visit.poi) in team_sites:
                steps = self.engine.team_steps_at(visit.poi)
                key = (visit.poi, visit.entered_ts_ms)
                present[key] = await self._present(
                    visit.team_id, visit.poi, visit.visited_at, steps
                )
        await self.repository.lock_players(
            {player_id, *(member for members in present.values() for member in members)}
        )
        batch = Batch()
        for visit in await self.repository.claim_pending(player_id, owed):
            await self._played(player_id, self.engine.city_of_site(visit.poi), visit.visited_at)
            key = (visit.poi, visit.entered_ts_ms)
            steps = self.engine.team_steps_at(visit.poi) if key in present else []
            at = visit.visited_at
            await self._react(
                batch, player_id, visit.poi, at, visit.dwell_s, present.get(key, {}), steps
            )
        return await batch.append(self.session)

    async def _played(self, player_id: uuid.UUID, city: str, at: datetime) -> None:
        await self.repository.add_play_day(player_id, *play_day(self.bundle, city, at))

    async def _present(
        self, team_id: uuid.UUID, poi: str, at: datetime, team_steps: list[tuple[Quest, Step]]
    ) -> dict[uuid.UUID, datetime]:
        widest_s = max(step.window_s or 0 for _, step in team_steps)
        since = at - timedelta(seconds=widest_s)
        return await self.repository.team_members_at(team_id, poi, since, at)

    async def _react(
        self,
        batch: Batch,
        player_id: uuid.UUID,
        poi: str,
        at: datetime,
        dwell_s: float | None,
        present: dict[uuid.UUID, datetime],
        team_steps: list[tuple[Quest, Step]],
    ) -> None:
        """What a visit does to the game, once its player and team mates are locked."""
        await self._apply(
            batch, player_id, at, lambda s: self.engine.visit(s, Visit(poi, at, dwell_s))
        )
        for member in sorted(present):
            for gathering in _gatherings(poi, at, present, member, [s for _, s in team_steps]):
                await self._apply(
                    batch, member, at, partial(self.engine.gather, gathering=gathering)
                )

    async def _new_or_longer_visit(
        self,
        player_id: uuid.UUID,
        poi: str,
        entered_ts_ms: int,
        at: datetime,
        dwell_s: float | None,
        team_id: uuid.UUID | None,
    ) -> bool:
        repository = self.repository
        if await repository.add_visit(
            player_id,
            poi,
            entered_ts_ms=entered_ts_ms,
            visited_at=at,
            dwell_s=dwell_s,
            team_id=team_id,
        ):
            return True
        return dwell_s is not None and await repository.extend_dwell(
            player_id, poi, entered_ts_ms, dwell_s
        )

    async def answer(
        self,
        player_id: uuid.UUID,
        quest: str,
        step: str,
        answer: str,
        *,
        at: datetime,
        at_poi: str | None,
    ) -> list[StoredEvent]:
        """A quiz answer given at `at_poi` (the site the player is in, None if none)."""
        at = utc(at)
        await self.repository.lock_players({player_id})
        await self._check_guessing(player_id, quest, step, at)
        given = Answer(quest, step, answer, at, at_poi)
        snapshot = await self.repository.snapshot(player_id)
        try:
            outcome = self.engine.answer(snapshot, given)
        except Refusal as refusal:
            if refusal.code == "wrong_answer":
                await self.repository.add_failure(player_id, quest, step, at)
            raise as_domain_error(refusal) from None
        if outcome.transitions:
            await self._played(player_id, self.engine.quest_cities.get(quest, DEFAULT_CITY), at)
        batch = Batch()
        await self._persist(batch, player_id, at, outcome)
        return await batch.append(self.session)

    async def start(self, player_id: uuid.UUID, quest: str, *, at: datetime) -> list[StoredEvent]:
        """Start a quest; [] when it is already running."""
        at = utc(at)
        await self.repository.lock_players({player_id})
        snapshot = await self.repository.snapshot(player_id)
        try:
            outcome = self.engine.start(snapshot, quest, at)
        except Refusal as refusal:
            raise as_domain_error(refusal) from None
        batch = Batch()
        await self._persist(batch, player_id, at, outcome, check_badges=False)
        return await batch.append(self.session)

    async def auto_start(self, player_id: uuid.UUID, *, at: datetime) -> list[StoredEvent]:
        """Start the quests that start by themselves (e.g. when the player connects): those
        of the comune the player last visited a site in (Lecce before any visit). Another
        comune's start with the player's first visit there."""
        at = utc(at)
        batch = Batch()
        await self.repository.lock_players({player_id})
        last = await self.repository.last_visited_site(player_id)
        city = self.engine.city_of_site(last) if last is not None else DEFAULT_CITY
        await self._apply(batch, player_id, at, lambda s: self.engine.auto_start(s, at, city))
        return await batch.append(self.session)

    async def level(self, player_id: uuid.UUID) -> Level:
        return Level.of(await self.repository.total_xp(player_id))

    async def _check_guessing(
        self, player_id: uuid.UUID, quest: str, step: str, at: datetime
    ) -> None:
        since = at - timedelta(seconds=WRONG_ANSWER_WINDOW_S)
        failures = await self.repository.failures_since(player_id, quest, step, since)
        if len(failures) >= WRONG_ANSWERS_ALLOWED:
            retry_at = failures[-WRONG_ANSWERS_ALLOWED] + timedelta(seconds=WRONG_ANSWER_WINDOW_S)
            wait_s = max(1, int((retry_at - at).total_seconds()) + 1)
            raise TooManyWrongAnswers(
                f"too many wrong answers to this question; try again in {wait_s} s",
                retry_after_s=wait_s,
            )

    async def _apply(
        self,
        batch: Batch,
        player_id: uuid.UUID,
        at: datetime,
        rule: Callable[[Snapshot], Outcome],
    ) -> None:
        snapshot = await self.repository.snapshot(player_id)
        await self._persist(batch, player_id, at, rule(snapshot))

    async def _persist(
        self,
        batch: Batch,
        player_id: uuid.UUID,
        at: datetime,
        outcome: Outcome,
        *,
        check_badges: bool = True,
    ) -> None:
        for transition in outcome.transitions:
            await self._grant(batch, player_id, at, transition)
        if check_badges:
            await self._criteria_badges(batch, player_id, at)

    async def _grant(
        self, batch: Batch, player_id: uuid.UUID, at: datetime, transition: Transition
    ) -> None:
        repository = self.repository
        match transition:
            case QuestStarted(quest, run_no, auto):
                if await repository.start_run(player_id, quest, run_no, at, auto=auto):
                    batch.add(
                        player_id, "quest.started", {"quest": quest, "run": run_no, "auto": auto}
                    )
            case StepCompleted(quest, run_no, step, members):
                if await repository.complete_step(player_id, quest, run_no, step.id, at):
                    batch.add(
                        player_id,
                        "quest.step_completed",
                        self._step_data(quest, run_no, step, members),
                    )
            case QuestCompleted(quest, run_no, _):
                if await repository.complete_quest(player_id, quest, run_no, at):
                    await self.grants.quest_completed(batch, player_id, transition, at)

    def _step_data(
        self, quest: str, run_no: int, step: Step, members: int | None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "quest": quest,
            "run": run_no,
            "step": step.id,
            "kind": step.kind,
            "poi": step.poi,
        }
        if members is not None:
            data["members"] = members
        return data

    async def _criteria_badges(self, batch: Batch, player_id: uuid.UUID, at: datetime) -> None:
        if not any(badge.criteria for badge in self.bundle.badges):
            return
        record = await self.repository.record(player_id)
        owned = [b.badge for b in await self.repository.badges(player_id)]
        due = badges_due(
            self.bundle.badges, record, self.engine.pois, owned, self.engine.quest_cities
        )
        for slug in due:
            await self.grants.badge(batch, player_id, slug, "criteria", at)


def _gatherings(
    poi: str,
    at: datetime,
    present: dict[uuid.UUID, datetime],
    member: uuid.UUID,
    steps: list[Step],
) -> list[Gathering]:
    """For each team-step window `member` was in: how many of the team were there with them."""
    gatherings = []
    for window_s in sorted({step.window_s or 0 for step in steps}):
        since = at - timedelta(seconds=window_s)
        inside = [pid for pid, visited_at in present.items() if visited_at >= since]
        if member in inside:
            gatherings.append(Gathering(poi, at, len(inside), window_s))
    return gatherings
