"""The monthly monitoring pack: built from real figures, read back with pypdf and zipfile.

Footfall rows of a month (and of the four weeks before, for the baseline) and coupons redeemed
through the shop's books; the pack is built by the API, by `lupiae district report` and by the
scheduled job; the PDF has its pages, its tables and its four charts (images), the CSV files
their rows with the cells under k suppressed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pypdfium2 as pdfium
import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from game_server.app import create_app
from game_server.cli import main
from game_server.district.flush import upsert
from game_server.district.report import build_due
from game_server.staff.roles import Role
from tests.conftest import make_settings
from tests.game_server.admin.helpers import staff
from tests.game_server.gateway.live import publish_shipped

ZONE = ZoneInfo("Europe/Rome")
MONTH = "2026-10"


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    await publish_shipped(database_url)
    application = create_app(make_settings(database_url))
    async with application.router.lifespan_context(application):
        yield application


async def _footfall(app: FastAPI) -> None:
    """Every day of October and of the weeks before: Via Trinchese busy at 11:00 and 18:00,
    Via Libertini quiet (under k), Corso busier on Saturdays."""
    rows = []
    day = datetime(2026, 9, 1, tzinfo=ZONE)
    while day < datetime(2026, 11, 1, tzinfo=ZONE):
        for street, hour, players in (
            ("via-trinchese", 11, 30 + day.day % 7),
            ("via-trinchese", 18, 45),
            ("via-libertini", 11, 3),
            ("corso-vittorio-emanuele", 17, 60 if day.weekday() == 5 else 20),
        ):
            at = day.replace(hour=hour).astimezone(UTC)
            rows.append(
                {
                    "city": "lecce",
                    "street": street,
                    "hour": at,
                    "players": players,
                    "passes": players + 1,
                    "dwell_s": 90 * (players + 1),
                    "updated_at": at,
                }
            )
        day += timedelta(days=1)
    async with app.state.session_factory() as session:
        await upsert(session, rows)
        await session.commit()


def _check_pdf(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 5  # the summary, then one chart per page
    first = reader.pages[0].extract_text()
    assert "Distretto Urbano del Commercio di Lecce" in first
    assert "2026-10" in first
    assert "Via Salvatore Trinchese" in first
    assert "<k" in first  # Via Libertini's quiet hours, suppressed
    images = [len(page.images) for page in reader.pages[1:]]
    assert images == [1, 1, 1, 1]
    titles = " ".join(page.extract_text() for page in reader.pages[1:])
    for title in (
        "Footfall per street",
        "Players per hour of day",
        "Coupon funnel per shop",
        "Campaign uplift",
    ):
        assert title in titles


def _picture(data: bytes) -> None:
    """The report's first page and a chart, as pictures for docs/district.md
    (`make screenshots` writes them to docs/img; otherwise to the temporary folder)."""
    folder = Path(os.environ.get("LUPIAE_SCREENSHOTS_DIR") or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(data)
    for number, name in ((0, "district-report"), (1, "district-report-chart")):
        image = document[number].render(scale=1.2).to_pil()
        image.save(folder / f"{name}.png")


def _check_zip(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == [
            f"lecce-{MONTH}/{n}"
            for n in (
                "coupons_campaigns.csv",
                "coupons_shops.csv",
                "footfall_hourly.csv",
                "footfall_streets.csv",
                "report.pdf",
            )
        ]
        streets = list(
            csv.DictReader(
                io.StringIO(archive.read(f"lecce-{MONTH}/footfall_streets.csv").decode())
            )
        )
        hourly = list(
            csv.DictReader(io.StringIO(archive.read(f"lecce-{MONTH}/footfall_hourly.csv").decode()))
        )
    trinchese = next(r for r in streets if r["street"] == "via-trinchese")
    assert int(trinchese["players"]) == sum(30 + d % 7 for d in range(1, 32)) + 45 * 31
    assert trinchese["suppressed"] == "false"
    quiet = [
        r
        for r in hourly
        if r["street"] == "via-libertini" and r["local_time"].startswith("2026-10")
    ]
    assert len(quiet) == 31
    assert all(r["players"] == "" and r["suppressed"] == "true" for r in quiet)
    corso = [r for r in hourly if r["street"] == "corso-vittorio-emanuele"]
    assert {r["players"] for r in corso} == {"20", "60"}


async def test_the_pack_from_the_api_the_command_line_and_the_job(
    app: FastAPI,
    client: httpx.AsyncClient,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _footfall(app)
    manager = await staff(app, client, Role.DISTRICT, cities=("lecce",))
    missing = await client.get(
        f"/admin/v1/district/lecce/reports/{MONTH}/report.pdf", headers=manager.auth
    )
    assert missing.status_code == 404
    built = await client.post(f"/admin/v1/district/lecce/reports/{MONTH}", headers=manager.auth)
    assert built.status_code == 201, built.text
    assert built.json()["pages"] == 5
    pdf = await client.get(built.json()["pdf"], headers=manager.auth)
    assert pdf.headers["content-type"] == "application/pdf"
    _check_pdf(pdf.content)
    _picture(pdf.content)
    _check_zip((await client.get(built.json()["csv_zip"], headers=manager.auth)).content)
    bad = await client.post("/admin/v1/district/lecce/reports/2026-13", headers=manager.auth)
    assert bad.status_code == 422
    assert "YYYY-MM" in bad.json()["detail"]

    # The command line: the same pack, written to a folder; a bad month is one line.
    monkeypatch.setenv("LUPIAE_DATABASE_URL", database_url)
    monkeypatch.setenv("LUPIAE_ENV", "test")
    monkeypatch.setenv("LUPIAE_SECRET_KEY", "x" * 40)
    command = ["district", "report", "--month", MONTH, "--out", str(tmp_path)]
    assert await asyncio.to_thread(main, command) == 0
    _check_pdf((tmp_path / f"district-lecce-{MONTH}.pdf").read_bytes())
    _check_zip((tmp_path / f"district-lecce-{MONTH}.zip").read_bytes())
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["district", "report", "--month", "10/2026"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["lupiae district: report: month must be YYYY-MM, not '10/2026'"]

    # The job: last month's pack of each comune with streets, once.
    november = datetime(2026, 11, 3, 5, 45, tzinfo=UTC)
    first = await build_due(app.state.session_factory, november)
    assert first == {"built": ["bergamo 2026-10"]}  # Lecce's October was built above
    assert await build_due(app.state.session_factory, november) == {"built": []}
