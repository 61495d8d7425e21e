"""compose.yaml wiring: health checks, start order, migrations before serving, secrets from env."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def test_every_service_has_a_health_check() -> None:
    services = _compose()["services"]
    assert set(services) >= {"db", "redis", "app"}
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert service["healthcheck"]["test"], name


def test_app_waits_for_healthy_dependencies() -> None:
    depends_on = _compose()["services"]["app"]["depends_on"]
    assert depends_on == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_app_migrates_before_serving() -> None:
    command = " ".join(_compose()["services"]["app"]["command"])
    assert command.index("lupiae db upgrade") < command.index("lupiae serve")


def test_database_is_postgis_and_app_uses_it_with_redis() -> None:
    services = _compose()["services"]
    assert "postgis" in services["db"]["image"]
    env = services["app"]["environment"]
    assert env["LUPIAE_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env["LUPIAE_REDIS_URL"].startswith("redis://redis:")
    assert env["LUPIAE_ENV"] == "production"


def test_secrets_come_from_the_environment_and_are_required() -> None:
    services = _compose()["services"]
    assert services["app"]["environment"]["LUPIAE_SECRET_KEY"].startswith("${LUPIAE_SECRET_KEY:?")
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${LUPIAE_DB_PASSWORD:?")


def test_several_app_workers_share_the_database_and_redis() -> None:
    app = _compose()["services"]["app"]
    assert app["deploy"]["replicas"] == "${LUPIAE_APP_WORKERS:-2}"
    assert app["ports"] == ["8000-8009:8000"]  # one host port per replica, none shared
    assert app["environment"]["LUPIAE_REDIS_URL"]  # workers need Redis to share state
