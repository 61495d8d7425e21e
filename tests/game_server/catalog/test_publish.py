"""Content publishing: YAML → stored version → read API, with nothing lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from content import load_bundle
from content.model import Bundle
from game_server.catalog.models import Area, ContentVersion, Poi
from game_server.catalog.service import Catalog, activate, publish_all
from game_server.cli import main
from game_server.kit.db import make_engine, make_session_factory
from tests.game_server.gateway.live import publish_shipped

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def shipped() -> Bundle:
    result = load_bundle(ROOT / "content")
    assert result.bundle is not None, result.problems
    return result.bundle.for_city("lecce")  # these tests are about one comune's versions


async def publish_to(app: FastAPI, bundle: Bundle, author: str = "test") -> str:
    """Publish every comune of `bundle`; their statuses ("published" when all were)."""
    async with app.state.session_factory() as session:
        results = await publish_all(session, bundle, author=author)
        await session.commit()
        await app.state.catalog.reload(session)
    return ",".join(sorted({result.status for result in results}))


async def test_round_trip_loses_nothing(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle
) -> None:
    assert await publish_to(app, shipped) == "published"
    for language in ("it", "en"):
        pois = await client.get("/v1/pois", headers={"Accept-Language": language})
        assert pois.status_code == 200
        assert pois.headers["content-type"] == "application/geo+json"
        assert pois.headers["content-language"] == language
        by_slug = {f["properties"]["slug"]: f for f in pois.json()["features"]}
        assert set(by_slug) == {p.slug for p in shipped.pois}
        for poi in shipped.pois:
            feature = by_slug[poi.slug]
            props = feature["properties"]
            assert props["name"] == poi.name.get(language)
            assert props["description"] == poi.description.get(language)
            assert props["kind"] == poi.kind
            assert props["radius_m"] == poi.radius_m
            assert props["source"] == poi.source
            if poi.polygon is None:
                assert feature["geometry"]["coordinates"] == [poi.lon, poi.lat]
        areas = (await client.get("/v1/areas", headers={"Accept-Language": language})).json()
        for area, feature in zip(shipped.areas, areas["features"], strict=True):
            assert feature["properties"]["name"] == area.name.get(language)
            assert feature["geometry"]["coordinates"] == [[list(p) for p in area.polygon]]
        listed = (await client.get("/v1/quests", headers={"Accept-Language": language})).json()
        assert [q["slug"] for q in listed] == [q.slug for q in shipped.quests]
        for quest in shipped.quests:
            detail = (
                await client.get(f"/v1/quests/{quest.slug}", headers={"Accept-Language": language})
            ).json()
            assert detail["title"] == quest.title.get(language)
            assert detail["story"] == quest.story.get(language)
            assert [(s["id"], s["kind"], s["poi"]) for s in detail["steps"]] == [
                (s.id, s.kind, s.poi) for s in quest.steps
            ]


async def test_quiz_answers_never_leave_the_server(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle
) -> None:
    await publish_to(app, shipped)
    quiz_quests = [q for q in shipped.quests if any(s.quiz for s in q.steps)]
    assert quiz_quests
    for quest in quiz_quests:
        text = (await client.get(f"/v1/quests/{quest.slug}")).text
        for step in quest.steps:
            for answer in step.quiz.answers if step.quiz else []:
                assert f'"{answer}"' not in text


async def test_geometry_rows_are_stored_per_version(app: FastAPI, shipped: Bundle) -> None:
    await publish_to(app, shipped)
    async with app.state.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Poi)) == len(shipped.pois)
        assert await session.scalar(select(func.count()).select_from(Area)) == len(shipped.areas)


async def test_publishing_identical_content_is_a_no_op(app: FastAPI, shipped: Bundle) -> None:
    assert await publish_to(app, shipped) == "published"
    assert await publish_to(app, shipped, author="someone else") == "unchanged"
    async with app.state.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ContentVersion)) == 1
        assert await session.scalar(select(func.count()).select_from(Poi)) == len(shipped.pois)


async def test_new_version_is_served_and_rollback_restores_the_old(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle
) -> None:
    await publish_to(app, shipped)
    first = app.state.catalog.current.version_id
    smaller = shipped.model_copy(update={"quests": shipped.quests[:1]})
    assert await publish_to(app, smaller) == "published"
    assert len((await client.get("/v1/quests")).json()) == 1
    async with app.state.session_factory() as session:
        await activate(session, first)
        await session.commit()
        await app.state.catalog.reload(session)
    assert len((await client.get("/v1/quests")).json()) == len(shipped.quests)
    assert await publish_to(app, smaller) == "reactivated"


async def test_reads_before_any_publish_are_503(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/pois")
    assert response.status_code == 503
    assert "published" in response.json()["detail"]


@pytest.mark.parametrize(
    ("header", "language"),
    [(None, "it"), ("en-GB,en;q=0.9", "en"), ("de-DE", "en"), ("fr;q=0.9, it;q=0.8", "it")],
)
async def test_language_negotiation(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle, header: str | None, language: str
) -> None:
    await publish_to(app, shipped)
    client.headers.pop("Accept-Language", None)  # the fixture's English; here: none, or `header`
    headers = {"Accept-Language": header} if header else {}
    response = await client.get("/v1/areas", headers=headers)
    assert response.headers["content-language"] == language


def test_cli_validate_and_publish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("LUPIAE_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    assert main(["content", "validate", str(ROOT / "content")]) == 0
    assert "pois" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert main(["content", "publish", str(ROOT / "content"), "--author", "ci"]) == 0
    assert "published" in capsys.readouterr().out
    assert main(["content", "publish", str(ROOT / "content"), "--author", "ci"]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_cli_refuses_invalid_content_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("pois:\n  - slug: x\n    nmae: {it: a, en: b}\n")
    assert main(["content", "publish", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:" in err
    assert "nothing changed" in err


def test_cli_refuses_to_empty_the_game_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUPIAE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    comments = tmp_path / "comments"
    comments.mkdir()
    (comments / "pois.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert main(["content", "publish", str(comments)]) == 1
    assert capsys.readouterr().err.strip() == (
        "lupiae content: publishing refused: the bundle is empty: its files hold no areas, "
        "sites or quests (only comments?); nothing changed (an admin can do it on purpose "
        "with --allow-wipe)"
    )
    assert main(["content", "publish", str(ROOT / "content")]) == 0
    capsys.readouterr()
    areas_only = tmp_path / "areas"
    areas_only.mkdir()
    areas = (ROOT / "content" / "lecce" / "areas.yaml").read_text(encoding="utf-8")
    (areas_only / "areas.yaml").write_text(areas + "pois: []\n", encoding="utf-8")
    assert main(["content", "publish", str(areas_only)]) == 1
    err = capsys.readouterr().err
    lecce = load_bundle(ROOT / "content" / "lecce").bundle  # the wipe is judged per comune
    sites = len(lecce.pois)  # type: ignore[union-attr]
    assert f"it would remove every site ({sites}) of the live version" in err
    assert "it would remove every quest" in err
    assert main(["content", "publish", str(areas_only), "--allow-wipe"]) == 0
    assert "published" in capsys.readouterr().out


async def test_two_reloads_of_the_same_versions_serve_one_content(database_url: str) -> None:
    """The watcher and a publish reloading at once: the later one keeps what the first loaded
    (the served content stays the same object; it was replaced by an equal copy, and the
    admin test of a refused publish saw `current` change under it, one CI run in many)."""
    await publish_shipped(database_url)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    catalog = Catalog()
    try:
        async with sessions() as first, sessions() as second:
            loaded = await asyncio.gather(catalog.reload(first), catalog.reload(second))
        assert loaded[0] is loaded[1] is catalog.current
    finally:
        await engine.dispose()
