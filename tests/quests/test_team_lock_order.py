"""A team's reaction and its members' sockets, concurrent on PostgreSQL, never deadlock.

`make bench-abuse` with teams of three once ended on `DeadlockDetectedError` in
`FastLog.append`: the reaction unit of work cleared the owed flag of a member's visit (a row
lock on it) and took the member's event cursor only at the end, while that member's socket
appended in one statement that takes the cursor first, then upserts the same visit (a longer
stay). The order every writer now follows is: team-site lock, players, their event cursors,
then the rows (`QuestRepository.lock_players`). Here the reaction is stopped just before it
appends its events, both members' sockets write meanwhile, and everything completes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.events.log import NewEvent
from game_server.events.models import PlayerEvent
from game_server.kit.db import make_engine, make_session_factory
from quests import service as quests_service
from quests.models import StepCompletion, Visit
from quests.service import GameService
from quests.social.models import Team, TeamMember
from quests.visitlog import VisitRow
from quests.visitlog.postgres import FastLog
from tests.conftest import truncate_all
from tests.quests.factories import NOON_ISH, bundle, new_player, poi, quest, team

pytestmark = pytest.mark.postgis

AT = NOON_ISH
CONTENT = bundle(
    [quest("together", [team("piazza", min_members=3, window_s=120)], auto_start=True)],
    pois=[poi("piazza")],
)


async def _blocked_on_locks(session: AsyncSession) -> int:
    stmt = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    waiting = int((await session.execute(stmt)).scalar_one())
    await session.rollback()  # the statistics are a snapshot per transaction
    return waiting


async def test_team_members_completing_a_team_step_while_their_sockets_write(
    postgis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await truncate_all(postgis_url)
    engine = make_engine(postgis_url)
    sessions = make_session_factory(engine)
    fast = await FastLog.open(postgis_url)
    assert fast is not None
    try:
        async with sessions() as session:
            members = sorted([await new_player(session) for _ in range(3)])
            contrada = Team(name="Lupi", join_code="LUPI1234", member_count=3)
            session.add(contrada)
            await session.flush()
            session.add_all(TeamMember(player_id=p, team_id=contrada.id) for p in members)
            for member in members:
                await GameService(session, CONTENT).auto_start(member, at=AT)
            await session.commit()
        first, second, _ = members
        # The three walk in together: each socket records the visit ahead of the reaction.
        for i, member in enumerate(members):
            recorded = await fast.append(
                member,
                [NewEvent("poi.visit", {"poi": "piazza"})],
                at=AT - timedelta(seconds=i),  # the first member arrives last
                visits=[VisitRow("piazza", 1_000 + i, 30.0)],
                reaction_pending=True,
            )
            assert recorded is not None

        # The first member's reaction stops right before appending its events...
        reached, resume = asyncio.Event(), asyncio.Event()
        append = quests_service.Batch.append

        async def paused(batch: quests_service.Batch, session: AsyncSession) -> Any:
            reached.set()
            await resume.wait()
            return await append(batch, session)

        monkeypatch.setattr(quests_service.Batch, "append", paused)

        async def reaction() -> list[Any]:
            async with sessions() as session:
                events = await GameService(session, CONTENT).react_to_pending(first)
                await session.commit()
                return events

        reacting = asyncio.create_task(reaction())
        await asyncio.wait_for(reached.wait(), 30)
        # ...while both sockets write: the first reports a longer stay of the visit being
        # reacted to, the second leaves the site.
        writes: list[asyncio.Task[Any]] = [
            asyncio.create_task(
                fast.append(
                    first,
                    [NewEvent("poi.exit", {"poi": "piazza"})],
                    at=AT + timedelta(seconds=45),
                    visits=[VisitRow("piazza", 1_000, 45.0)],
                    reaction_pending=True,
                )
            ),
            asyncio.create_task(
                fast.append(second, [NewEvent("poi.exit", {"poi": "piazza"})], at=AT)
            ),
        ]
        try:
            async with sessions() as watcher:
                # Each write has either finished or is waiting for a lock the reaction holds.
                for _ in range(1000):
                    waiting = await _blocked_on_locks(watcher)
                    if waiting >= sum(not w.done() for w in writes):
                        break
                    await asyncio.sleep(0.01)
                else:
                    pytest.fail("the sockets' writes neither finished nor waited for a lock")
        finally:
            resume.set()
        events = await asyncio.wait_for(reacting, 30)  # no DeadlockDetectedError
        appended = await asyncio.wait_for(asyncio.gather(*writes), 30)
        assert all(a is not None for a in appended)

        completed = [e.player_id for e in events if e.kind == "quest.step_completed"]
        assert sorted(completed) == members  # the team step, for all three
        await _check_after(sessions, members, first)
    finally:
        await fast.close()
        await engine.dispose()


async def _check_after(
    sessions: Callable[[], Any], members: list[uuid.UUID], first: uuid.UUID
) -> None:
    async with sessions() as session:
        steps = select(func.count()).select_from(StepCompletion)
        assert await session.scalar(steps) == 3
        visit = await session.get(Visit, (first, "piazza", 1_000))
        assert visit is not None
        assert visit.dwell_s == 45.0
        # The longer stay arrived after the claim: owed again (it completes nothing new).
        assert visit.reaction_pending
        for member in members:
            seqs = select(PlayerEvent.seq).where(PlayerEvent.player_id == member)
            numbers = list((await session.execute(seqs.order_by(PlayerEvent.seq))).scalars())
            assert numbers == list(range(1, len(numbers) + 1))  # no hole, no duplicate
    again: Callable[[AsyncSession], Awaitable[Any]] = lambda s: GameService(  # noqa: E731
        s, CONTENT
    ).react_to_pending(first)
    async with sessions() as session:
        assert [e.kind for e in await again(session)] == []
        await session.commit()
