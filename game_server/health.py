from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.responses import Response

from game_server.kit.pubsub import BackendUnavailable
from game_server.kit.responses import OrjsonResponse

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (no dependencies checked)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "a dependency is not ready"}})
async def readyz(request: Request) -> Response:
    """Ready to serve: database reachable and content loaded (503 otherwise); `status` is
    "degraded" while the shared backend (Redis) is unreachable."""
    state = request.app.state
    checks: dict[str, Any] = {"database": "ok", "backend": "ok", "content": "ok"}
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        await state.backend.ping()
        state.outages.redis.recovered()
    except BackendUnavailable as exc:
        checks["backend"] = f"unreachable: {exc}"
        state.outages.redis.failed(exc, "readyz")
    catalog = state.catalog
    if catalog.current is None:
        checks["content"] = "no content version published (run `lupiae content publish content/`)"
    else:
        checks["content_version"] = catalog.current.version_id
        checks["content_versions"] = dict(catalog.current.key)
    ready = checks["database"] == "ok" and checks["content"] == "ok"
    # Without Redis the worker still serves (REST, redemptions with local limits, sockets
    # already open): ready, but degraded — taking every worker out would stop all of it.
    status = "not ready" if not ready else "ready" if checks["backend"] == "ok" else "degraded"
    return OrjsonResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)
