"""Game: one GameService per unit of work, as REST and the socket call it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from game_server.kit.uow import unit_of_work
from quests.exceptions import WrongAnswer
from quests.game import Game
from quests.models import QuizFailure
from tests.quests.conftest import Work
from tests.quests.factories import NOON_ISH, bundle, new_player, quest, quiz, visit

CONTENT = bundle(
    [quest("q", [quiz("rudiae", ["Rudiae"])], auto_start=True), quest("v", [visit("duomo")])]
)


async def _answer_in_a_unit_of_work(
    game: Game, sessions: async_sessionmaker[AsyncSession], player: uuid.UUID, answer: str
) -> None:
    """As the gateway answers: in its unit of work, which keeps what a refusal must keep."""
    async with unit_of_work(sessions) as session:
        await game.service(session, CONTENT).answer(
            player, "q", "quiz", answer, at=NOON_ISH, at_poi="rudiae"
        )


async def test_the_gateway_path_plays_and_keeps_wrong_answers_counted(
    work: Work, sessions: async_sessionmaker[AsyncSession]
) -> None:
    game = Game()
    player = await work(new_player)
    with pytest.raises(WrongAnswer):
        await _answer_in_a_unit_of_work(game, sessions, player, "Roma")
    async with sessions() as session:
        failures = select(func.count()).select_from(QuizFailure)
        assert (await session.execute(failures)).scalar_one() == 1
        service = game.service(session, CONTENT)
        events = await service.start(player, "v", at=NOON_ISH)
        events += await service.record_visit(
            player, "duomo", entered_ts_ms=1, dwell_s_observed=25.0, at=NOON_ISH
        )
        await session.commit()
    assert [e.kind for e in events] == [
        "quest.started",
        "quest.started",
        "quest.step_completed",
        "quest.completed",
        "xp.gained",
    ]


def test_the_rules_are_built_once_per_content_version(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The socket judges every visit on `engine(bundle)`; each unit of work's service uses
    the same rules, rebuilt only when the content changes."""
    game = Game()
    rules = game.engine(CONTENT)
    assert game.engine(CONTENT) is rules
    assert game.service(sessions(), CONTENT).engine is rules
    other = bundle([quest("w", [visit("duomo")])])
    assert game.engine(other) is not rules
