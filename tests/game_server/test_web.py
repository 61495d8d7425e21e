"""The built web apps served from `/` (game_server/web.py), in process, without Node."""

from __future__ import annotations

from pathlib import Path

import httpx

from game_server.app import create_app
from tests.conftest import make_settings


def _build(folder: Path) -> Path:
    (folder / "assets").mkdir(parents=True)
    (folder / "merchant").mkdir()
    (folder / "index.html").write_text("<!doctype html><title>player</title>")
    (folder / "merchant" / "index.html").write_text("<!doctype html><title>merchant</title>")
    (folder / "assets" / "app-1a2b3c.js").write_text("console.log(1);\n" * 500)
    (folder / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    return folder


async def _get(app_dist: str, database_url: str, *paths: str) -> list[httpx.Response]:
    app = create_app(make_settings(database_url, web_dist=app_dist, map_style_url=""))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return [await http.get(path) for path in paths]


async def test_pages_and_assets_with_their_cache_policy(database_url: str, tmp_path: Path) -> None:
    dist = _build(tmp_path / "dist")
    index, merchant, asset, worker, health, missing = await _get(
        str(dist),
        database_url,
        "/",
        "/merchant/",
        "/assets/app-1a2b3c.js",
        "/sw.js",
        "/healthz",
        "/v1/nothing-here",
    )
    assert "player" in index.text
    assert index.headers["cache-control"] == "no-cache"
    assert "merchant" in merchant.text
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert asset.headers["x-content-type-options"] == "nosniff"
    assert asset.headers["content-encoding"] == "gzip"
    assert asset.text == "console.log(1);\n" * 500
    assert worker.headers["cache-control"] == "no-cache"
    assert health.status_code == 200
    assert missing.status_code == 404


async def test_routes_added_later_still_come_first(database_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(database_url, web_dist=str(_build(tmp_path / "dist"))))

    @app.get("/late")
    async def late() -> dict[str, str]:
        return {"route": "late"}

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/late")).json() == {"route": "late"}
            assert (await http.post("/")).status_code in {404, 405}
            assert (
                (await http.get("/nothing.js"))
                .headers["content-type"]
                .startswith("application/problem+json")
            )


async def test_without_a_build_the_api_is_served_alone(database_url: str, tmp_path: Path) -> None:
    root, config, health = await _get(
        str(tmp_path / "empty"), database_url, "/", "/v1/app-config", "/healthz"
    )
    assert root.status_code == 404
    assert config.json() == {"map_style_url": None}
    assert health.status_code == 200


async def test_the_basemap_style_url_is_a_setting(database_url: str) -> None:
    app = create_app(make_settings(database_url, map_style_url="https://tiles.example/style.json"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            body = (await http.get("/v1/app-config")).json()
    assert body == {"map_style_url": "https://tiles.example/style.json"}
