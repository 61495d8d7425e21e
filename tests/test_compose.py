"""compose.yaml wiring: health checks, start order, migrations before serving, secrets from env."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
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
    assert "ports" not in app  # reached through the proxy only
    assert app["environment"]["LUPIAE_REDIS_URL"]  # workers need Redis to share state


def test_a_reverse_proxy_from_its_official_image_fronts_the_workers() -> None:
    services = _compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert services["app"]["environment"]["LUPIAE_TRUSTED_PROXIES"]
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    for directive in (
        "server_tokens off",
        "client_header_timeout",
        "client_body_timeout",
        "client_max_body_size",
        "limit_req_zone",
        "proxy_set_header Upgrade",
        "X-Forwarded-For $remote_addr",
        "server app:8000",
    ):
        assert directive in conf, directive


def test_the_proxy_configuration_is_valid_nginx(tmp_path: Path) -> None:
    """`nginx -t` on the shipped file (the upstream pointed at loopback: no Docker DNS here)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.skip("nginx is not installed (apt-get install nginx)")
    conf = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    conf = conf.replace("server app:8000", "server 127.0.0.1:8000")
    conf = (
        "pid "
        + str(tmp_path / "nginx.pid")
        + ";\nerror_log "
        + str(tmp_path / "e.log")
        + ";\n"
        + conf
    )
    conf = conf.replace("http {", "http {\n    access_log off;\n", 1)
    path = tmp_path / "nginx.conf"
    path.write_text(conf)
    checked = subprocess.run(
        [binary, "-t", "-c", str(path), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
