"""Every quest shipped in content/ can be played to the end by the engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import content
from content.model import Bundle, Quest
from quests.engine import (
    Answer,
    Engine,
    Gathering,
    Record,
    Snapshot,
    Visit,
)
from quests.schedule import schedule_allows


@pytest.fixture(scope="module")
def shipped() -> Bundle:
    result = content.load_bundle("content/")
    assert result.bundle is not None, result.problems
    return result.bundle


def _playable_moment(quest: Quest) -> datetime:
    # Scan a week hour by hour from a Saturday in June for a moment the schedule allows.
    start = datetime(2026, 6, 13, 8, 0, tzinfo=UTC)
    for hour in range(24 * 14):
        at = start + timedelta(hours=hour)
        if schedule_allows(quest.schedule, at):
            return at
    raise AssertionError(f"{quest.slug} is never playable")


def _play(engine: Engine, quest: Quest, snapshot: Snapshot, at: datetime) -> Snapshot:
    if quest.slug not in snapshot.runs:
        snapshot = engine.start(snapshot, quest.slug, at).snapshot
    for step in quest.steps:
        if quest.slug not in snapshot.runs:
            break
        if step.kind == "quiz":
            assert step.quiz is not None
            given = Answer(quest.slug, step.id, step.quiz.answers[0], at, step.poi)
            snapshot = engine.answer(snapshot, given).snapshot
        elif step.kind == "team":
            gathering = Gathering(step.poi, at, step.min_members or 1, step.window_s)
            snapshot = engine.gather(snapshot, gathering=gathering).snapshot
        else:
            snapshot = engine.visit(snapshot, Visit(step.poi, at, step.dwell_s)).snapshot
    return snapshot


def test_every_shipped_quest_can_be_completed(shipped: Bundle) -> None:
    engine = Engine(shipped)
    assert len(shipped.quests) >= 6
    # Prerequisites first: play the quests until each is done (bounded by their number).
    completed: dict[str, Record] = {}
    for _ in shipped.quests:
        for quest in shipped.quests:
            snapshot = Snapshot(records=dict(completed))
            if quest.slug in completed or any(p not in completed for p in quest.prerequisites):
                continue
            at = _playable_moment(quest)
            after = _play(engine, quest, snapshot, at)
            assert after.completed(quest.slug), quest.slug
            completed[quest.slug] = Record(1, at)
    assert set(completed) == {q.slug for q in shipped.quests}


def test_shipped_rewards_name_existing_badges_and_coupons(shipped: Bundle) -> None:
    badges = {b.slug for b in shipped.badges}
    coupons = {c.slug for c in shipped.coupons}
    for quest in shipped.quests:
        assert quest.rewards.badge in badges | {None}
        assert quest.rewards.coupon in coupons | {None}
