"""The pure quest engine: every step kind, ordering, prerequisites, schedules, repeats, teams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from content.model import Schedule
from quests.engine import (
    Answer,
    Engine,
    Gathering,
    QuestCompleted,
    QuestStarted,
    Record,
    Refusal,
    Run,
    Snapshot,
    StepCompleted,
    Transition,
    Visit,
)
from tests.quests.factories import (
    NOON_ISH,
    bundle,
    dwell,
    poi,
    quest,
    quiz,
    team,
    visit,
    window,
)

AT = NOON_ISH


def started(*slugs: str, done: dict[str, set[str]] | None = None) -> Snapshot:
    done = done or {}
    return Snapshot(runs={s: Run(s, 1, AT, frozenset(done.get(s, set()))) for s in slugs})


def kinds(transitions: list[Transition]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for t in transitions:
        if isinstance(t, QuestStarted):
            out.append(("started", t.quest, str(t.run_no)))
        elif isinstance(t, StepCompleted):
            out.append(("step", t.quest, t.step.id))
        else:
            out.append(("completed", t.quest, str(t.run_no)))
    return out


# -- visit and dwell steps --------------------------------------------------------------


def test_a_visit_completes_the_visit_step_and_the_quest() -> None:
    engine = Engine(bundle([quest("q", [visit("duomo")])]))
    outcome = engine.visit(started("q"), Visit("duomo", AT))
    assert kinds(outcome.transitions) == [("step", "q", "duomo"), ("completed", "q", "1")]
    assert outcome.snapshot.runs == {}
    assert outcome.snapshot.records["q"] == Record(1, AT)


def test_a_visit_elsewhere_or_to_a_quest_not_started_changes_nothing() -> None:
    engine = Engine(bundle([quest("q", [visit("duomo")])]))
    assert engine.visit(started("q"), Visit("porta_napoli", AT)).transitions == []
    assert engine.visit(Snapshot(), Visit("duomo", AT)).transitions == []


def test_a_dwell_step_needs_the_observed_dwell() -> None:
    engine = Engine(bundle([quest("q", [dwell("villa", 900)])]))
    assert engine.visit(started("q"), Visit("villa", AT, dwell_s=899.5)).transitions == []
    assert engine.visit(started("q"), Visit("villa", AT)).transitions == []  # default 20 s
    outcome = engine.visit(started("q"), Visit("villa", AT, dwell_s=900))
    assert kinds(outcome.transitions)[0] == ("step", "q", "villa")


def test_a_visit_step_with_its_own_dwell_and_the_default_dwell() -> None:
    engine = Engine(bundle([quest("q", [visit("a", dwell_s=30), visit("b")])]))
    assert engine.visit(started("q"), Visit("a", AT)).transitions == []
    assert engine.visit(started("q"), Visit("a", AT, dwell_s=31)).transitions != []
    assert engine.visit(started("q"), Visit("b", AT, dwell_s=5)).transitions != []
    assert engine.dwell_targets("a") == [30]
    assert engine.dwell_targets("b") == []


# -- ordering ---------------------------------------------------------------------------


def test_any_order_accepts_steps_in_any_order() -> None:
    engine = Engine(bundle([quest("q", [visit("a"), visit("b"), visit("c")])]))
    snapshot = started("q")
    for slug in ("c", "a"):
        snapshot = engine.visit(snapshot, Visit(slug, AT)).snapshot
    assert snapshot.runs["q"].done == {"a", "c"}
    outcome = engine.visit(snapshot, Visit("b", AT))
    assert kinds(outcome.transitions) == [("step", "q", "b"), ("completed", "q", "1")]


def test_sequence_order_only_counts_the_next_step() -> None:
    engine = Engine(bundle([quest("q", [visit("a"), visit("b")], order="sequence")]))
    assert engine.visit(started("q"), Visit("b", AT)).transitions == []
    snapshot = engine.visit(started("q"), Visit("a", AT)).snapshot
    assert kinds(engine.visit(snapshot, Visit("b", AT)).transitions)[-1] == ("completed", "q", "1")


def test_in_sequence_one_visit_completes_one_step_even_if_the_next_is_at_the_same_site() -> None:
    engine = Engine(
        bundle([quest("q", [visit("a", id="1"), visit("a", id="2")], order="sequence")])
    )
    outcome = engine.visit(started("q"), Visit("a", AT))
    assert kinds(outcome.transitions) == [("step", "q", "1")]


# -- quiz steps -------------------------------------------------------------------------


@pytest.fixture
def quiz_engine() -> Engine:
    return Engine(bundle([quest("q", [visit("a"), quiz("rudiae", ["Rudiae"])], order="sequence")]))


def answer(text: str, *, at_poi: str | None = "rudiae", step: str = "quiz") -> Answer:
    return Answer("q", step, text, AT, at_poi)


def test_a_right_answer_on_site_completes_the_quiz(quiz_engine: Engine) -> None:
    snapshot = started("q", done={"q": {"a"}})
    outcome = quiz_engine.answer(snapshot, answer("  rudìae! "))
    assert kinds(outcome.transitions) == [("step", "q", "quiz"), ("completed", "q", "1")]


@pytest.mark.parametrize(
    ("snapshot", "given", "code"),
    [
        (started("q", done={"q": {"a"}}), answer("Roma"), "wrong_answer"),
        (started("q", done={"q": {"a"}}), answer("Rudiae", at_poi=None), "not_at_site"),
        (started("q", done={"q": {"a"}}), answer("Rudiae", at_poi="duomo"), "not_at_site"),
        (started("q"), answer("Rudiae"), "not_next"),
        (Snapshot(), answer("Rudiae"), "not_started"),
        (started("q"), answer("Rudiae", step="nope"), "unknown_step"),
        (started("q"), answer("Rudiae", step="a"), "not_quiz"),
    ],
)
def test_answers_the_rules_refuse(
    quiz_engine: Engine, snapshot: Snapshot, given: Answer, code: str
) -> None:
    with pytest.raises(Refusal) as refused:
        quiz_engine.answer(snapshot, given)
    assert refused.value.code == code


def test_a_repeated_right_answer_changes_nothing(quiz_engine: Engine) -> None:
    snapshot = started("q", done={"q": {"a", "quiz"}})
    assert quiz_engine.answer(snapshot, answer("Roma")).transitions == []


def test_an_answer_to_a_completed_quest_is_a_late_duplicate(quiz_engine: Engine) -> None:
    snapshot = Snapshot(records={"q": Record(1, AT)})
    assert quiz_engine.answer(snapshot, answer("Roma")).transitions == []


def test_a_visit_never_completes_a_quiz(quiz_engine: Engine) -> None:
    snapshot = started("q", done={"q": {"a"}})
    assert quiz_engine.visit(snapshot, Visit("rudiae", AT, dwell_s=999)).transitions == []


# -- starting: prerequisites, cooldowns, schedules, auto-start -------------------------


def test_prerequisites_must_be_completed_first() -> None:
    engine = Engine(
        bundle([quest("a", [visit("x")]), quest("b", [visit("y")], prerequisites=["a"])])
    )
    with pytest.raises(Refusal) as refused:
        engine.start(Snapshot(), "b", AT)
    assert refused.value.code == "prerequisites"
    assert refused.value.extra["missing"] == ["a"]
    done = Snapshot(records={"a": Record(1, AT)})
    assert kinds(engine.start(done, "b", AT).transitions) == [("started", "b", "1")]


def test_starting_twice_is_idempotent_and_a_completed_quest_cannot_restart() -> None:
    engine = Engine(bundle([quest("a", [visit("x")])]))
    assert engine.start(started("a"), "a", AT).transitions == []
    with pytest.raises(Refusal) as refused:
        engine.start(Snapshot(records={"a": Record(1, AT)}), "a", AT)
    assert refused.value.code == "completed"
    with pytest.raises(Refusal) as unknown:
        engine.start(Snapshot(), "nope", AT)
    assert unknown.value.code == "unknown_quest"


def test_a_repeatable_quest_waits_for_its_cooldown_then_starts_a_new_run() -> None:
    engine = Engine(bundle([quest("a", [visit("x")], repeatable=True, cooldown_s=3600)]))
    snapshot = engine.visit(engine.start(Snapshot(), "a", AT).snapshot, Visit("x", AT)).snapshot
    with pytest.raises(Refusal) as refused:
        engine.start(snapshot, "a", AT + timedelta(seconds=3599))
    assert refused.value.code == "cooldown"
    later = engine.start(snapshot, "a", AT + timedelta(seconds=3600))
    assert kinds(later.transitions) == [("started", "a", "2")]
    outcome = engine.visit(later.snapshot, Visit("x", AT + timedelta(hours=2)))
    assert kinds(outcome.transitions) == [("step", "a", "x"), ("completed", "a", "2")]
    assert outcome.snapshot.records["a"].completions == 2


def test_auto_start_quests_start_by_themselves_and_count_the_visit_that_started_them() -> None:
    engine = Engine(
        bundle(
            [
                quest("welcome", [visit("x")], auto_start=True),
                quest("next", [visit("y")], auto_start=True, prerequisites=["welcome"]),
            ]
        )
    )
    outcome = engine.visit(Snapshot(), Visit("x", AT))
    assert kinds(outcome.transitions) == [
        ("started", "welcome", "1"),
        ("step", "welcome", "x"),
        ("completed", "welcome", "1"),
        ("started", "next", "1"),  # unlocked by the completion just now
    ]
    assert all(t.auto for t in outcome.transitions if isinstance(t, QuestStarted))


def test_a_comune_s_auto_start_quests_start_only_when_the_player_plays_there() -> None:
    engine = Engine(
        bundle(
            [
                quest("benvenuti", [visit("duomo")], auto_start=True),
                quest("benvenuti-bg", [visit("rocca")], auto_start=True, city="bergamo"),
            ],
            pois=[poi("duomo"), poi("rocca", city="bergamo"), poi("sedile")],
        )
    )
    in_lecce = engine.visit(Snapshot(), Visit("sedile", AT))
    assert kinds(in_lecce.transitions) == [("started", "benvenuti", "1")]
    in_bergamo = engine.visit(in_lecce.snapshot, Visit("rocca", AT + timedelta(days=1)))
    assert kinds(in_bergamo.transitions) == [
        ("started", "benvenuti-bg", "1"),
        ("step", "benvenuti-bg", "rocca"),
        ("completed", "benvenuti-bg", "1"),
    ]
    assert kinds(engine.auto_start(Snapshot(), AT, "bergamo").transitions) == [
        ("started", "benvenuti-bg", "1")
    ]
    everywhere = engine.auto_start(Snapshot(), AT)  # no comune: every comune's (a bound)
    assert sorted(t.quest for t in everywhere.transitions) == ["benvenuti", "benvenuti-bg"]


EVENINGS = Schedule(hours=[window("fri sat", "22:00", "02:00")])


def rome(day: int, hour: int, minute: int = 0) -> datetime:
    # June 2026: Rome is UTC+2. 12 June is a Friday.
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC) - timedelta(hours=2)


@pytest.mark.parametrize(
    ("at", "playable"),
    [
        (rome(12, 21, 59), False),
        (rome(12, 22, 0), True),
        (rome(13, 1, 59), True),  # Saturday small hours: Friday's window
        (rome(13, 2, 0), False),
        (rome(13, 23, 0), True),
        (rome(14, 1, 0), True),  # Sunday small hours: Saturday's window
        (rome(14, 23, 0), False),  # Sunday evening: no window
        (rome(12, 1, 0), False),  # Friday small hours: Thursday has no window
    ],
)
def test_time_windows_cross_midnight_in_rome_time(at: datetime, playable: bool) -> None:
    engine = Engine(bundle([quest("night", [visit("x")], schedule=EVENINGS)]))
    if playable:
        assert engine.start(Snapshot(), "night", at).transitions
    else:
        with pytest.raises(Refusal, match="cannot be played at this time"):
            engine.start(Snapshot(), "night", at)
    transitions = engine.visit(started("night"), Visit("x", at)).transitions
    assert bool(transitions) is playable


def test_windows_follow_daylight_saving_time() -> None:
    engine = Engine(
        bundle(
            [quest("q", [visit("x")], schedule=Schedule(hours=[window("sat", "19:00", "20:00")]))]
        )
    )
    # 10 January 2026 (winter, UTC+1) and 13 June 2026 (summer, UTC+2), both Saturdays 19:30.
    winter = datetime(2026, 1, 10, 18, 30, tzinfo=UTC)
    summer = datetime(2026, 6, 13, 17, 30, tzinfo=UTC)
    assert engine.visit(started("q"), Visit("x", winter)).transitions
    assert engine.visit(started("q"), Visit("x", summer)).transitions


def test_date_ranges_are_inclusive_local_dates() -> None:
    from datetime import date

    schedule = Schedule(from_date=date(2026, 6, 13), until_date=date(2026, 6, 14))
    engine = Engine(bundle([quest("q", [visit("x")], schedule=schedule)]))
    # 23:30 UTC on the 12th is already the 13th in Rome.
    assert engine.visit(
        started("q"), Visit("x", datetime(2026, 6, 12, 22, 30, tzinfo=UTC))
    ).transitions
    assert not engine.visit(
        started("q"), Visit("x", datetime(2026, 6, 12, 21, 30, tzinfo=UTC))
    ).transitions
    assert not engine.visit(
        started("q"), Visit("x", datetime(2026, 6, 14, 22, 30, tzinfo=UTC))
    ).transitions


def test_only_when_open_needs_the_site_open() -> None:
    museum = poi(
        "museo",
        kind="museum",
        opening_hours=[window("mon tue wed thu fri sat sun", "09:00", "13:00")],
    )
    schedule = Schedule(only_when_open=True)
    engine = Engine(bundle([quest("q", [visit("museo")], schedule=schedule)], pois=[museum]))
    assert engine.visit(started("q"), Visit("museo", rome(13, 10))).transitions
    assert not engine.visit(started("q"), Visit("museo", rome(13, 15))).transitions


# -- team steps -------------------------------------------------------------------------


def test_a_team_step_needs_enough_members_together() -> None:
    engine = Engine(bundle([quest("q", [team("piazza", min_members=3), visit("duomo")])]))
    assert (
        engine.gather(started("q"), gathering=Gathering("piazza", AT, members=2)).transitions == []
    )
    outcome = engine.gather(started("q"), gathering=Gathering("piazza", AT, members=3))
    assert kinds(outcome.transitions) == [("step", "q", "piazza")]
    step = outcome.transitions[0]
    assert isinstance(step, StepCompleted)
    assert step.members == 3


def test_a_plain_visit_never_completes_a_team_step() -> None:
    engine = Engine(bundle([quest("q", [team("piazza")])]))
    assert engine.visit(started("q"), Visit("piazza", AT)).transitions == []
    assert [q.slug for q, _ in engine.team_steps_at("piazza")] == ["q"]


def test_a_team_step_in_sequence_waits_for_its_turn() -> None:
    engine = Engine(bundle([quest("q", [visit("a"), team("piazza")], order="sequence")]))
    assert (
        engine.gather(started("q"), gathering=Gathering("piazza", AT, members=5)).transitions == []
    )
    snapshot = started("q", done={"q": {"a"}})
    outcome = engine.gather(snapshot, gathering=Gathering("piazza", AT, members=5))
    assert isinstance(outcome.transitions[-1], QuestCompleted)
