from __future__ import annotations

from fastapi import APIRouter, WebSocket

router = APIRouter()


@router.websocket("/v1/play")
async def play(websocket: WebSocket) -> None:
    """The game socket; protocol in docs/asyncapi.yaml."""
    await websocket.app.state.gateway.serve(websocket)
