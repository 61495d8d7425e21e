"""Game actions asked on the socket (start a quest, answer a step): one unit of work each,
calling the same game service as the REST endpoints; a refusal becomes an `error` frame."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from game_server.gateway import protocol
from game_server.gateway.connection import Connection
from game_server.gateway.owed import OwedReactions
from game_server.gateway.positions import current_poi
from game_server.kit.errors import DomainError
from game_server.kit.uow import unit_of_work


class GameActions(OwedReactions):
    async def _auto_start(self, conn: Connection) -> None:
        """Start the quests that start by themselves. Where visits are judged on the socket's
        view of the player (`GatewayCore.visit_log`), the view is read first and tells whether
        any would start: a reconnecting player usually has nothing to start, and skips the
        game's unit of work."""
        if self.visit_log is None:
            await self._start(conn, None)
            return
        view = await self._load_view(conn)
        world = self._world(conn)
        starts = world is not None and self.game.engine(world.bundle).auto_start(
            view.snapshot, self.clock()
        )
        if starts and starts.transitions:
            await self._start(conn, None)
            await self._load_view(conn)  # read now, not while the first visit waits for it

    async def _answer(self, conn: Connection, frame: protocol.Answer) -> None:
        world = self._world(conn)
        if world is None:
            conn.send_local(
                protocol.error("no_content", "no game content is published yet", conn.language)
            )
            return
        at_poi = current_poi(conn.tracker, world.bundle, frame.quest, frame.step)
        await self._game_call(
            conn,
            lambda session: self.game.service(session, world.bundle).answer(
                conn.player_id,
                frame.quest,
                frame.step,
                frame.answer,
                at=self.clock(),
                at_poi=at_poi,
            ),
        )

    async def _start(self, conn: Connection, quest: str | None) -> None:
        world = self._world(conn)
        if world is None:
            if quest is not None:
                conn.send_local(
                    protocol.error("no_content", "no game content is published yet", conn.language)
                )
            return
        bundle, pid = world.bundle, conn.player_id
        if quest is None:
            await self._game_call(
                conn, lambda s: self.game.service(s, bundle).auto_start(pid, at=self.clock())
            )
        else:
            await self._game_call(
                conn, lambda s: self.game.service(s, bundle).start(pid, quest, at=self.clock())
            )

    async def _game_call(
        self, conn: Connection, call: Callable[[AsyncSession], Awaitable[object]]
    ) -> None:
        """One unit of work for a game action; a refusal becomes an `error` frame."""
        conn.game_view = None  # a game action changes what the game knows of the player
        work = unit_of_work(self.factory, lock=self._writes)
        try:
            async with work as session:  # a refusal such as a wrong answer may stay counted
                await call(session)
        except DomainError as exc:
            conn.send_local(protocol.error(exc.slug, exc.detail, conn.language))
            return
        await self._publish(conn, work.committed)
