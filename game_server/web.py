"""The built web apps (web/, see docs/web.md) served from `/`, after every API route.

`npm run build` writes `web/dist/`: one HTML entry per page (`index.html` the player app,
`merchant/index.html`, `admin/index.html`…) and content-hashed files under `assets/`. Hashed
files are cached for a year; everything else (the HTML, the service worker, the manifest) is
revalidated on every load so a new build reaches phones at once. Files are gzipped when the
browser accepts it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from game_server.kit.responses import OrjsonResponse
from game_server.settings import Settings

log = logging.getLogger(__name__)

REPO_DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

router = APIRouter(prefix="/v1", tags=["content"])


@router.get("/app-config")
async def app_config(request: Request) -> Response:
    """What the web app needs to know about this deployment (the basemap style URL; empty:
    the city's own layers on a plain background)."""
    settings: Settings = request.app.state.settings
    body: dict[str, Any] = {"map_style_url": settings.map_style_url or None}
    return OrjsonResponse(body, headers={"Cache-Control": REVALIDATE})


class WebFiles(StaticFiles):
    """Static files with the cache policy above and `nosniff`."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        hashed = path.startswith("assets/")
        response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def dist_folder(settings: Settings) -> Path:
    return Path(settings.web_dist) if settings.web_dist else REPO_DIST


def install(app: FastAPI, settings: Settings) -> None:
    """Add the config route, and serve the built apps for every GET no route takes: as the
    router's fallback, not as a mount, so that routes added later still come first."""
    app.include_router(router)
    folder = dist_folder(settings)
    if not (folder / "index.html").is_file():
        log.warning("no web app build in %s: run `make web` (Node.js 20+) to serve one", folder)
        return
    # Compressed on the fly (the API's responses are not: they are small and hot).
    files = GZipMiddleware(WebFiles(directory=folder, html=True), minimum_size=1024)
    not_found = app.router.default

    async def web_or_not_found(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in {"GET", "HEAD"}:
            await files(scope, receive, send)
        else:
            await not_found(scope, receive, send)

    app.router.default = web_or_not_found
