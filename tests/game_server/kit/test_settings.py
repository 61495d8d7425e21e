from __future__ import annotations

import pytest
from pydantic import ValidationError

from game_server.kit.settings import DEV_SECRET_KEY
from game_server.settings import Settings


def test_development_accepts_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LUPIAE_SECRET_KEY", raising=False)
    monkeypatch.delenv("LUPIAE_ENV", raising=False)
    assert Settings().secret_key == DEV_SECRET_KEY


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (None, "development default"),
        ("short-secret", "12 characters long"),
    ],
)
def test_production_refuses_weak_secrets(
    monkeypatch: pytest.MonkeyPatch, secret: str | None, message: str
) -> None:
    monkeypatch.setenv("LUPIAE_ENV", "production")
    if secret is None:
        monkeypatch.delenv("LUPIAE_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("LUPIAE_SECRET_KEY", secret)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_production_accepts_a_long_random_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUPIAE_ENV", "production")
    monkeypatch.setenv("LUPIAE_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("LUPIAE_REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = Settings()
    assert settings.backend_url == "redis://127.0.0.1:6379/0"


def test_cli_refuses_to_start_in_production_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from game_server.cli import main

    monkeypatch.setenv("LUPIAE_ENV", "production")
    monkeypatch.delenv("LUPIAE_SECRET_KEY", raising=False)
    with pytest.raises(SystemExit, match="LUPIAE_SECRET_KEY is the development default"):
        main(["serve"])
