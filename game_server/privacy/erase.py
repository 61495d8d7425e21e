"""`DELETE /v1/me`: erase a player in one transaction, then forget them in the shared backend.

`erase` runs inside the caller's unit of work and never commits. Every table of `plan.PLAN`
marked DELETE loses the rows naming the player (children first, in the metadata's dependency
order); coupons with a redemption stay in the shop's books with `player_id` NULL, the others
are deleted. After the commit, `forget` deletes the tracker state, removes the player from the
cached leaderboards and closes the player's sockets on every worker.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.gateway.trackers import TrackerStore
from game_server.kit.closecodes import CloseCode
from game_server.kit.db import Base
from game_server.kit.errors import NotFound
from game_server.kit.pubsub import Backend, BackendUnavailable
from game_server.players.models import Player
from game_server.players.moderation import kick
from game_server.privacy.export import naming
from game_server.privacy.plan import Erase, section_of
from quests.social.leaderboards import LeaderboardStore, RedisLeaderboardStore
from quests.social.models import XpScore
from quests.social.privacy import forget_player
from rewards.models import Coupon, Redemption

log = logging.getLogger(__name__)

ERASED_CLOSE_CODE = CloseCode.POLICY_VIOLATION


@dataclass(frozen=True, slots=True)
class Erased:
    player_id: uuid.UUID
    boards: tuple[str, ...]  # leaderboard keys the player had a score on


async def erase(session: AsyncSession, player_id: uuid.UUID) -> Erased:
    lock = select(Player.id).where(Player.id == player_id).with_for_update()
    if (await session.execute(lock)).scalar_one_or_none() is None:
        raise NotFound(f"no player {player_id}")
    boards = await session.execute(select(XpScore.board).where(XpScore.member == str(player_id)))
    erased = Erased(player_id, tuple(sorted(boards.scalars())))
    await forget_player(session, player_id)  # frees the team seat through its counter
    await _coupons(session, player_id)
    for table in reversed(Base.metadata.sorted_tables):
        section = section_of(table.name)
        if section is not None and section.erase is Erase.DELETE:
            await session.execute(delete(table).where(naming(table, section, player_id)))
    return erased


async def _coupons(session: AsyncSession, player_id: uuid.UUID) -> None:
    redeemed = exists().where(Redemption.coupon_id == Coupon.id)
    mine = Coupon.player_id == player_id
    await session.execute(update(Coupon).where(mine, redeemed).values(player_id=None))
    await session.execute(delete(Coupon).where(mine, ~redeemed))


async def forget(backend: Backend, store: LeaderboardStore, erased: Erased) -> None:
    """After the commit: nothing in the shared backend names the player any more.

    Best effort when Redis is away: the tracker state expires within its linger time, a
    cached board within its cache TTL, and an open socket cannot act (its player is gone).
    """
    await TrackerStore(backend).forget(erased.player_id)
    if isinstance(store, RedisLeaderboardStore):
        await store.forget_member(erased.boards, str(erased.player_id))
    try:
        reason = "account erased"
        await kick(backend, erased.player_id, code=ERASED_CLOSE_CODE, reason=reason, forget=True)
    except BackendUnavailable as exc:
        log.warning("erased %s but could not close its sockets: %s", erased.player_id, exc)
