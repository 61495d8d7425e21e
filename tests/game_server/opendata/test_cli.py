"""The operators' commands: `lupiae opendata build|publish`, `lupiae jobs run|status`,
`lupiae retention prune` (SQLite always, PostGIS when configured)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest

from game_server.cli import main
from tests.game_server.gateway.live import publish_shipped


def _out(capsys: pytest.CaptureFixture[str]) -> dict:
    return orjson.loads(capsys.readouterr().out)


def test_build_publish_and_the_jobs_from_the_command_line(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(publish_shipped(database_url))
    monkeypatch.setenv("LUPIAE_DATABASE_URL", database_url)
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Rome")).date()
    day = (today - timedelta(days=2)).isoformat()

    assert main(["opendata", "build", "--date", day]) == 0
    built = _out(capsys)
    assert (built["date"], built["new"], built["published"]) == (day, True, False)
    assert built["cells"] > 0
    assert main(["opendata", "build", "--date", day]) == 0
    assert _out(capsys)["new"] is False  # built once
    assert main(["opendata", "publish"]) == 0
    assert _out(capsys) == {"published": 1}

    too_soon = (today - timedelta(days=1)).isoformat()
    with pytest.raises(SystemExit, match="lag at least 2 days"):
        main(["opendata", "build", "--date", too_soon])
    with pytest.raises(SystemExit, match="no comune"):
        main(["opendata", "build", "--city", "atlantide", "--date", day])

    assert main(["jobs", "run", "retention"]) == 0
    assert set(_out(capsys)) == {"visits", "events", "quiz_failures", "feed_items"}
    assert main(["jobs", "status"]) == 0
    status = {row["job"]: row for row in orjson.loads(capsys.readouterr().out)}
    assert (status["retention"]["runs"], status["retention"]["last_status"]) == (1, "ok")
    assert status["opendata"]["runs"] == 0
    assert main(["retention", "prune"]) == 0
    assert _out(capsys)["visits"] == 0
