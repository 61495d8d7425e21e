"""The built web apps (web/, see docs/web.md) served from `/`, after every API route.

`npm run build` writes `web/dist/`: one HTML entry per page (`index.html` the player app,
`merchant/index.html`, `admin/index.html`…) and content-hashed files under `assets/`. Hashed
files are cached for a year; everything else (the HTML, the service worker, the manifest) is
revalidated on every load so a new build reaches phones at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from game_server.responses import OrjsonResponse
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
    """Add the config route, and mount the built apps at `/` when they were built. Call it
    after every other router: the mount answers whatever no route took."""
    app.include_router(router)
    folder = dist_folder(settings)
    if not (folder / "index.html").is_file():
        log.warning("no web app build in %s: run `make web` (Node.js 20+) to serve one", folder)
        return
    app.mount("/", WebFiles(directory=folder, html=True), name="web")
