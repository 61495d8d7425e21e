from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.responses import Response

from game_server.pubsub import BackendUnavailable
from game_server.responses import OrjsonResponse

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (no dependencies checked)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "a dependency is not ready"}})
async def readyz(request: Request) -> Response:
    """Ready to serve: database reachable, shared backend reachable, content loaded."""
    state = request.app.state
    checks: dict[str, Any] = {"database": "ok", "backend": "ok", "content": "ok"}
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        await state.backend.ping()
    except BackendUnavailable as exc:
        checks["backend"] = f"unreachable: {exc}"
    catalog = state.catalog
    if catalog.current is None:
        checks["content"] = "no content version published (run `lupiae content publish content/`)"
    else:
        checks["content_version"] = catalog.current.version_id
    ready = all(value == "ok" for key, value in checks.items() if key != "content_version")
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return OrjsonResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)
