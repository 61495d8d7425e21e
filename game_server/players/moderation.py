"""Bans and kicks: effective at once on every worker (through the player's channel)."""

from __future__ import annotations

import uuid

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from game_server.events.log import player_channel
from game_server.kit.clock import utcnow
from game_server.kit.errors import NotFound
from game_server.kit.pubsub import Backend
from game_server.players.models import Player
from game_server.players.repository import PlayerRepository


async def kick(
    backend: Backend, player_id: uuid.UUID, *, code: int, reason: str, forget: bool = False
) -> None:
    """Close every socket of the player, whichever worker holds it; with `forget`, each
    worker deletes the player's tracker state instead of saving it as the socket closes."""
    frame = {"type": "control", "close": code, "reason": reason, "forget": forget}
    await backend.publish(player_channel(player_id), orjson.dumps(frame))


async def ban(session: AsyncSession, player_id: uuid.UUID, reason: str) -> Player:
    """Mark the player banned and revoke every refresh token (the caller commits, then kicks)."""
    player = await session.get(Player, player_id)
    if player is None:
        raise NotFound(f"no player {player_id}")
    now = utcnow()
    player.banned_at = now
    player.ban_reason = reason
    await PlayerRepository(session).revoke_all_for(player_id, now)
    await session.flush()
    return player


async def unban(session: AsyncSession, player_id: uuid.UUID) -> Player:
    player = await session.get(Player, player_id)
    if player is None:
        raise NotFound(f"no player {player_id}")
    player.banned_at = None
    player.ban_reason = None
    await session.flush()
    return player


async def search(
    session: AsyncSession, text: str | None, *, banned: bool | None, limit: int
) -> list[Player]:
    """Players for moderators, newest first: name containing `text`, or the player `text` is
    the id of; banned or not."""
    stmt = select(Player).order_by(Player.created_at.desc(), Player.id).limit(limit)
    if text:
        try:
            stmt = stmt.where(Player.id == uuid.UUID(text))
        except ValueError:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(Player.display_name.ilike(f"%{escaped}%", escape="\\"))
    if banned is not None:
        stmt = stmt.where(Player.banned_at.is_not(None) if banned else Player.banned_at.is_(None))
    return list((await session.execute(stmt)).scalars())
