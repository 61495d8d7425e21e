"""QuestGame: the quest engine as the gateway calls it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from quests.exceptions import WrongAnswer
from quests.game import QuestGame
from quests.models import QuizFailure
from tests.quests.conftest import Work
from tests.quests.factories import NOON_ISH, bundle, new_player, quest, quiz, visit

CONTENT = bundle(
    [quest("q", [quiz("rudiae", ["Rudiae"])], auto_start=True), quest("v", [visit("duomo")])]
)


async def test_the_gateway_path_plays_and_keeps_wrong_answers_counted(
    work: Work, sessions: async_sessionmaker[AsyncSession]
) -> None:
    game = QuestGame()
    player = await work(new_player)
    async with sessions() as session:
        with pytest.raises(WrongAnswer):
            await game.answer(
                session, CONTENT, player, "q", "quiz", "Roma", at=NOON_ISH, at_poi="rudiae"
            )
        await session.rollback()  # what the gateway does after an error: nothing to keep
    async with sessions() as session:
        failures = select(func.count()).select_from(QuizFailure)
        assert (await session.execute(failures)).scalar_one() == 1
        events = await game.start(session, CONTENT, player, "v", at=NOON_ISH)
        events += await game.record_visit(
            session, CONTENT, player, "duomo", entered_ts_ms=1, dwell_s_observed=25.0, at=NOON_ISH
        )
        await session.commit()
    assert [e.kind for e in events] == [
        "quest.started",
        "quest.started",
        "quest.step_completed",
        "quest.completed",
        "xp.gained",
    ]
