"""The quest engine's pure core: a progress snapshot and an input in, transitions out.

No I/O and no framework: the service loads a `Snapshot`, asks the `Engine` what an input
(a visit, a quiz answer, a team gathering, a start) changes, and persists the transitions it
gets back. Refusals are raised as `Refusal` with a machine-readable `code`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from content.model import DEFAULT_CITY, Bundle, Poi, Quest, Rewards, Step
from quests.answers import is_correct
from quests.schedule import any_window_contains, schedule_allows

DEFAULT_DWELL_S = 20.0
PRESENCE_KINDS = frozenset({"visit", "dwell"})


@dataclass(frozen=True, slots=True)
class Run:
    """A started, not yet completed run of a quest (runs count from 1)."""

    quest: str
    run_no: int
    started_at: datetime
    done: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Record:
    """The completed runs of one quest."""

    completions: int = 0
    last_completed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    runs: Mapping[str, Run] = field(default_factory=dict)
    records: Mapping[str, Record] = field(default_factory=dict)

    def completed(self, quest: str) -> bool:
        return self.records.get(quest, Record()).completions > 0


@dataclass(frozen=True, slots=True)
class Visit:
    poi: str
    at: datetime
    dwell_s: float | None = None  # None: the server's default dwell was observed


@dataclass(frozen=True, slots=True)
class Answer:
    quest: str
    step: str
    text: str
    at: datetime
    at_poi: str | None


@dataclass(frozen=True, slots=True)
class Gathering:
    """`members` distinct players of one team at `poi` within the last `window_s` seconds
    (None: any window; team steps with another window ignore it)."""

    poi: str
    at: datetime
    members: int
    window_s: int | None = None


@dataclass(frozen=True, slots=True)
class QuestStarted:
    quest: str
    run_no: int
    auto: bool = False


@dataclass(frozen=True, slots=True)
class StepCompleted:
    quest: str
    run_no: int
    step: Step
    members: int | None = None  # team steps: how many were there


@dataclass(frozen=True, slots=True)
class QuestCompleted:
    quest: str
    run_no: int
    rewards: Rewards


Transition = QuestStarted | StepCompleted | QuestCompleted


@dataclass(frozen=True, slots=True)
class Outcome:
    snapshot: Snapshot
    transitions: list[Transition]


class Refusal(Exception):
    """An input the rules refuse. `code` names the rule; `detail` is for the player."""

    def __init__(self, code: str, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra


class _Work:
    """A mutable copy of a snapshot while one input is applied."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.runs = dict(snapshot.runs)
        self.records = dict(snapshot.records)
        self.transitions: list[Transition] = []

    def snapshot(self) -> Snapshot:
        return Snapshot(runs=dict(self.runs), records=dict(self.records))

    def outcome(self) -> Outcome:
        return Outcome(self.snapshot(), self.transitions)


