"""The application factory. Nothing is created at import time: the lifespan builds it all."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import event
from starlette.responses import Response

from game_server import admin, health, web
from game_server.admin.limits import RouteBodyLimits
from game_server.anticheat import endpoints as anticheat
from game_server.anticheat import signup
from game_server.catalog import endpoints as catalog
from game_server.catalog.service import Catalog, watching
from game_server.district import endpoints as district
from game_server.gateway import endpoint as gateway
from game_server.gateway.metrics import (
    GatewayMetrics,
    probing_loop_lag,
    timing_full_collections,
)
from game_server.gateway.service import Gateway
from game_server.headers import SecurityHeaders
from game_server.jobs.runs import JobContext, JobMetrics
from game_server.jobs.scheduler import scheduling
from game_server.kit.clock import utcnow
from game_server.kit.counters import Counters, LocalWindows
from game_server.kit.db import make_engine, make_session_factory
from game_server.kit.errors import install_error_handlers
from game_server.kit.outages import Outages
from game_server.kit.pubsub import backend_from_url
from game_server.middleware import HttpMetrics, InputRuleMiddleware, MetricsMiddleware
from game_server.opendata import endpoints as opendata
from game_server.players import endpoints as players
from game_server.players.passkeys import endpoints as passkeys
from game_server.privacy import endpoints as privacy
from game_server.settings import Settings
from game_server.wordings import ITALIAN
from quests import endpoints as quests
from quests.game import Game
from quests.social import endpoints as social
from quests.visitlog.postgres import FastLog
from rewards import endpoints as rewards
from rewards.auth import refuse_on_admin_api
from rewards.merchants import KEY_PREFIX

log = logging.getLogger(__name__)


def tune_gc(young_threshold: int) -> None:
    """Everything built at startup lives as long as the process: freeze it out of the
    collector's walks; and collect the young generation less often (0: Python's defaults)."""
    if young_threshold:
        gc.collect()
        gc.freeze()
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)


def create_app(
    settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow
) -> FastAPI:
    """The application. `clock` is the gateway's server time (tests inject one)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        # A new pooled connection after failures: the database is back (logged once).
        event.listen(
            engine.sync_engine, "connect", lambda *_: app.state.outages.database.recovered()
        )
        backend = backend_from_url(settings.backend_url)
        await backend.connect()
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        app.state.backend = backend
        app.state.counters = Counters(backend, LocalWindows(), app.state.outages.redis)
        fast_log = await FastLog.open(settings.database_url)
        app.state.gateway = Gateway(
            settings,
            app.state.session_factory,
            backend,
            app.state.catalog,
            app.state.game,
            app.state.gateway_metrics,
            fast_log,
            app.state.outages,
            clock=clock,
        )
        async with app.state.session_factory() as session:
            loaded = await app.state.catalog.reload(session)
        if loaded is None:
            log.warning("no content published yet: run `lupiae content publish content/`")
        tune_gc(settings.gc_young_threshold)
        try:
            async with (
                watching(app.state.catalog, app.state.session_factory, settings.content_poll_s),
                probing_loop_lag(app.state.gateway_metrics.loop_lag),
                app.state.gateway.running(),
                scheduling(
                    settings,
                    engine,
                    JobContext(settings, app.state.session_factory, app.state.job_metrics, backend),
                ) as scheduler,
            ):
                app.state.scheduler = scheduler
                with timing_full_collections(app.state.gateway_metrics.gc_pause):
                    yield
        finally:
            if fast_log is not None:
                await fast_log.close()
            await backend.close()
            await engine.dispose()

    app = gateway.GameApp(
        docs_url=None,  # served from the installed package below (no CDN)
        redoc_url=None,
        title="Lupiae",
        version="0.1.0",
        summary="Backend of a location-based social game for the historic centre of Lecce",
        lifespan=lifespan,
    )
    registry = CollectorRegistry()
    app.state.settings = settings
    # A merchant's API key sent to the admin API is refused by rewards (game_server.staff.auth).
    app.state.foreign_credentials = {KEY_PREFIX: refuse_on_admin_api}
    # Guest sign-ups are admitted by anti-cheat (game_server.players.endpoints).
    app.state.admit_guest = signup.admit_guest
    app.state.registry = registry
    app.state.catalog = Catalog()
    app.state.social_settings = settings  # the app's settings carry the social game's
    app.state.game = Game(settings, lambda: app.state.backend, social=app.state.social_settings)
    app.state.gateway_metrics = GatewayMetrics(registry)
    app.state.outages = Outages(registry)
    app.state.job_metrics = JobMetrics.create(registry)
    install_error_handlers(app, ITALIAN)
    _api_docs(app)
    _routes(app)
    admin.install(app)  # it checks every /admin/v1 route, whoever added it, has a guard
    web.install(app, settings)  # last: the built web apps answer what no route took
    app.add_middleware(MetricsMiddleware, metrics=HttpMetrics(registry))
    app.add_middleware(InputRuleMiddleware)  # docs/security.md: the one input rule
    app.add_middleware(SecurityHeaders, settings=settings)
    app.add_middleware(
        RouteBodyLimits,
        max_bytes=settings.max_request_body_bytes,
        prefixes={"/admin/v1/content/": settings.max_upload_bytes},
        secret=settings.secret_key,
        read_timeout_s=settings.body_read_timeout_s,
    )
    return app


def _api_docs(app: FastAPI) -> None:
    """`/docs`: Swagger UI from the swagger-ui-bundle-v2 package, served by this server."""
    from fastapi.openapi.docs import get_swagger_ui_html  # noqa: PLC0415
    from fastapi.staticfiles import StaticFiles  # noqa: PLC0415
    from swagger_ui_bundle import swagger_ui_path  # noqa: PLC0415

    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Lupiae API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )


def _routes(app: FastAPI) -> None:
    """Every public router, in order."""
    app.include_router(health.router)
    app.include_router(players.router)
    app.include_router(passkeys.router)
    app.include_router(privacy.router)
    app.include_router(opendata.router)
    rewards.install(app)
    app.include_router(catalog.router)
    app.include_router(social.router)
    app.include_router(quests.router)
    app.include_router(quests.well_known)
    app.include_router(gateway.router)
    app.include_router(anticheat.player_router)
    app.include_router(anticheat.router)
    app.include_router(district.router)
    app.include_router(district.merchant_router)
