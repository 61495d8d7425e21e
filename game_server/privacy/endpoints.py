"""The player's GDPR rights over HTTP: a copy of everything kept, and erasure."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from game_server.kit.deps import BackendDep, SessionDep
from game_server.kit.errors import Unprocessable
from game_server.kit.uow import make_durable
from game_server.players.deps import CurrentPlayer
from game_server.privacy import erase as erasure
from game_server.privacy.export import export
from quests.social.leaderboards import leaderboard_store

router = APIRouter(prefix="/v1", tags=["privacy"])

Confirm = Annotated[
    str | None,
    Query(description="the caller's own player id, to confirm the account is to be erased"),
]


@router.get("/me/export")
async def export_me(player: CurrentPlayer, session: SessionDep, backend: BackendDep) -> Any:
    """Everything kept about the caller, as one JSON document (fields: docs/privacy.md)."""
    return await export(session, backend, player.id)


@router.delete("/me", status_code=204, responses={422: {"description": "not confirmed"}})
async def erase_me(
    request: Request,
    player: CurrentPlayer,
    session: SessionDep,
    backend: BackendDep,
    confirm: Confirm = None,
) -> Response:
    """Erase the caller's account, irreversibly: `?confirm=<your player id>`.

    In one transaction every row naming the player is deleted (redeemed coupons stay in the
    shops' books without the player); then the tracker state and the cached leaderboard
    entries are removed and every open socket of the player is closed (1008), on every
    worker. The access and refresh tokens are refused from then on (401).
    """
    if confirm != str(player.id):
        raise Unprocessable(
            "erasing an account cannot be undone: repeat the request with "
            "?confirm=<your player id> (GET /v1/me shows it)"
        )
    erased = await erasure.erase(session, player.id)
    await make_durable(session)  # durable before anything is told
    await erasure.forget(backend, leaderboard_store(request, session), erased)
    return Response(status_code=204)
