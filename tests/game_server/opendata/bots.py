"""Bots playing the shipped quests through the quest service the gateway uses (fast: no socket).

Each bot is a real player; it starts one shipped quest and walks its steps on a chosen local
day: a visit (or a dwell) is recorded with `GameService.record_visit`, exactly what the
gateway's unit of work calls when the geo engine reports a real visit; a quiz is answered at
its site. Refusals (a schedule, a prerequisite) do not stop a bot: its visits still count.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.model import Bundle, Quest, Step
from game_server.kit.errors import DomainError
from game_server.players.models import Player
from game_server.players.repository import PlayerRepository
from quests.service import GameService

ZONE = ZoneInfo("Europe/Rome")


async def _step(
    service: GameService, player: uuid.UUID, quest: Quest, step: Step, at: datetime
) -> None:
    if step.kind == "quiz" and step.quiz is not None:
        answer = step.quiz.answers[0]
        await service.answer(player, quest.slug, step.id, answer, at=at, at_poi=step.poi)
    elif step.kind in ("visit", "dwell"):
        await service.record_visit(
            player,
            step.poi,
            entered_ts_ms=int((at - timedelta(minutes=2)).timestamp() * 1000),
            at=at,
            dwell_s_observed=float(step.dwell_s or 120),
        )


async def play_bot(
    sessions: async_sessionmaker[AsyncSession], bundle: Bundle, quest: Quest, start: datetime
) -> uuid.UUID:
    async with sessions() as session:
        player = await PlayerRepository(session).add(Player(id=uuid.uuid4(), display_name="bot"))
        await session.commit()
    at = start
    for step in [None, *quest.steps]:
        async with sessions() as session:
            service = GameService(session, bundle)
            try:
                if step is None:
                    await service.start(player.id, quest.slug, at=at)
                else:
                    await _step(service, player.id, quest, step, at)
            except DomainError:
                await session.rollback()
            else:
                await session.commit()
        at += timedelta(minutes=3)
    return player.id


async def play_bots(
    sessions: async_sessionmaker[AsyncSession], bundle: Bundle, n: int, day: date
) -> list[uuid.UUID]:
    """`n` bots, most at 10:00 or 16:00 local time, one in 25 at 13:00 (small counts)."""
    quests = [q for q in bundle.quests if any(s.kind in ("visit", "dwell") for s in q.steps)]
    players = []
    for i in range(n):
        hour = 13 if i % 25 == 0 else 10 if i % 2 else 16
        start = datetime.combine(day, time(hour, (i * 7) % 20), ZONE)
        players.append(await play_bot(sessions, bundle, quests[i % len(quests)], start))
    return players
