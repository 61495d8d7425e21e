from __future__ import annotations

from fastapi import APIRouter, FastAPI, WebSocket
from starlette.types import Receive, Scope, Send

PLAY_PATH = "/v1/play"

router = APIRouter()


@router.websocket(PLAY_PATH)
async def play(websocket: WebSocket) -> None:
    """The game socket; protocol in docs/asyncapi.yaml."""
    await websocket.app.state.gateway.serve(websocket)


class GameApp(FastAPI):
    """FastAPI, except that game sockets go straight to the gateway.

    Each layer between the server and a handler (middlewares, routers, FastAPI's dependency
    solving and exit stacks) keeps a coroutine frame and some objects alive for as long as the
    socket stays open: about 10 KiB per idle socket, measured. None of those layers does
    anything for `/v1/play`: the middlewares act on HTTP only and the gateway handles every
    error itself. So that one path skips them; the route above stays registered (docs,
    `url_path_for`).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and _route_path(scope, self.root_path) == PLAY_PATH:
            if self.root_path:
                scope["root_path"] = self.root_path
            scope["app"] = self
            await self.state.gateway.serve(WebSocket(scope, receive, send))
            return
        await super().__call__(scope, receive, send)


def _route_path(scope: Scope, app_root_path: str) -> str:
    """The path as routing sees it (Starlette strips the root path the same way)."""
    path: str = scope["path"]
    root: str = app_root_path or scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
