"""Every curl example of the docs runs, as printed, against a real `lupiae serve`.

The examples are read from the Markdown (README.md, docs/*.md), not copied here: a changed
route, body or flag in the docs fails this test. Only what a reader must fill in is replaced
(the server's address, a password written `…`, ids the reader would have at hand). curl runs
with `--fail-with-body`, so any answer of 400 or more fails the example. Every timestamp the
server sends back carries its time zone.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from content import load_bundle
from content.model import Bundle
from game_server import migrate
from game_server.audit.actors import Actor
from game_server.audit.repository import AuditRepository
from game_server.audit.service import AuditLog
from game_server.catalog.service import publish_all
from game_server.kit.db import make_engine, make_session_factory
from game_server.staff.repository import StaffRepository
from game_server.staff.roles import Role
from game_server.staff.service import StaffService
from rewards import codes
from rewards.issuance import issue_coupon
from rewards.merchants import MerchantService, MerchantSpec, district_of
from rewards.repository import MerchantRepository
from tests.conftest import TEST_SECRET
from tests.paths import CONTENT, ROOT
from tests.rewards.factories import player
from tests.workers import run_workers

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
CURATOR = "curatore@comune.lecce.it"  # the account the operators' guide logs in with
DOC_CODE = "K7QM4XPRW"  # the coupon the merchants' guide looks up and redeems
HELD_CODES = (codes.new_code(), codes.new_code())  # held coupons the anti-cheat guide moderates
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
INLINE = re.compile(r"`(curl [^`]+)`")
# An ISO date-time in a JSON string value; the optional group is its time zone.
TIMESTAMP = re.compile(r'"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?"')
CURL = 'set -euo pipefail\ncurl() { command curl --silent --show-error --fail-with-body "$@"; }\n'


@dataclass
class World:
    url: str
    player_id: uuid.UUID
    staff_id: uuid.UUID
    merchant_key: str
    workdir: Path


def curl_blocks(doc: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return [block for block in BLOCK.findall(text) if re.search(r"\bcurl\b", block)]


def run(script: str, world: World, **env: str) -> str:
    done = subprocess.run(
        ["bash", "-c", CURL + script],
        cwd=world.workdir,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    naive = [m.group(1) for m in TIMESTAMP.finditer(done.stdout) if m.group(2) is None]
    assert naive == [], f"timestamps without a time zone in:\n{done.stdout}"
    return done.stdout


async def _prepare(database_url: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    result = load_bundle(CONTENT)
    bundle: Bundle | None = result.bundle
    assert bundle is not None, result.problems
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            await publish_all(session, bundle, author="tests")
            staff = StaffService(StaffRepository(session), AuditLog(AuditRepository(session)))
            await staff.create(
                CURATOR, Role.ADMIN, PASSWORD, by=Actor.cli("tests"), cities=("lecce", "bergamo")
            )
            other = await staff.create(
                "collega@comune.lecce.it", Role.CURATOR, PASSWORD, by=Actor.cli("tests")
            )
            template = next(c for c in bundle.coupons if c.slug == "caffe-in-piazza")
            known = next(m for m in bundle.merchants if m.slug == template.merchant)
            spec = MerchantSpec(
                slug=known.slug,
                name=known.name,
                category=known.category,
                street=known.street,
                lat=known.lat,
                lon=known.lon,
                demo=True,
            )
            merchants = MerchantService(MerchantRepository(session), actor="tests")
            _, key = await merchants.create(spec, district_of(bundle))
            player_id = await player(session)
            issued = await issue_coupon(session, template, player_id, "docs")
            assert issued is not None
            assert issued.code == DOC_CODE
            others = [c for c in bundle.coupons if c.slug != template.slug]
            for held, other_template in zip(HELD_CODES, others, strict=False):
                # held coupons: the moderators' examples release one and refuse the other
                coupon = await issue_coupon(
                    session, other_template, player_id, "docs", hold_reason="late_batch"
                )
                assert coupon is not None
                assert coupon.code == held
            await session.commit()
            return player_id, other.id, key.api_key
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("docs")
    url = f"sqlite+aiosqlite:///{base / 'docs.sqlite3'}"
    migrate.upgrade(url)
    original = codes.new_code
    codes.new_code = iter([DOC_CODE, *HELD_CODES]).__next__
    try:
        player_id, staff_id, key = asyncio.run(_prepare(url))
    finally:
        codes.new_code = original
    workdir = base / "work"
    shutil.copytree(CONTENT, workdir / "content", ignore=shutil.ignore_patterns("*.py", "__*"))
    env = {
        "LUPIAE_ENV": "test",
        "LUPIAE_DATABASE_URL": url,
        "LUPIAE_SECRET_KEY": TEST_SECRET,
        "LUPIAE_LOG_LEVEL": "warning",
    }

    async def serve() -> None:
        async with run_workers(1, env, logs=base) as (address,):
            queue.put_nowait(address)
            await stop.wait()

    loop = asyncio.new_event_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()
    stop = asyncio.Event()
    server = loop.create_task(serve())
    address = loop.run_until_complete(_first(queue, server))
    try:
        yield World(address, player_id, staff_id, key, workdir)
    finally:
        stop.set()
        loop.run_until_complete(server)
        loop.close()


async def _first(queue: asyncio.Queue[str], server: asyncio.Task[None]) -> str:
    getter = asyncio.ensure_future(queue.get())
    await asyncio.wait({getter, server}, return_when=asyncio.FIRST_COMPLETED)
    if server.done():
        getter.cancel()
        server.result()  # raises why the worker did not start
    return getter.result()


def test_the_readme_examples(world: World) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = INLINE.findall(text)
    assert "curl 127.0.0.1:8000/readyz" in examples
    for example in examples:
        run(example.replace("127.0.0.1:8000", world.url.removeprefix("http://")), world)


def test_the_curator_guide_examples(world: World) -> None:
    (block,) = curl_blocks("docs/curators.md")
    script = "\n".join(line for line in block.splitlines() if line.startswith("curl"))
    out = run(script.replace("http://127.0.0.1:8000", world.url), world)
    assert orjson.loads(out)["slug"] == "lecce-romana"


def test_the_operator_guide_examples(world: World) -> None:
    blocks = curl_blocks("docs/operators.md")
    assert len(blocks) >= 6
    script = "\n".join(blocks)
    script = script.replace("API=http://127.0.0.1:8000", f"API={world.url}")
    script = script.replace('"password": "…"', f'"password": "{PASSWORD}"')
    script = script.replace("/versions/6/activate", "/versions/1/activate")  # one that exists
    out = run(script, world, PLAYER_ID=str(world.player_id), STAFF_ID=str(world.staff_id))
    assert '"status":"unchanged"' in out.replace(" ", "")  # the shipped content, already live
    preview = orjson.loads((world.workdir / "content" / "preview.geojson").read_bytes())
    assert preview["type"] == "FeatureCollection"


def test_the_merchant_guide_examples(world: World) -> None:
    blocks = curl_blocks("docs/merchants.md")
    assert len(blocks) == 6
    # The guide's November: this month in the comune's days (the history is by local day).
    today = datetime.now(ZoneInfo("Europe/Rome")).date()
    period = f"from={today.replace(day=1)}&to={today}"
    replaced = [
        block.replace("https://lupiae.example", world.url).replace(
            "from=2026-11-01&to=2026-11-30", period
        )
        for block in blocks
    ]
    outputs: list[str] = []
    for block in replaced:
        script = block
        if "6a0e…" in block:  # the id the redemption above answered with
            script = block.replace("6a0e…", orjson.loads(outputs[-1])["id"])
        outputs.append(run(script, world, KEY=world.merchant_key))
    rotated, looked_up, redeemed, voided, history, _ = map(_json_or_text, outputs)
    assert rotated["api_key"].startswith("lpm_")
    assert looked_up["code"] == "K7QM-4XPR-W"
    assert looked_up["redeemable"]
    assert redeemed["code"] == "K7QM-4XPR-W"
    assert voided["voided_at"] is not None
    assert [item["id"] for item in history["items"]] == [redeemed["id"]]
    csv = (world.workdir / "novembre.csv").read_text(encoding="utf-8")
    assert "K7QM-4XPR-W" in csv


def test_the_anti_cheat_guide_examples(world: World) -> None:
    (login,) = [b for b in curl_blocks("docs/operators.md") if "AUTH=" in b]
    (block,) = curl_blocks("docs/anti-cheat.md")
    login = login.replace("API=http://127.0.0.1:8000", f"API={world.url}")
    login = login.replace('"password": "…"', f'"password": "{PASSWORD}"')
    commands = block.replace("\\\n", " ").splitlines()
    reading = "\n".join(line for line in commands if "/anticheat/players" in line)
    (release,) = [line for line in commands if "/release" in line]
    (refuse,) = [line for line in commands if "/refuse" in line]
    out = run(login + reading, world, PLAYER_ID=str(world.player_id))
    assert str(world.player_id) in out
    released = orjson.loads(run(login + release, world, CODE=HELD_CODES[0]))
    refused = orjson.loads(run(login + refuse, world, CODE=HELD_CODES[1]))
    assert (released["state"], refused["state"]) == ("issued", "refused")


def _json_or_text(text: str) -> dict[str, object]:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {"text": text}
    assert isinstance(value, dict)
    return value


def test_every_document_with_curl_examples_is_run_here() -> None:
    covered = {
        "README.md",
        "docs/curators.md",
        "docs/operators.md",
        "docs/merchants.md",
        "docs/anti-cheat.md",
    }
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    with_curl = {
        p.relative_to(ROOT).as_posix()
        for p in documents
        if re.search(r"\bcurl\b", p.read_text(encoding="utf-8"))
    }
    assert with_curl <= covered, f"run the curl examples of {sorted(with_curl - covered)} here"
