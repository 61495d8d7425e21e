"""Visits recorded ahead of the game's reaction (the gateway sends geo events first, on
PostgreSQL) get exactly the reaction `record_visit` would have given them, exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content.model import Bundle
from game_server.kit.db import make_engine, make_session_factory
from quests import hooks
from quests.engine import Engine
from quests.engine import Visit as EngineVisit
from quests.models import PlayDay, StepCompletion, Visit
from quests.service import GameService, players_owed_reactions
from quests.view import load_view, quiet_visit
from tests.conftest import truncate_all
from tests.quests.conftest import Work
from tests.quests.factories import NOON_ISH, bundle, dwell, new_player, poi, quest, team, visit

AT = NOON_ISH
CONTENT = bundle(
    [
        quest("gates", [visit("napoli"), visit("rudiae")], order="sequence", xp=150),
        quest("villa", [dwell("villa", 900)], xp=100),
    ],
    pois=[poi("napoli"), poi("rudiae"), poi("villa")],
)


def owe(
    player_id: uuid.UUID,
    site: str,
    at: datetime,
    *,
    dwell_s: float = 30.0,
    team_id: uuid.UUID | None = None,
    entered_ts_ms: int = 0,
    owner: str | None = None,
) -> object:
    """What the gateway's write ahead leaves: the visit, its reaction owed (by `owner`)."""

    async def run(session: AsyncSession) -> None:
        session.add(
            Visit(
                player_id=player_id,
                poi=site,
                entered_ts_ms=entered_ts_ms,
                visited_at=at,
                dwell_s=dwell_s,
                team_id=team_id,
                reaction_pending=True,
                reaction_owner=owner,
            )
        )

    return run


def react(player_id: uuid.UUID, content: Bundle = CONTENT) -> object:
    return lambda s: GameService(s, content).react_to_pending(player_id)


async def _owed(session: AsyncSession, player_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(Visit).filter_by(player_id=player_id)
    return int((await session.execute(stmt.where(Visit.reaction_pending))).scalar_one())


async def test_owed_visits_react_oldest_first_and_only_once(work: Work) -> None:
    player = await work(new_player)
    await work(lambda s: GameService(s, CONTENT).start(player, "gates", at=AT))
    # Written in the wrong order on purpose: the reaction follows the visits' own order.
    await work(owe(player, "rudiae", AT + timedelta(minutes=5), entered_ts_ms=2))
    await work(owe(player, "napoli", AT + timedelta(minutes=1), entered_ts_ms=1))

    events = await work(react(player))
    steps = [e.data["step"] for e in events if e.kind == "quest.step_completed"]
    assert steps == ["napoli", "rudiae"]  # a sequence: rudiae first would have counted nothing
    assert "quest.completed" in [e.kind for e in events]
    assert await work(react(player)) == []  # a retry, the sweep, another worker: nothing more
    assert await work(lambda s: _owed(s, player)) == 0
    days = select(func.count()).select_from(PlayDay).filter_by(player_id=player)
    assert await work(lambda s: s.scalar(days)) == 1


async def test_a_longer_stay_recorded_before_the_reaction_counts(work: Work) -> None:
    player = await work(new_player)
    await work(lambda s: GameService(s, CONTENT).start(player, "villa", at=AT))
    await work(owe(player, "villa", AT, dwell_s=1000))
    kinds = [e.kind for e in await work(react(player))]
    assert kinds[:2] == ["quest.step_completed", "quest.completed"]


async def test_a_socket_view_never_judges_a_visit_quiet_while_a_reaction_is_owed(
    work: Work,
) -> None:
    player = await work(new_player)
    await work(owe(player, "napoli", AT))
    view = await work(lambda s: load_view(s, player))
    assert view.owes_reactions
    engine = Engine(CONTENT)
    assert quiet_visit(view, engine, CONTENT, EngineVisit("villa", AT, 30.0)) is None
    await work(react(player))
    view = await work(lambda s: load_view(s, player))
    assert not view.owes_reactions
    assert quiet_visit(view, engine, CONTENT, EngineVisit("villa", AT, 30.0)) is not None


async def test_an_owed_team_visit_completes_the_step_for_every_member_present(
    work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = bundle(
        [quest("together", [team("piazza", min_members=2, window_s=120)], auto_start=True)]
    )
    contrada = uuid.uuid4()
    first, second = await work(new_player), await work(new_player)

    async def team_of(_: AsyncSession, player_id: uuid.UUID) -> uuid.UUID | None:
        return contrada

    monkeypatch.setattr(hooks, "team_of", team_of)
    for player in (first, second):
        await work(lambda s, p=player: GameService(s, content).auto_start(p, at=AT))
    await work(
        lambda s: GameService(s, content).record_visit(first, "piazza", entered_ts_ms=1, at=AT)
    )
    await work(owe(second, "piazza", AT + timedelta(seconds=30), team_id=contrada))

    events = await work(react(second, content))
    done = [e.player_id for e in events if e.kind == "quest.step_completed"]
    assert sorted(done) == sorted([first, second])


@pytest.mark.postgis
async def test_concurrent_reactions_to_the_same_owed_visits_grant_once(
    postgis_url: str,
) -> None:
    await truncate_all(postgis_url)
    engine = make_engine(postgis_url)
    sessions: async_sessionmaker[AsyncSession] = make_session_factory(engine)
    try:
        async with sessions() as session:
            player = await new_player(session)
            await GameService(session, CONTENT).start(player, "gates", at=AT)
            await owe(player, "napoli", AT)(session)  # type: ignore[operator]
            await session.commit()
        workers = 6
        barrier = asyncio.Barrier(workers)

        async def one() -> int:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))  # a connection of our own first
                await barrier.wait()
                events = await GameService(session, CONTENT).react_to_pending(player)
                await session.commit()
                return len(events)

        granted = await asyncio.gather(*(one() for _ in range(workers)))
        assert sorted(granted)[:-1] == [0] * (workers - 1)  # one of them granted, alone
        assert max(granted) > 0
        async with sessions() as session:
            steps = select(func.count()).select_from(StepCompletion).filter_by(player_id=player)
            assert await session.scalar(steps) == 1
    finally:
        await engine.dispose()


@pytest.mark.postgis
async def test_the_sweeping_worker_never_takes_itself_for_dead(postgis_url: str) -> None:
    """A young visit owed by a worker with no recent beat is swept by any other worker, never
    by its owner: it is the one sweeping, so alive, and its own queue grants the visit."""
    await truncate_all(postgis_url)
    engine = make_engine(postgis_url)
    sessions: async_sessionmaker[AsyncSession] = make_session_factory(engine)
    try:
        async with sessions() as session:
            player = await new_player(session)
            await owe(player, "napoli", AT, owner="me:1:a")(session)  # type: ignore[operator]
            await session.commit()
        async with sessions() as session:  # no beat recorded: every owner looks dead

            async def swept(me: str | None) -> list[uuid.UUID]:
                return await players_owed_reactions(
                    session, before=AT - timedelta(hours=1), limit=10, alive_since=AT, me=me
                )

            assert await swept(None) == [player]
            assert await swept("other:2:b") == [player]
            assert await swept("me:1:a") == []
    finally:
        await engine.dispose()
