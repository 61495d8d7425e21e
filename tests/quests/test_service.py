"""The quest service on a real database (SQLite always, PostGIS when configured)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from content.model import Bundle
from game_server.events.log import StoredEvent
from quests import hooks
from quests.exceptions import (
    NotAtSite,
    PrerequisitesMissing,
    QuestCoolingDown,
    QuestNotFound,
    TooManyWrongAnswers,
    WrongAnswer,
)
from quests.models import PlayerBadge, QuizFailure, StepCompletion, Visit, XpAward
from quests.repository import QuestRepository
from quests.service import WRONG_ANSWER_WINDOW_S, GameService
from tests.quests.conftest import Work
from tests.quests.factories import (
    NOON_ISH,
    badge,
    bundle,
    coupon,
    dwell,
    new_player,
    poi,
    quest,
    quiz,
    team,
    visit,
)

AT = NOON_ISH
GATES = bundle(
    [
        quest("gates", [visit("napoli"), visit("rudiae")], xp=150, badge="keeper", coupon="coffee"),
        quest("beyond", [visit("rudiae", id="again")], prerequisites=["gates"], xp=50),
        quest("villa", [dwell("villa", 900)], xp=100),
        quest("daily", [visit("napoli", id="n")], repeatable=True, cooldown_s=3600, xp=20),
        quest(
            "questions",
            [quiz("rudiae", ["Rudiae"], id="name")],
            xp=200,
            auto_start=True,
        ),
    ],
    pois=[poi("napoli", kind="gate"), poi("rudiae", kind="gate"), poi("villa", kind="garden")],
    badges=[
        badge("keeper"),
        badge("gatekeeper", sites_of_kind={"kind": "gate", "count": 2}),
        badge("explorer", quests_completed=2),
    ],
    coupons=[coupon("coffee")],
)


def kinds(events: list[StoredEvent]) -> list[str]:
    return [e.kind for e in events]


async def count(session: AsyncSession, model: type, **where: object) -> int:
    stmt = select(func.count()).select_from(model).filter_by(**where)
    return int((await session.execute(stmt)).scalar_one())


def service(session: AsyncSession, content: Bundle = GATES) -> GameService:
    return GameService(session, content)


async def test_visits_complete_a_quest_and_pay_each_reward_once(work: Work) -> None:
    player = await work(new_player)

    async def go(s: AsyncSession, slug: str, ts: int, minutes: int = 0) -> list[StoredEvent]:
        started = await service(s).start(player, "gates", at=AT)
        return started + await service(s).record_visit(
            player, slug, entered_ts_ms=ts, at=AT + timedelta(minutes=minutes)
        )

    first = await work(lambda s: go(s, "napoli", 1))
    assert kinds(first) == ["quest.started", "quest.started", "quest.step_completed"]
    second = await work(lambda s: go(s, "rudiae", 2, minutes=10))
    assert kinds(second) == [
        "quest.step_completed",
        "quest.completed",
        "xp.gained",
        "badge.awarded",
        "coupon.issued",
        "badge.awarded",  # gatekeeper: two gates visited
    ]
    assert [e.seq for e in first + second] == list(range(1, 10))
    xp = next(e for e in second if e.kind == "xp.gained")
    assert xp.data == {
        "xp": 150,
        "total": 150,
        "level": 2,
        "next_level_xp": 300,
        "reason": "quest:gates:1",
        "quest": "gates",
    }
    badge_event = next(e for e in second if e.kind == "badge.awarded")
    assert badge_event.data["credential_url"] == "/v1/me/badges/keeper/credential"
    # The same visit again (a retry, another worker): nothing happens.
    replay = await work(
        lambda s: service(s).record_visit(
            player, "rudiae", entered_ts_ms=2, at=AT + timedelta(minutes=10)
        )
    )
    assert replay == []

    async def totals(s: AsyncSession) -> tuple[int, int, int, int]:
        return (
            await count(s, Visit, player_id=player),
            await count(s, StepCompletion, player_id=player),
            await count(s, XpAward, player_id=player),
            await count(s, PlayerBadge, player_id=player),
        )

    assert await work(totals) == (2, 2, 1, 2)


async def test_a_longer_stay_reported_again_completes_a_dwell_step(work: Work) -> None:
    player = await work(new_player)
    await work(lambda s: service(s).start(player, "villa", at=AT))

    def stay(dwell_s: float | None) -> object:
        return lambda s: service(s).record_visit(
            player, "villa", entered_ts_ms=7, at=AT, dwell_s_observed=dwell_s
        )

    assert "quest.step_completed" not in kinds(await work(stay(None)))
    assert "quest.step_completed" not in kinds(await work(stay(600)))
    assert kinds(await work(stay(901)))[:2] == ["quest.step_completed", "quest.completed"]
    assert await work(stay(1200)) == []
    assert await work(stay(300)) == []


async def test_prerequisites_unknown_quests_and_idempotent_start(work: Work) -> None:
    player = await work(new_player)
    with pytest.raises(PrerequisitesMissing, match="complete gates before"):
        await work(lambda s: service(s).start(player, "beyond", at=AT))
    with pytest.raises(QuestNotFound):
        await work(lambda s: service(s).start(player, "nope", at=AT))
    assert kinds(await work(lambda s: service(s).start(player, "villa", at=AT))) == [
        "quest.started"
    ]
    assert await work(lambda s: service(s).start(player, "villa", at=AT)) == []


async def test_a_repeatable_quest_runs_again_after_its_cooldown(work: Work) -> None:
    player = await work(new_player)

    async def run(s: AsyncSession, ts: int, at_minutes: int) -> list[StoredEvent]:
        at = AT + timedelta(minutes=at_minutes)
        await service(s).start(player, "daily", at=at)
        return await service(s).record_visit(player, "napoli", entered_ts_ms=ts, at=at)

    assert "quest.completed" in kinds(await work(lambda s: run(s, 1, 0)))
    with pytest.raises(QuestCoolingDown):
        await work(lambda s: run(s, 2, 59))
    events = await work(lambda s: run(s, 3, 60))
    completed = next(e for e in events if e.kind == "quest.completed")
    assert completed.data["run"] == 2


async def test_quiz_answers_on_site_with_wrong_answers_rate_limited(work: Work) -> None:
    player = await work(new_player)

    def answer(text: str, at_poi: str | None = "rudiae", minutes: float = 0) -> object:
        at = AT + timedelta(minutes=minutes)
        return lambda s: service(s).answer(player, "questions", "name", text, at=at, at_poi=at_poi)

    with pytest.raises(NotAtSite, match="while you are at Rudiae"):
        await work(answer("Rudiae", at_poi="napoli"))
    for _ in range(3):
        with pytest.raises(WrongAnswer):
            await work(answer("Roma"))
    with pytest.raises(TooManyWrongAnswers) as limited:
        await work(answer("Rudiae", minutes=1))  # even a right answer waits
    assert limited.value.extra["retry_after_s"] > 0
    later = WRONG_ANSWER_WINDOW_S / 60 + 0.1
    events = await work(answer("  RUDIAE ", minutes=later))
    assert kinds(events)[:3] == ["quest.started", "quest.step_completed", "quest.completed"]
    assert events[0].data["auto"] is True
    assert await work(answer("Roma", minutes=later + 1)) == []  # answered: duplicates are no-ops
    assert await work(lambda s: count(s, QuizFailure, player_id=player)) == 3


async def test_criteria_badges_count_quests_and_days(work: Work) -> None:
    content = bundle(
        [quest("a", [visit("x")], auto_start=True), quest("b", [visit("y")], auto_start=True)],
        badges=[badge("two-quests", quests_completed=2), badge("two-days", distinct_days=2)],
    )
    player = await work(new_player)

    def go(slug: str, ts: int, days: int) -> object:
        return lambda s: service(s, content).record_visit(
            player, slug, entered_ts_ms=ts, at=AT + timedelta(days=days)
        )

    first = await work(go("x", 1, 0))
    assert "badge.awarded" not in kinds(first)
    second = await work(go("y", 2, 1))
    awarded = sorted(e.data["badge"] for e in second if e.kind == "badge.awarded")
    assert awarded == ["two-days", "two-quests"]


async def test_a_team_step_completes_for_every_member_present(
    work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = bundle(
        [quest("together", [team("piazza", min_members=3, window_s=120)], auto_start=True)]
    )
    contrada, other = uuid.uuid4(), uuid.uuid4()
    members = [await work(new_player) for _ in range(4)]
    teams = {members[0]: contrada, members[1]: contrada, members[2]: other, members[3]: contrada}

    async def team_of(_: AsyncSession, player_id: uuid.UUID) -> uuid.UUID | None:
        return teams.get(player_id)

    monkeypatch.setattr(hooks, "team_of", team_of)

    def arrive(i: int, seconds: int) -> object:
        return lambda s: service(s, content).record_visit(
            members[i], "piazza", entered_ts_ms=i, at=AT + timedelta(seconds=seconds)
        )

    assert kinds(await work(arrive(0, 0))) == ["quest.started"]
    assert kinds(await work(arrive(2, 10))) == ["quest.started"]  # another team
    assert kinds(await work(arrive(1, 20))) == ["quest.started"]  # two of three
    events = await work(arrive(3, 100))
    steps = [e for e in events if e.kind == "quest.step_completed"]
    assert sorted(e.player_id for e in steps) == sorted([members[0], members[1], members[3]])
    assert all(e.data["members"] == 3 for e in steps)
    assert kinds([e for e in events if e.player_id == members[0]]) == [
        "quest.step_completed",
        "quest.completed",
        "xp.gained",
    ]
    # Arriving again later, once the others left the window, changes nothing.
    assert await work(arrive(3, 100)) == []


async def test_on_connect_only_the_comune_last_played_starts_its_quests(work: Work) -> None:
    content = bundle(
        [
            quest("benvenuti", [visit("duomo")], auto_start=True),
            quest("benvenuti-bg", [visit("rocca")], auto_start=True, city="bergamo"),
            quest("mura", [visit("rocca"), visit("porta")], city="bergamo"),
        ],
        pois=[poi("duomo"), poi("rocca", city="bergamo"), poi("porta", city="bergamo")],
    )

    def started(events: list[StoredEvent]) -> list[str]:
        return [e.data["quest"] for e in events if e.kind == "quest.started"]

    newcomer = await work(new_player)
    # Before any visit: Lecce's (the comune of the first release), not Bergamo's.
    assert started(await work(lambda s: service(s, content).auto_start(newcomer, at=AT))) == [
        "benvenuti"
    ]
    tourist = await work(new_player)
    await work(lambda s: service(s, content).start(tourist, "mura", at=AT))
    await work(lambda s: service(s, content).record_visit(tourist, "porta", entered_ts_ms=1, at=AT))
    # The visit in Bergamo started Bergamo's; connecting again starts nothing of Lecce's.
    assert started(await work(lambda s: service(s, content).auto_start(tourist, at=AT))) == []
    runs = await work(lambda s: QuestRepository(s).snapshot(tourist))
    assert sorted(runs.runs) == ["benvenuti-bg", "mura"]


async def test_a_distinct_days_badge_counts_only_its_comunes_days(work: Work) -> None:
    """Two days in Bergamo earn Bergamo's two-day badge, not Lecce's; Lecce's takes two
    days of play in Lecce."""
    content = bundle(
        [quest("mura", [visit("rocca"), visit("porta")], city="bergamo")],
        pois=[poi("duomo"), poi("rocca", city="bergamo"), poi("porta", city="bergamo")],
        badges=[
            badge("di-casa", distinct_days=2),
            badge("di-casa-bg", distinct_days=2).model_copy(update={"city": "bergamo"}),
        ],
    )
    player = await work(new_player)

    async def play(poi: str, day: int) -> list[str]:
        at = AT + timedelta(days=day)
        events = await work(
            lambda s: service(s, content).record_visit(player, poi, entered_ts_ms=day, at=at)
        )
        return [e.data["badge"] for e in events if e.kind == "badge.awarded"]

    assert await play("rocca", 0) == []
    assert await play("rocca", 1) == ["di-casa-bg"]
    assert await play("duomo", 2) == []  # Lecce's first day, whatever was played elsewhere
    assert await play("duomo", 3) == ["di-casa"]
    days = await work(lambda s: QuestRepository(s).record(player))
    assert days.play_days == {"bergamo": 2, "lecce": 2}
