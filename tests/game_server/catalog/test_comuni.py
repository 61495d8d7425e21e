"""Several comuni: the registry, `?city=`, per-comune versions, and the rules between them."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from content import load_bundle, load_files
from content.model import Bundle
from game_server.catalog.service import ContentClash, publish, publish_all
from game_server.cli import main
from game_server.staff.roles import Role
from tests.game_server.admin.helpers import multipart, shipped_files, staff
from tests.paths import CONTENT


@pytest.fixture(scope="module")
def shipped() -> Bundle:
    result = load_bundle(CONTENT)
    assert result.bundle is not None, result.problems
    return result.bundle


async def _publish(app: FastAPI, bundle: Bundle) -> None:
    async with app.state.session_factory() as session:
        await publish_all(session, bundle, author="tests")
        await session.commit()
        await app.state.catalog.reload(session)


def test_the_tree_holds_lecce_and_the_bergamo_demo(shipped: Bundle) -> None:
    assert [(c.slug, c.ipa_code, c.demo) for c in shipped.cities] == [
        ("bergamo", "c_a794", True),
        ("lecce", "c_e506", False),
    ]
    bergamo = shipped.for_city("bergamo")
    assert len({q.order for q in bergamo.quests}) == 2
    assert {s.kind for q in bergamo.quests for s in q.steps} >= {"visit", "dwell", "quiz"}
    assert len(bergamo.merchants) == 2
    assert all(m.demo for m in bergamo.merchants)
    assert all(item.city == "bergamo" for item in [*bergamo.pois, *bergamo.quests])
    assert load_bundle(CONTENT / "bergamo").bundle == bergamo


def test_bergamo_sites_come_from_its_reference_data(shipped: Bundle) -> None:
    with (CONTENT / "bergamo/reference/heritage.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    pois = {p.slug: p for p in shipped.for_city("bergamo").pois}
    assert len(rows) == len(pois) == 24
    for row in rows:
        poi = pois["duomo_di_bergamo" if row["slug"] == "duomo" else row["slug"]]
        assert (poi.lat, poi.lon) == (float(row["lat"]), float(row["lon"]))
        assert poi.outside_walls == ("OUTSIDE" in row["source"] or "EDGE" in row["source"])


def test_a_slug_used_by_two_comuni_is_refused_in_a_tree(tmp_path: Path) -> None:
    files = shipped_files(city=None)
    clash = files["bergamo/quests/sguardo-dalla-rocca.yaml"].replace(
        b"slug: sguardo-dalla-rocca", b"slug: porte-della-citta"
    )
    result = load_files({**files, "bergamo/quests/sguardo-dalla-rocca.yaml": clash})
    assert [(p.file, p.message) for p in result.problems] == [
        (
            "lecce/quests/porte-della-citta.yaml",
            "quest slug 'porte-della-citta' is already used by another comune "
            "(bergamo/quests/sguardo-dalla-rocca.yaml:7:5); slugs are unique across comuni",
        )
    ]


def test_a_quest_cannot_use_another_comunes_site() -> None:
    files = shipped_files(city=None)
    name = "bergamo/quests/sguardo-dalla-rocca.yaml"
    broken = files[name].replace(b"visit: campanone", b"visit: porta_napoli")
    result = load_files({**files, name: broken})
    assert any("porta_napoli" in p.message and p.file == name for p in result.problems)


async def test_a_slug_another_comune_already_published_is_refused(
    app: FastAPI, shipped: Bundle
) -> None:
    await _publish(app, shipped.for_city("lecce"))
    bergamo = shipped.for_city("bergamo")
    quest = bergamo.quests[0].model_copy(update={"slug": "porte-della-citta"})
    clashing = bergamo.model_copy(update={"quests": [quest, *bergamo.quests[1:]]})
    async with app.state.session_factory() as session:
        with pytest.raises(ContentClash, match="porte-della-citta"):
            await publish(session, clashing, author="tests")


async def test_cities_lists_every_comune(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle
) -> None:
    await _publish(app, shipped)
    body = (await client.get("/v1/cities", headers={"Accept-Language": "en"})).json()
    assert [(c["slug"], c["ipa_code"], c["timezone"]) for c in body] == [
        ("bergamo", "c_a794", "Europe/Rome"),
        ("lecce", "c_e506", "Europe/Rome"),
    ]
    assert body[1]["bbox"] == [18.02, 40.22, 18.40, 40.47]
    assert body[1]["publisher"] == "Municipality of Lecce"
    assert body[0]["demo"] is True


async def test_city_scopes_pois_areas_and_quests(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle
) -> None:
    await _publish(app, shipped)
    for path in ("/v1/pois", "/v1/areas", "/v1/streets"):
        every = (await client.get(path)).json()["features"]
        assert {f["properties"]["city"] for f in every} == {"lecce", "bergamo"}
        for city in ("lecce", "bergamo"):
            scoped = (await client.get(f"{path}?city={city}")).json()["features"]
            assert scoped
            assert {f["properties"]["city"] for f in scoped} == {city}
            assert len(scoped) < len(every)
    quests = (await client.get("/v1/quests?city=bergamo")).json()
    assert {q["slug"] for q in quests} == {q.slug for q in shipped.for_city("bergamo").quests}
    detail = (await client.get("/v1/quests/cuore-di-citta-alta")).json()
    assert detail["city"] == "bergamo"
    assert {f["properties"]["city"] for f in detail["pois"]["features"]} == {"bergamo"}
    streets = (await client.get("/v1/streets?city=lecce", headers={"Accept-Language": "en"})).json()
    corso = next(f for f in streets["features"] if f["id"] == "corso-vittorio-emanuele")
    assert corso["geometry"]["type"] == "LineString"
    assert len(corso["geometry"]["coordinates"]) >= 2
    assert corso["properties"]["name"] == "Corso Vittorio Emanuele II"
    assert corso["properties"]["width_m"] > 0
    assert {f["id"] for f in streets["features"]} == {
        s.slug for s in shipped.for_city("lecce").streets
    }
    missing = await client.get("/v1/pois?city=atlantide")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_publishing_and_rolling_back_bergamo_leaves_lecce_alone(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle
) -> None:
    await _publish(app, shipped)
    lecce_before = app.state.catalog.current.cities["lecce"]
    lecce_pois = (await client.get("/v1/pois?city=lecce")).content
    curator = await staff(app, client, Role.CURATOR, cities=("bergamo",))
    files = shipped_files(city="bergamo")
    files["bergamo/badges.yaml"] = files["bergamo/badges.yaml"].replace(
        b"Ospite di Bergamo", b"Ospite di Citta Alta"
    )
    published = await client.post(
        "/admin/v1/content/publish", files=multipart(files), headers=curator.auth
    )
    assert published.status_code == 201, published.text
    assert published.json()["city"] == "bergamo"
    loaded = app.state.catalog.current
    assert loaded.cities["lecce"] is lecce_before
    assert loaded.cities["bergamo"].version_id == published.json()["version_id"]
    assert (await client.get("/v1/pois?city=lecce")).content == lecce_pois
    history = (await client.get("/admin/v1/content/versions", headers=curator.auth)).json()
    assert {v["city"] for v in history} == {"bergamo"}
    older = next(v["id"] for v in history if not v["active"])
    rolled = await client.post(f"/admin/v1/content/versions/{older}/activate", headers=curator.auth)
    assert rolled.status_code == 200, rolled.text
    assert app.state.catalog.current.cities["lecce"] is lecce_before
    assert app.state.catalog.current.cities["bergamo"].version_id == older


async def test_a_bergamo_curator_cannot_touch_lecce(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle
) -> None:
    await _publish(app, shipped)
    lecce_version = app.state.catalog.current.cities["lecce"].version_id
    curator = await staff(app, client, Role.CURATOR, cities=("bergamo",))
    files = shipped_files(city="lecce")
    files["lecce/badges.yaml"] += b"\n"  # whatever it is, it must not get in
    refused = await client.post(
        "/admin/v1/content/publish", files=multipart(files), headers=curator.auth
    )
    assert refused.status_code == 403
    assert refused.json()["city"] == "lecce"
    rollback = await client.post(
        f"/admin/v1/content/versions/{lecce_version}/activate", headers=curator.auth
    )
    assert rollback.status_code == 403
    listing = await client.get("/admin/v1/content/versions?city=lecce", headers=curator.auth)
    assert listing.status_code == 403
    preview = await client.post(
        "/admin/v1/content/preview/quests/porte-della-citta",
        files=multipart(files),
        headers=curator.auth,
    )
    assert preview.status_code == 403
    assert app.state.catalog.current.cities["lecce"].version_id == lecce_version


async def test_an_admin_of_one_comune_cannot_grant_another(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await staff(app, client, Role.ADMIN, cities=("bergamo",))
    both = await staff(app, client, Role.ADMIN, cities=("lecce", "bergamo"))
    curator = await staff(app, client, Role.CURATOR, cities=("bergamo",))
    refused = await client.put(
        f"/admin/v1/staff/{curator.id}/grants/lecce", json={"role": "curator"}, headers=admin.auth
    )
    assert refused.status_code == 403
    granted = await client.put(
        f"/admin/v1/staff/{curator.id}/grants/lecce", json={"role": "curator"}, headers=both.auth
    )
    assert granted.status_code == 200
    assert granted.json()["grants"] == {"bergamo": "curator", "lecce": "curator"}
    me = (await client.get("/admin/v1/auth/me", headers=both.auth)).json()
    assert me["grants"] == {"bergamo": "admin", "lecce": "admin"}
    audit = (await client.get("/admin/v1/audit?action=staff.grant", headers=both.auth)).json()
    assert [(e["city"], e["status"]) for e in audit] == [("lecce", 200)]


def test_the_cli_publishes_one_comune_or_the_whole_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUPIAE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["content", "validate", str(CONTENT)]) == 0
    out = capsys.readouterr().out
    assert "comune bergamo (demo)" in out
    assert "IPA c_e506" in out
    assert main(["content", "publish", str(CONTENT / "bergamo"), "--author", "ci"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"comune bergamo: content version 1 published ({_hash(CONTENT / 'bergamo')})"
    ]
    assert main(["content", "publish", str(CONTENT), "--author", "ci"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"comune bergamo: content version 1 unchanged ({_hash(CONTENT / 'bergamo')})",
        f"comune lecce: content version 2 published ({_hash(CONTENT / 'lecce')})",
    ]


def _hash(folder: Path) -> str:
    bundle = load_bundle(folder).bundle
    assert bundle is not None
    return bundle.content_hash()[:16]


async def test_a_merchant_belongs_to_a_comune_and_only_its_admins_onboard_it(
    app: FastAPI, client: httpx.AsyncClient, shipped: Bundle
) -> None:
    await _publish(app, shipped)
    admin = await staff(app, client, Role.ADMIN, cities=("bergamo",))
    lecce_shop = {
        "slug": "libreria-palmieri",
        "name": "Libreria",
        "category": "bookshop",
        "street": "Via Palmieri",
        "lat": 40.35274,
        "lon": 18.17271,
    }
    refused = await client.post("/admin/v1/merchants", json=lecce_shop, headers=admin.auth)
    assert refused.status_code == 403
    assert refused.json()["city"] == "lecce"
    bergamo_shop = {**lecce_shop, "slug": "libreria-gombito", "lat": 45.70373, "lon": 9.66389}
    created = await client.post("/admin/v1/merchants", json=bergamo_shop, headers=admin.auth)
    assert created.status_code == 201, created.text
    assert created.json()["merchant"]["city"] == "bergamo"
    # Named as Bergamo's but standing in Lecce: outside Bergamo's district.
    astray = {**lecce_shop, "slug": "astray", "city": "bergamo"}
    outside = await client.post("/admin/v1/merchants", json=astray, headers=admin.auth)
    assert outside.status_code == 422
    assert "district of bergamo" in outside.json()["detail"]
