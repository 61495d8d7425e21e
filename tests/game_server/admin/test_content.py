"""Curators over the admin API: validate, publish, versions, rollback, preview, upload limits."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from content import load_bundle
from game_server.app import create_app
from game_server.audit.models import AuditEntry
from game_server.catalog.models import ContentVersion
from game_server.staff.roles import Role
from tests.conftest import make_settings
from tests.game_server.admin.helpers import Staff, multipart, shipped_files, staff, zipped

PORTE = "lecce/quests/porte-della-citta.yaml"


def _broken(files: dict[str, bytes]) -> dict[str, bytes]:
    broken = dict(files)
    broken[PORTE] = files[PORTE].replace(b"visit: porta_napoli", b"visit: porta_nowhere")
    broken["lecce/extra.yaml"] = b"quests:\n  - slug: [\n"
    broken["lecce/tagged.yaml"] = b'badges: !!python/object/apply:os.system ["echo hi"]\n'
    return broken


def _cli_problems(files: dict[str, bytes], folder: Path) -> list[dict[str, Any]]:
    """What `lupiae content validate FOLDER` reports for the same files."""
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return [dataclasses.asdict(p) for p in load_bundle(folder).problems]


async def _versions(app: FastAPI) -> int:
    async with app.state.session_factory() as session:
        return int((await session.execute(select(func.count(ContentVersion.id)))).scalar_one())


async def _publish(
    http: httpx.AsyncClient, curator: Staff, files: dict[str, bytes]
) -> httpx.Response:
    return await http.post(
        "/admin/v1/content/publish", files=multipart(files), headers=curator.auth
    )


@pytest.fixture
async def curator(app: FastAPI, client: httpx.AsyncClient) -> Staff:
    return await staff(app, client, Role.CURATOR)


async def test_validate_reports_a_summary_and_stores_nothing(
    app: FastAPI, client: httpx.AsyncClient, curator: Staff
) -> None:
    response = await client.post(
        "/admin/v1/content/validate", files=multipart(shipped_files()), headers=curator.auth
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["problems"] == []
    assert body["summary"]["quests"] >= 6
    assert "porte-della-citta" in body["summary"]["quest_slugs"]
    assert body["summary"]["active"] is False
    assert "hash" in body["summary"]["text"]
    assert await _versions(app) == 0


async def test_an_invalid_bundle_gets_exactly_the_cli_problems_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, curator: Staff, tmp_path: Path
) -> None:
    assert (await _publish(client, curator, shipped_files())).status_code == 201
    before = app.state.catalog.current
    files = _broken(shipped_files())
    expected = _cli_problems(files, tmp_path)
    assert len(expected) == 3

    validated = await client.post(
        "/admin/v1/content/validate", files=multipart(files), headers=curator.auth
    )
    assert validated.json() == {"valid": False, "problems": expected, "summary": None}

    refused = await _publish(client, curator, files)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["problems"] == expected
    assert "3 problems" in refused.json()["detail"]
    assert await _versions(app) == 1
    assert app.state.catalog.current is before
    async with app.state.session_factory() as session:
        actions = (await session.execute(select(AuditEntry.action, AuditEntry.status))).all()
    assert ("content.publish", 422) in actions  # the refusal is on record, nothing else


async def test_publish_switches_this_worker_at_once_and_rollback_switches_back(
    app: FastAPI, client: httpx.AsyncClient, curator: Staff
) -> None:
    first = await _publish(client, curator, shipped_files())
    assert first.status_code == 201
    assert first.json()["status"] == "published"
    renamed = shipped_files()
    renamed[PORTE] = renamed[PORTE].replace(b"The city gates", b"The gates of Lecce")
    second = await _publish(client, curator, renamed)
    assert second.status_code == 201
    assert app.state.catalog.current.version_id == second.json()["version_id"]
    quest = await client.get("/v1/quests/porte-della-citta", headers={"Accept-Language": "en"})
    assert quest.json()["title"] == "The gates of Lecce"

    again = await _publish(client, curator, renamed)
    assert (again.status_code, again.json()["status"]) == (200, "unchanged")

    versions = (await client.get("/admin/v1/content/versions", headers=curator.auth)).json()
    assert [v["id"] for v in versions] == [second.json()["version_id"], first.json()["version_id"]]
    assert [v["active"] for v in versions] == [True, False]
    assert {v["author"] for v in versions} == {curator.email}

    old = first.json()["version_id"]
    rolled = await client.post(f"/admin/v1/content/versions/{old}/activate", headers=curator.auth)
    assert rolled.json()["status"] == "activated"
    assert rolled.json()["previous_version_id"] == second.json()["version_id"]
    quest = await client.get("/v1/quests/porte-della-citta", headers={"Accept-Language": "en"})
    assert quest.json()["title"] == "The city gates"
    missing = await client.post("/admin/v1/content/versions/999/activate", headers=curator.auth)
    assert missing.status_code == 404


async def test_a_zip_upload_is_the_same_bundle_as_its_files(
    client: httpx.AsyncClient, curator: Staff
) -> None:
    files = shipped_files()
    archive = zipped(files, folder="content/")
    upload = {"files": ("content.zip", archive, "application/zip")}
    zipped_report = await client.post(
        "/admin/v1/content/validate", files=upload, headers=curator.auth
    )
    plain_report = await client.post(
        "/admin/v1/content/validate", files=multipart(files), headers=curator.auth
    )
    assert zipped_report.json()["valid"] is True
    assert zipped_report.json()["summary"] == plain_report.json()["summary"]

    broken = zipped(_broken(files))
    upload = {"files": ("content.zip", broken, "application/zip")}
    report = await client.post("/admin/v1/content/validate", files=upload, headers=curator.auth)
    assert {p["file"] for p in report.json()["problems"]} == {
        PORTE,
        "lecce/extra.yaml",
        "lecce/tagged.yaml",
    }


@pytest.mark.parametrize(
    ("members", "status", "kind"),
    [
        ({"../../etc/evil.yaml": b"quests: []\n"}, 422, "upload-refused"),
        ({"/abs.yaml": b"quests: []\n"}, 422, "upload-refused"),
        ({"bomb.yaml": b"#" + b" " * (4 * 1024 * 1024)}, 413, "upload-too-large"),
        ({f"f{i}.yaml": b"x: 1\n" for i in range(1001)}, 413, "upload-too-large"),
    ],
    ids=["traversal", "absolute", "bomb", "too-many-members"],
)
async def test_hostile_zips_are_refused(
    app: FastAPI,
    client: httpx.AsyncClient,
    curator: Staff,
    members: dict[str, bytes],
    status: int,
    kind: str,
) -> None:
    archive = zipped(members)
    assert len(archive) < 1024 * 1024  # small on the wire, large unpacked
    upload = {"files": ("content.zip", archive, "application/zip")}
    response = await client.post("/admin/v1/content/publish", files=upload, headers=curator.auth)
    assert response.status_code == status, response.text
    assert response.json()["type"].endswith(kind)
    assert await _versions(app) == 0


async def test_unsafe_yaml_is_refused_with_its_position(
    app: FastAPI, client: httpx.AsyncClient, curator: Staff
) -> None:
    laughs = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n".encode()
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    files = {
        "tags.yaml": b"pois: !!python/object/apply:os.system [echo]\n",
        "laughs.yaml": laughs,
    }
    response = await _publish(client, curator, files)
    assert response.status_code == 422
    problems = {p["file"]: p for p in response.json()["problems"]}
    assert "unsafe YAML tag" in problems["tags.yaml"]["message"]
    assert problems["tags.yaml"]["line"] == 1
    assert "alias" in problems["laughs.yaml"]["message"]
    assert await _versions(app) == 0


async def test_a_file_over_one_mib_gets_the_cli_problem(
    client: httpx.AsyncClient, curator: Staff
) -> None:
    files = {"big.yaml": b"#" * (1024 * 1024 + 1)}
    report = await client.post(
        "/admin/v1/content/validate", files=multipart(files), headers=curator.auth
    )
    [problem] = report.json()["problems"]
    assert problem["file"] == "big.yaml"
    assert "limit is 1 MiB" in problem["message"]


async def test_an_upload_over_the_body_limit_is_refused_before_it_is_read(
    database_url: str,
) -> None:
    settings = make_settings(
        database_url, max_upload_bytes=64 * 1024, max_request_body_bytes=16 * 1024
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            curator = await staff(app, http, Role.CURATOR)
            files = {"big.yaml": b"#" * (65 * 1024)}
            response = await _publish(http, curator, files)
            assert response.status_code == 413
            assert response.json()["type"].endswith("body-too-large")
            # Uploads get their own limit; every other route keeps the ordinary one.
            small = await _publish(http, curator, {"a.yaml": b"nonsense: 1\n" + b"#" * 32768})
            assert small.status_code == 422
            assert small.json()["type"].endswith("content-invalid")
            login = await http.post("/admin/v1/auth/login", content=b"{" + b" " * 32768)
            assert login.status_code == 413


@pytest.mark.parametrize(
    "name", ["../x.yaml", "a/../../x.yaml", "/etc/x.yaml", "C:/x.yaml", "a\\x.yaml"]
)
async def test_uploaded_file_names_cannot_leave_the_bundle(
    client: httpx.AsyncClient, curator: Staff, name: str
) -> None:
    response = await _publish(client, curator, {name: b"quests: []\n"})
    assert response.status_code == 422
    assert response.json()["type"].endswith("upload-refused")


async def test_preview_shows_sites_fences_and_order_before_publishing(
    app: FastAPI, client: httpx.AsyncClient, curator: Staff
) -> None:
    files = shipped_files()
    bundle = load_bundle(Path(__file__).parents[3] / "content").bundle
    assert bundle is not None
    sequence = next(q for q in bundle.quests if q.order == "sequence")
    response = await client.post(
        f"/admin/v1/content/preview/quests/{sequence.slug}?lang=en",
        files=multipart(files),
        headers=curator.auth,
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    steps = [f for f in collection["features"] if "step" in f["properties"]]
    assert [f["properties"]["order"] for f in steps] == list(range(len(sequence.steps)))
    assert [f["properties"]["poi"] for f in steps] == [s.poi for s in sequence.steps]
    for feature in steps:
        ring = feature["geometry"]["coordinates"][0]
        assert feature["geometry"]["type"] == "Polygon"
        assert ring[0] == ring[-1]
    [route] = [f for f in collection["features"] if f["properties"].get("route")]
    assert route["geometry"]["type"] == "LineString"
    assert await _versions(app) == 0

    unknown = await client.post(
        "/admin/v1/content/preview/quests/no-such-quest",
        files=multipart(files),
        headers=curator.auth,
    )
    assert unknown.status_code == 404


async def test_a_chain_of_aliases_is_a_problem_not_a_crash(
    app: FastAPI, client: httpx.AsyncClient, curator: Staff
) -> None:
    chain = Path(__file__).parents[2] / "content" / "fixtures" / "alias_chain" / "chain.yaml"
    files = {"lecce/chain.yaml": chain.read_bytes()}
    expected = {
        "file": "lecce/chain.yaml",
        "line": 3,
        "col": 38,
        "message": "aliases nest values deeper than 40 levels (a chain of aliases inside "
        "aliases); write the content out instead",
    }
    for route in ("validate", "publish", "preview/quests/x"):
        response = await client.post(
            f"/admin/v1/content/{route}", files=multipart(files), headers=curator.auth
        )
        problems = response.json()["problems"]
        assert (response.status_code, problems) == (200 if route == "validate" else 422, [expected])
    assert await _versions(app) == 0


async def test_emptying_the_game_needs_an_admin_on_purpose(
    app: FastAPI, client: httpx.AsyncClient, curator: Staff
) -> None:
    empty = {"lecce/pois.yaml": b"# nothing yet\n"}
    refused = await _publish(client, curator, empty)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("content-wipe-refused")
    assert await _versions(app) == 0

    assert (await _publish(client, curator, shipped_files())).status_code == 201
    live = app.state.catalog.current
    areas_only = {"lecce/areas.yaml": shipped_files()["lecce/areas.yaml"] + b"pois: []\n"}
    refused = await _publish(client, curator, areas_only)
    assert refused.status_code == 422
    assert "it would remove every site" in refused.json()["detail"]
    assert "it would remove every quest" in refused.json()["detail"]
    assert app.state.catalog.current is live

    on_purpose = "/admin/v1/content/publish?allow_wipe=true"
    by_curator = await client.post(on_purpose, files=multipart(areas_only), headers=curator.auth)
    assert by_curator.status_code == 403
    admin = await staff(app, client, Role.ADMIN)
    by_admin = await client.post(on_purpose, files=multipart(areas_only), headers=admin.auth)
    assert by_admin.status_code == 201, by_admin.text
    assert app.state.catalog.current.bundle.pois == []


async def test_problems_in_italian_by_default_and_in_english_on_request(
    client: httpx.AsyncClient, curator: Staff
) -> None:
    files = {"lecce/pois.yaml": b"pois:\n  - slug: X\n"}
    token = {"Authorization": curator.auth["Authorization"]}
    client.headers.pop("Accept-Language", None)  # no language preference at all
    italian = await client.post("/admin/v1/content/publish", files=multipart(files), headers=token)
    assert italian.status_code == 422
    assert italian.json()["detail"] == "6 problemi trovati; nulla è cambiato"
    messages = [p["message"] for p in italian.json()["problems"]]
    assert any(m.startswith("'X' non è uno slug valido") for m in messages)
    english = await client.post(
        "/admin/v1/content/validate?lang=en", files=multipart(files), headers=token
    )
    assert any(
        p["message"].startswith("'X' is not a valid slug") for p in english.json()["problems"]
    )


async def test_validate_says_what_a_publish_would_change(
    client: httpx.AsyncClient, curator: Staff
) -> None:
    first = await client.post(
        "/admin/v1/content/validate", files=multipart(shipped_files()), headers=curator.auth
    )
    everything = first.json()["changes"]
    assert everything["against_version_id"] is None
    assert len(everything["quests"]["added"]) == first.json()["summary"]["quests"]
    assert (await _publish(client, curator, shipped_files())).status_code == 201

    files = shipped_files()
    files[PORTE] = files[PORTE].replace(b"The city gates", b"The gates of Lecce")
    files["lecce/extra.yaml"] = (
        b"badges:\n  - slug: nuova-medaglia\n    name: {it: Nuova, en: New}\n"
        b"    description: {it: Nuova medaglia, en: A new badge}\n"
        b"    criteria: {quests_completed: 5}\n"
    )
    edited = await client.post(
        "/admin/v1/content/validate", files=multipart(files), headers=curator.auth
    )
    changes = edited.json()["changes"]
    assert changes["against_version_id"] is not None
    assert changes["quests"] == {"added": [], "changed": ["porte-della-citta"], "removed": []}
    assert changes["badges"]["added"] == ["nuova-medaglia"]
    assert changes["pois"] == {"added": [], "changed": [], "removed": []}

    assert (await _publish(client, curator, files)).status_code == 201
    back = await client.post(
        "/admin/v1/content/validate", files=multipart(shipped_files()), headers=curator.auth
    )
    assert back.json()["changes"]["badges"]["removed"] == ["nuova-medaglia"]
