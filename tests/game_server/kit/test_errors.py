from __future__ import annotations

import httpx
import sqlalchemy.exc
from fastapi import FastAPI


async def test_unknown_route_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
    }


async def test_invalid_body_lists_every_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/refresh", json={"refresh_token": 3})
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/validation")
    assert body["errors"][0]["loc"] == ["body", "refresh_token"]


async def test_a_crash_never_leaks_a_stack_trace(app: FastAPI) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals at /etc/passwd")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


async def test_a_busy_database_is_503_with_retry_after(app: FastAPI) -> None:
    @app.get("/busy")
    async def busy() -> None:
        raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 20 overflow 10 reached")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/busy")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"].endswith("/busy")
    assert "QueuePool" not in response.text


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    body = b'{"refresh_token": "' + b"a" * 2_000_000 + b'"}'
    response = await client.post(
        "/v1/auth/refresh", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_oversized_chunked_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 65_536

    response = await client.post("/v1/auth/refresh", content=chunks())
    assert response.status_code == 413


async def test_problems_follow_the_api_language_rule(client: httpx.AsyncClient) -> None:
    """No preference → Italian, as every other route; Accept-Language or ?lang= choose."""
    italian = await client.get("/v1/pois", headers={"Accept-Language": ""})
    assert italian.status_code == 503
    assert italian.headers["content-language"] == "it"
    assert italian.json()["title"] == "Servizio non disponibile"
    assert italian.json()["detail"] == "nessun contenuto è ancora stato pubblicato"
    english = await client.get("/v1/pois", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.headers["content-language"] == "en"
    assert english.json()["detail"] == "no content has been published yet"
    chosen = await client.post(
        "/v1/auth/refresh?lang=it", json={"refresh_token": 3}, headers={"Accept-Language": "en"}
    )
    assert (chosen.status_code, chosen.json()["detail"]) == (422, "la richiesta non è valida")
    missing = await client.get("/nope", headers={"Accept-Language": "it-IT"})
    assert missing.json()["title"] == "Non trovato"
    unauthenticated = await client.get("/v1/me", headers={"Accept-Language": "it"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["detail"] == "manca il token bearer"
