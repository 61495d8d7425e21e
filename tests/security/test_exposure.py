"""Exposure of two production workers (PostGIS + Redis): security headers and no banner,
metrics and API docs kept to internal addresses and served without a CDN, the Host header
never reflected, X-Forwarded-For believed only from configured proxies and shown by the
audit API, and 40 concurrent wrong codes against a limit of 10."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.abuse.script import admin_token
from tests.security.conftest import PUBLIC_URL

pytestmark = [
    pytest.mark.postgis,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.asyncio(loop_scope="module"),
]


def outside(url: str) -> httpx.AsyncClient:
    """A client from 127.0.0.2: not the operator's host."""
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    return httpx.AsyncClient(base_url=url, transport=transport)


async def test_every_answer_has_the_security_headers_and_no_banner(workers: list[str]) -> None:
    async with outside(workers[0]) as http:
        page = await http.get("/healthz")
        api = await http.get("/v1/me")
    for response in (page, api):
        assert "server" not in response.headers
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["strict-transport-security"].startswith("max-age=")
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "worker-src 'self' blob:" in policy  # MapLibre's workers
        assert "img-src 'self' data: blob:" in policy
    assert api.status_code == 401
    assert api.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/metrics", "/docs", "/openapi.json", "/redoc"])
async def test_metrics_and_api_docs_are_internal(workers: list[str], path: str) -> None:
    async with outside(workers[0]) as http:
        assert (await http.get(path)).status_code == 404
    async with httpx.AsyncClient(base_url=workers[0]) as http:
        inside = await http.get(path)
    assert inside.status_code == (404 if path == "/redoc" else 200)


async def test_api_docs_load_their_assets_from_this_server(workers: list[str]) -> None:
    async with httpx.AsyncClient(base_url=workers[0]) as http:
        page = (await http.get("/docs")).text
        assert "cdn" not in page.lower()
        assert "/docs/assets/swagger-ui-bundle.js" in page
        script = await http.get("/docs/assets/swagger-ui-bundle.js")
        css = await http.get("/docs/assets/swagger-ui.css")
    assert script.status_code == css.status_code == 200
    assert "SwaggerUIBundle" in script.text


async def test_the_host_header_is_never_reflected(workers: list[str]) -> None:
    async with outside(workers[1]) as http:
        issuer = (await http.get("/v1/badges/issuer", headers={"Host": "evil.example"})).json()
    assert issuer["id"] == f"{PUBLIC_URL}/v1/badges/issuer"
    assert "evil.example" not in str(issuer)


async def test_forwarded_for_from_an_untrusted_peer_is_not_the_client(
    workers: list[str], postgis_url: str
) -> None:
    """No LUPIAE_TRUSTED_PROXIES: a loopback peer's X-Forwarded-For is ignored, and the audit
    API shows the address the request came from."""
    auth = await admin_token(postgis_url, workers[0])
    async with outside(workers[0]) as http:
        await http.post(
            "/admin/v1/auth/login",
            json={"email": f"x-{uuid.uuid4().hex[:6]}@comune.lecce.it", "password": "nope nope"},
            headers={"X-Forwarded-For": "6.6.6.6"},
        )
    async with httpx.AsyncClient(base_url=workers[1]) as http:
        entries = (await http.get("/admin/v1/audit?action=staff.login", headers=auth)).json()
    addresses = {e["client_ip"] for e in entries}
    assert "6.6.6.6" not in addresses
    assert "127.0.0.2" in addresses


async def test_concurrent_wrong_codes_on_two_workers_check_at_most_the_limit(
    workers: list[str], postgis_url: str
) -> None:
    auth = await admin_token(postgis_url, workers[0])
    slug = f"bar-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=workers[0]) as http:
        created = await http.post(
            "/admin/v1/merchants",
            json={
                "slug": slug,
                "name": "Bar Test",
                "category": "cafe",
                "street": "Via Palmieri",
                "lat": 40.3527,
                "lon": 18.1722,
            },
            headers=auth,
        )
    assert created.status_code == 201, created.text
    key = created.json()["api_key"]

    async def wrong(url: str) -> int:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post(
                "/merchant/v1/redemptions",
                json={"code": "2345-6789-A"},
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())},
            )
        return response.status_code

    statuses = await asyncio.gather(*(wrong(workers[i % 2]) for i in range(40)))
    assert statuses.count(404) <= 10, statuses
    assert set(statuses) <= {404, 429}
