"""Player moderation for admins (`/admin/v1/players`): look up, ban, unban.

A ban commits first, then closes the player's sockets on every worker (through the player's
channel); new tokens are refused from the commit on, since refresh checks the ban.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from game_server.admin.schemas import BanRequest, ModerationRead
from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.kit.closecodes import CloseCode
from game_server.kit.deps import BackendDep, SessionDep
from game_server.kit.errors import NotFound
from game_server.kit.pubsub import Backend, BackendUnavailable
from game_server.kit.uow import make_durable
from game_server.players import moderation
from game_server.players.models import Player
from game_server.staff.auth import AdminStaff

log = logging.getLogger(__name__)

router = APIRouter(prefix="/admin/v1/players", tags=["admin: moderation"])
_MISSING: dict[int | str, dict[str, Any]] = {404: {"description": "no such player"}}


def _read(player: Player, sockets_closed: bool | None = None) -> ModerationRead:
    return ModerationRead(
        player_id=player.id,
        display_name=player.display_name,
        created_at=player.created_at,
        banned_at=player.banned_at,
        ban_reason=player.ban_reason,
        sockets_closed=sockets_closed,
    )


@router.get("")
async def list_players(
    _: AdminStaff,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=40, description="name contains, or a player id")
    ] = None,
    banned: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ModerationRead]:
    """Players, newest first: by name (contains) or id, banned or not."""
    players = await moderation.search(session, q, banned=banned, limit=limit)
    return [_read(player) for player in players]


@router.get("/{player_id}", responses=_MISSING)
async def get_player(player_id: uuid.UUID, _: AdminStaff, session: SessionDep) -> ModerationRead:
    player = await session.get(Player, player_id)
    if player is None:
        raise NotFound(f"no player {player_id}")
    return _read(player)


@router.post("/{player_id}/ban", responses=_MISSING)
async def ban(
    player_id: uuid.UUID,
    body: BanRequest,
    staff: AdminStaff,
    session: SessionDep,
    backend: BackendDep,
) -> ModerationRead:
    """Ban with a reason: refresh tokens revoked, every open socket closed (1008)."""
    player = await moderation.ban(session, player_id, body.reason)
    await AuditLog(AuditRepository(session)).record(
        staff.actor, "player.ban", target=f"player:{player_id}", detail={"reason": body.reason}
    )
    await make_durable(session)  # the ban must be durable before any socket hears of it
    return _read(player, sockets_closed=await _kick(backend, player_id))


@router.post("/{player_id}/unban", responses=_MISSING)
async def unban(player_id: uuid.UUID, staff: AdminStaff, session: SessionDep) -> ModerationRead:
    """Lift a ban. Refresh tokens revoked by the ban stay revoked: a live access token works
    again until it expires."""
    player = await moderation.unban(session, player_id)
    await AuditLog(AuditRepository(session)).record(
        staff.actor, "player.unban", target=f"player:{player_id}"
    )
    return _read(player)


async def _kick(backend: Backend, player_id: uuid.UUID) -> bool:
    try:
        await moderation.kick(
            backend, player_id, code=CloseCode.POLICY_VIOLATION, reason="player banned"
        )
    except BackendUnavailable as exc:
        # The ban stands: a socket that stays open cannot reconnect (hello checks the ban) and
        # its access token expires within `access_token_ttl_s`.
        log.warning("ban of %s committed but sockets not told to close: %s", player_id, exc)
        return False
    return True