class Engine:
    """The rules of one content bundle."""

    def __init__(self, bundle: Bundle, *, default_dwell_s: float = DEFAULT_DWELL_S) -> None:
        self.bundle = bundle
        self.default_dwell_s = default_dwell_s
        self.quests: dict[str, Quest] = {q.slug: q for q in bundle.quests}
        self.pois: dict[str, Poi] = {p.slug: p for p in bundle.pois}
        self.quest_cities: dict[str, str] = {q.slug: q.city for q in bundle.quests}

    # -- queries ---------------------------------------------------------------------------

    def quest(self, slug: str) -> Quest:
        quest = self.quests.get(slug)
        if quest is None:
            raise Refusal("unknown_quest", f"there is no quest '{slug}'")
        return quest

    def open_steps(self, quest: Quest, run: Run) -> list[Step]:
        """The steps that can be completed now: all the missing ones, or the next in sequence."""
        missing = [step for step in quest.steps if step.id not in run.done]
        return missing[:1] if quest.order == "sequence" else missing

    def step_playable(self, quest: Quest, step: Step, at: datetime) -> bool:
        if not schedule_allows(quest.schedule, at):
            return False
        if quest.schedule is None or not quest.schedule.only_when_open:
            return True
        poi = self.pois.get(step.poi)
        hours = poi.opening_hours if poi is not None else None
        return hours is None or any_window_contains(hours, at, quest.schedule.timezone)

    def check_start(self, quest: Quest, snapshot: Snapshot, at: datetime) -> None:
        """Raise the first rule that forbids starting a new run of `quest` at `at`."""
        record = snapshot.records.get(quest.slug, Record())
        if record.completions and not quest.repeatable:
            raise Refusal("completed", f"quest '{quest.slug}' is already completed")
        if record.completions and record.last_completed_at is not None:
            available_at = record.last_completed_at + timedelta(seconds=quest.cooldown_s or 0)
            if at < available_at:
                raise Refusal(
                    "cooldown",
                    f"quest '{quest.slug}' can be played again from {available_at.isoformat()}",
                    available_at=available_at.isoformat(),
                )
        missing = [slug for slug in quest.prerequisites if not snapshot.completed(slug)]
        if missing:
            raise Refusal(
                "prerequisites",
                f"complete {', '.join(missing)} before starting '{quest.slug}'",
                missing=missing,
            )
        if not schedule_allows(quest.schedule, at):
            raise Refusal("schedule", f"quest '{quest.slug}' cannot be played at this time")

    def dwell_targets(self, poi: str) -> list[int]:
        """Dwell times (s) some step at `poi` needs beyond a plain visit, shortest first."""
        return sorted(
            {
                step.dwell_s
                for quest in self.bundle.quests
                for step in quest.steps
                if step.poi == poi and step.kind in PRESENCE_KINDS and step.dwell_s
            }
        )

    def team_steps_at(self, poi: str) -> list[tuple[Quest, Step]]:
        return [
            (quest, step)
            for quest in self.bundle.quests
            for step in quest.steps
            if step.kind == "team" and step.poi == poi
        ]

    # -- inputs ----------------------------------------------------------------------------

    def start(self, snapshot: Snapshot, quest_slug: str, at: datetime) -> Outcome:
        """Start a run explicitly; a quest already running is left as it is (no transition)."""
        work = _Work(snapshot)
        quest = self.quest(quest_slug)
        if quest.slug not in work.runs:
            self.check_start(quest, work.snapshot(), at)
            self._begin(work, quest, at, auto=False)
        return work.outcome()

    def auto_start(self, snapshot: Snapshot, at: datetime, city: str | None = None) -> Outcome:
        """Start comune `city`'s quests that start by themselves (None: every comune's)."""
        work = _Work(snapshot)
        self._auto_start(work, at, city)
        return work.outcome()

    def city_of_site(self, poi: str) -> str:
        """The comune of a site (Lecce for a site no longer in the content)."""
        site = self.pois.get(poi)
        return site.city if site is not None else DEFAULT_CITY

    def visit(self, snapshot: Snapshot, visit: Visit) -> Outcome:
        work = _Work(snapshot)
        city = self.city_of_site(visit.poi)  # a visit starts its own comune's quests only
        self._auto_start(work, visit.at, city)
        dwell_s = self.default_dwell_s if visit.dwell_s is None else visit.dwell_s
        for quest, run in self._open_runs(work):
            steps = [
                step
                for step in self.open_steps(quest, run)
                if step.kind in PRESENCE_KINDS
                and step.poi == visit.poi
                and dwell_s >= (step.dwell_s or 0)
                and self.step_playable(quest, step, visit.at)
            ]
            self._complete_steps(work, quest, steps, visit.at)
        self._auto_start(work, visit.at, city)
        return work.outcome()

    def gather(self, snapshot: Snapshot, *, gathering: Gathering) -> Outcome:
        work = _Work(snapshot)
        city = self.city_of_site(gathering.poi)
        self._auto_start(work, gathering.at, city)
        for quest, run in self._open_runs(work):
            steps = [
                step
                for step in self.open_steps(quest, run)
                if step.kind == "team"
                and step.poi == gathering.poi
                and gathering.members >= (step.min_members or 1)
                and gathering.window_s in (None, step.window_s)
                and self.step_playable(quest, step, gathering.at)
            ]
            self._complete_steps(work, quest, steps, gathering.at, members=gathering.members)
        self._auto_start(work, gathering.at, city)
        return work.outcome()

    def answer(self, snapshot: Snapshot, answer: Answer) -> Outcome:
        work = _Work(snapshot)
        quest = self.quest(answer.quest)
        step = self._quiz_step(quest, answer.step)
        if quest.slug not in work.runs and quest.auto_start:
            self._auto_start(work, answer.at, quest.city)
        run = work.runs.get(quest.slug)
        if run is None and snapshot.completed(quest.slug):
            return work.outcome()  # a late duplicate of the answer that completed it
        if run is None:
            raise Refusal("not_started", f"start quest '{quest.slug}' before answering")
        if step.id in run.done:
            return work.outcome()  # a duplicate of an accepted answer changes nothing
        self._check_answerable(quest, run, step, answer)
        self._complete_steps(work, quest, [step], answer.at)
        self._auto_start(work, answer.at, quest.city)
        return work.outcome()

    # -- helpers ---------------------------------------------------------------------------

    def _quiz_step(self, quest: Quest, step_id: str) -> Step:
        step = next((s for s in quest.steps if s.id == step_id), None)
        if step is None:
            raise Refusal("unknown_step", f"quest '{quest.slug}' has no step '{step_id}'")
        if step.kind != "quiz" or step.quiz is None:
            raise Refusal("not_quiz", f"step '{step_id}' of '{quest.slug}' is not a question")
        return step

    def _check_answerable(self, quest: Quest, run: Run, step: Step, answer: Answer) -> None:
        assert step.quiz is not None
        if step not in self.open_steps(quest, run):
            raise Refusal("not_next", f"step '{step.id}' of '{quest.slug}' is not open yet")
        if answer.at_poi != step.poi:
            name = self.pois[step.poi].name.en if step.poi in self.pois else step.poi
            raise Refusal("not_at_site", f"answer this question while you are at {name}")
        if not self.step_playable(quest, step, answer.at):
            raise Refusal("closed", f"quest '{quest.slug}' cannot be played at this time")
        if not is_correct(step.quiz, answer.text):
            raise Refusal("wrong_answer", "that is not the right answer")

    def _open_runs(self, work: _Work) -> list[tuple[Quest, Run]]:
        return [
            (self.quests[slug], work.runs[slug])
            for slug in sorted(work.runs)
            if slug in self.quests
        ]

    def _auto_start(self, work: _Work, at: datetime, city: str | None) -> None:
        for quest in self.bundle.quests:
            if not quest.auto_start or quest.slug in work.runs:
                continue
            if city is not None and quest.city != city:
                continue  # another comune's: it starts when the player plays there
            try:
                self.check_start(quest, work.snapshot(), at)
            except Refusal:
                continue
            self._begin(work, quest, at, auto=True)

    def _begin(self, work: _Work, quest: Quest, at: datetime, *, auto: bool) -> None:
        run_no = work.records.get(quest.slug, Record()).completions + 1
        work.runs[quest.slug] = Run(quest.slug, run_no, at)
        work.transitions.append(QuestStarted(quest.slug, run_no, auto=auto))

    def _complete_steps(
        self,
        work: _Work,
        quest: Quest,
        steps: Iterable[Step],
        at: datetime,
        *,
        members: int | None = None,
    ) -> None:
        run = work.runs[quest.slug]
        for step in steps:
            run = replace(run, done=run.done | {step.id})
            work.transitions.append(StepCompleted(quest.slug, run.run_no, step, members))
        work.runs[quest.slug] = run
        if all(step.id in run.done for step in quest.steps):
            del work.runs[quest.slug]
            record = work.records.get(quest.slug, Record())
            work.records[quest.slug] = Record(record.completions + 1, at)
            work.transitions.append(QuestCompleted(quest.slug, run.run_no, quest.rewards))
