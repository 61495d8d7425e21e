"""200 bots play the shipped quests; the day's release is built, published and checked.

No cell under k, no player id and no time finer than the hour anywhere in the release, the CSV
valid against its Table Schema (frictionless), the catalogue valid against the SHACL shapes of
DCAT-AP_IT's mandatory properties (pySHACL). SQLite always, PostGIS when configured.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from frictionless import Package
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from content import load_bundle
from game_server.app import create_app
from game_server.opendata.aggregate import hourly_counts
from game_server.opendata.release import build, cells_of
from game_server.opendata.service import (
    build_and_publish_due,
    opendata_cities,
    policy_of,
    publish,
)
from tests.conftest import make_settings
from tests.game_server.gateway.live import publish_shipped
from tests.game_server.opendata.bots import play_bots
from tests.paths import CONTENT

SHAPES = Path(__file__).with_name("shapes.ttl")
NOW = datetime.now(UTC)
SHIPPED = load_bundle(CONTENT).bundle
assert SHIPPED is not None
COMUNI = {c.slug: c for c in SHIPPED.cities}  # from content/<comune>/city.yaml
LECCE, BERGAMO = COMUNI["lecce"], COMUNI["bergamo"]
FINER_THAN_HOUR = re.compile(r"\d{1,2}:\d{2}")


LECCE_ZONE = ZoneInfo(LECCE.timezone)


def release_day() -> date:
    return NOW.astimezone(LECCE_ZONE).date() - timedelta(days=3)


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    await publish_shipped(database_url)
    application = create_app(make_settings(database_url, public_url="https://dati.example.it"))
    async with application.router.lifespan_context(application):
        yield application


def shacl_report(graph: Graph) -> tuple[bool, str]:
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="none")
    return bool(conforms), str(text)


async def test_two_hundred_bots_make_a_safe_valid_release(app: FastAPI, tmp_path: Path) -> None:
    bundle = load_bundle(CONTENT / "lecce").bundle  # Lecce's open data: its sites and quests
    assert bundle is not None
    sessions = app.state.session_factory
    day = release_day()
    players = await play_bots(sessions, bundle, 200, day)
    settings = app.state.settings
    policy = policy_of(settings)
    async with sessions() as session:
        truth = await hourly_counts(
            session,
            day,
            LECCE.timezone,
            [p.slug for p in bundle.pois],
            cap=policy.cap_per_site_day,
            max_sites=policy.max_sites_per_day,
        )
    assert sum(1 for n in truth.values() if n >= policy.k) >= 3, truth
    assert any(0 < n < policy.k for n in truth.values()), truth

    release = await build(sessions, LECCE, day, policy, NOW)
    assert release.suppressed > 0
    assert await publish(sessions, "lecce", NOW) == 1
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        base = f"/opendata/lecce/{day.isoformat()}"
        csv_text = (await http.get(f"{base}/visits.csv")).text
        package = (await http.get(f"{base}/datapackage.json")).json()
        geojson = (await http.get(f"{base}/visits.geojson")).json()
        turtle = (await http.get("/opendata/catalog.ttl")).text
        jsonld = (await http.get("/opendata/catalog.jsonld")).text

    rows = [line.split(",") for line in csv_text.strip().splitlines()[1:]]
    assert len(rows) == len(bundle.pois) * 24
    released = {(r[2], int(r[1])): r[4] for r in rows}
    for (site, hour), visits in released.items():
        if visits:
            assert int(visits) >= policy.k
            assert int(visits) == truth[(site, hour)]  # no noise configured: exact
        else:
            assert truth.get((site, hour), 0) < policy.k
    assert all(r[5] == ("true" if not r[4] else "false") for r in rows)

    everything = "\n".join([csv_text, json.dumps(package), json.dumps(geojson), turtle, jsonld])
    for player in players:
        assert str(player) not in everything
        assert player.hex not in everything
    assert not FINER_THAN_HOUR.findall(everything)

    (tmp_path / "visits.csv").write_text(csv_text)
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert package["lupiae:privacy"]["k"] == 10

    for text, fmt in ((turtle, "turtle"), (jsonld, "json-ld")):
        graph = Graph().parse(data=text, format=fmt)
        conforms, why = shacl_report(graph)
        assert conforms, why
        dataset = URIRef("https://dati.example.it/opendata/lecce#heritage-visits")
        publisher = next(graph.objects(dataset, DCTERMS.publisher))
        assert (publisher, DCTERMS.identifier, Literal("c_e506")) in graph
        urls = [str(u) for u in graph.objects(None, DCAT.downloadURL)]
        assert f"https://dati.example.it{base}/visits.csv" in urls
        assert all("/opendata/" in u for u in urls)
    assert any(f["properties"]["visits_released"] > 0 for f in geojson["features"])


async def test_shapes_catch_a_missing_mandatory_property(app: FastAPI) -> None:
    sessions = app.state.session_factory
    day = release_day()
    await build(sessions, LECCE, day, policy_of(app.state.settings), NOW)
    await publish(sessions, None, NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        graph = Graph().parse(data=(await http.get("/opendata/catalog.ttl")).text, format="turtle")
    assert shacl_report(graph)[0]
    licence = URIRef("https://creativecommons.org/licenses/by/4.0/")
    graph.remove((None, DCTERMS.license, licence))
    assert not shacl_report(graph)[0]


async def test_a_release_is_built_once_and_waits_for_the_lag(app: FastAPI) -> None:
    sessions = app.state.session_factory
    bundle = load_bundle(CONTENT / "lecce").bundle  # Lecce's open data: its sites and quests
    assert bundle is not None
    day = release_day()
    policy = policy_of(app.state.settings)
    first = await build(sessions, LECCE, day, policy, NOW)
    await play_bots(sessions, bundle, 12, day)  # late uploads after the release was built
    again = await build(sessions, LECCE, day, policy, NOW + timedelta(hours=1))
    assert again.built_at == first.built_at
    async with sessions() as session:
        assert all(c.visits is None for c in await cells_of(session, "lecce", day))
    too_soon = NOW.astimezone(LECCE_ZONE).date() - timedelta(days=1)
    with pytest.raises(Exception, match="lag at least 2 days"):
        await build(sessions, LECCE, too_soon, policy, NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        unpublished = await http.get(f"/opendata/lecce/{day.isoformat()}/visits.csv")
    assert unpublished.status_code == 404


async def test_noise_is_calibrated_and_recorded(database_url: str) -> None:
    await publish_shipped(database_url)
    settings = make_settings(database_url, opendata_epsilon=1.0)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        sessions = application.state.session_factory
        bundle = load_bundle(CONTENT / "lecce").bundle  # Lecce's open data: its sites and quests
        assert bundle is not None
        day = release_day()
        await play_bots(sessions, bundle, 40, day)
        release = await build(sessions, LECCE, day, policy_of(settings), NOW)
    assert release.epsilon == 1.0
    sensitivity = settings.opendata_cap_per_site_day * settings.opendata_max_sites_per_day
    assert release.noise_scale == pytest.approx(sensitivity / 1.0)
    assert release.mechanism is not None
    assert "Laplace" in release.mechanism


async def test_each_comune_publishes_its_own_open_data(app: FastAPI) -> None:
    """Lecce and Bergamo: each its own release (its own sites), publisher and IPA code from its
    city.yaml; one DCAT-AP_IT catalogue lists both datasets."""
    sessions = app.state.session_factory
    day = release_day()
    for slug, bots in (("lecce", 24), ("bergamo", 60)):
        bundle = load_bundle(CONTENT / slug).bundle
        assert bundle is not None
        await play_bots(sessions, bundle, bots, day)
    done = await build_and_publish_due(sessions, app.state.settings, NOW)  # the nightly job
    assert {f"lecce/{day}", f"bergamo/{day}"} <= set(done["built"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        files = {
            slug: (
                (await http.get(f"/opendata/{slug}/{day}/visits.csv")).text,
                (await http.get(f"/opendata/{slug}/{day}/datapackage.json")).json(),
            )
            for slug in ("lecce", "bergamo")
        }
        turtle = (await http.get("/opendata/catalog.ttl")).text
        unknown = await http.get(f"/opendata/milano/{day}/visits.csv")
    assert unknown.status_code == 404
    for slug, (csv_text, package) in files.items():
        comune = COMUNI[slug]
        own = {p.slug for p in SHIPPED.pois if p.city == slug}
        sites = {line.split(",")[2] for line in csv_text.strip().splitlines()[1:]}
        assert sites == own  # its own sites, and only those
        assert package["publisher"] == {"name": comune.publisher.it, "ipa_code": comune.ipa_code}
    assert any(line.split(",")[4] for line in files["bergamo"][0].strip().splitlines()[1:]), (
        "Bergamo's walkers make at least one cell of k or more"
    )

    graph = Graph().parse(data=turtle, format="turtle")
    conforms, why = shacl_report(graph)
    assert conforms, why
    for slug, ipa in (("lecce", "c_e506"), ("bergamo", "c_a794")):
        dataset = URIRef(f"https://dati.example.it/opendata/{slug}#heritage-visits")
        assert (dataset, DCTERMS.identifier, Literal(f"{ipa}:lupiae-heritage-visits")) in graph
        publisher = next(graph.objects(dataset, DCTERMS.publisher))
        assert (publisher, DCTERMS.identifier, Literal(ipa)) in graph
        name = COMUNI[slug].publisher.it
        assert (publisher, FOAF.name, Literal(name, lang="it")) in graph
        urls = {
            str(u)
            for d in graph.objects(dataset, DCAT.distribution)
            for u in graph.objects(d, DCAT.downloadURL)
        }
        assert f"https://dati.example.it/opendata/{slug}/{day}/visits.csv" in urls
        assert all(f"/opendata/{slug}/" in u for u in urls)


def test_the_setting_narrows_the_comuni_published() -> None:
    every = opendata_cities(COMUNI, make_settings("sqlite+aiosqlite://"))
    assert list(every) == ["bergamo", "lecce"]
    only = make_settings("sqlite+aiosqlite://", opendata_cities=["lecce"])
    assert list(opendata_cities(COMUNI, only)) == ["lecce"]
