"""Frames of the `/v1/play` protocol (SPEC §3.3), validated by pydantic-core from raw JSON."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from game_server.kit.inputs import MAX_EPOCH_MS, MAX_SAFE_INTEGER, Text
from game_server.kit.italian import localize

MAX_BATCH_FIXES = 600  # ten minutes at 1 Hz


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Hello(_Frame):
    type: Literal["hello"]
    token: Text = Field(min_length=1, max_length=4096)
    resume_after: int | None = Field(default=None, ge=0, le=MAX_SAFE_INTEGER)


class PositionFix(_Frame):
    # pydantic-core rejects NaN and ±Infinity itself ("Input should be a finite number"):
    # no Python validator runs for each of the thousands of fixes per second.
    model_config = ConfigDict(allow_inf_nan=False)

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy: float = Field(ge=0, le=100_000)
    # Bounded like every number (game_server.kit.inputs): ts >= 2**64 used to crash the socket.
    ts: int = Field(ge=0, le=MAX_EPOCH_MS, description="device time, ms since the epoch")
    mock: bool = False


class Position(PositionFix):
    type: Literal["position"]


class Positions(_Frame):
    type: Literal["positions"]
    fixes: list[PositionFix] = Field(min_length=1, max_length=MAX_BATCH_FIXES)


class Answer(_Frame):
    type: Literal["answer"]
    quest: Text = Field(min_length=1, max_length=80)
    step: Text = Field(min_length=1, max_length=80)
    answer: Text = Field(max_length=200)


class Start(_Frame):
    type: Literal["start"]
    quest: Text = Field(min_length=1, max_length=80)


class Ping(_Frame):
    type: Literal["ping"]


ClientFrame = Annotated[
    Hello | Position | Positions | Answer | Start | Ping, Field(discriminator="type")
]
_client_frame: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)


class BadFrame(ValueError):
    pass


def parse(raw: str | bytes) -> ClientFrame:
    try:
        return _client_frame.validate_json(raw)
    except ValueError as exc:  # pydantic's ValidationError, or a lone surrogate's UnicodeError
        if not isinstance(exc, ValidationError):
            raise BadFrame(f"frame: {exc}") from None
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "frame"
        raise BadFrame(f"{where}: {first.get('msg', 'invalid')}") from None


def dumps(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def welcome(player_id: str, last_seq: int) -> str:
    return dumps({"type": "welcome", "player_id": player_id, "last_seq": last_seq})


def error(code: str, message: str, language: str = "en") -> str:
    """An `error` frame; `message` in Italian when `language` is it and it has a wording."""
    text, _ = localize(message, language)
    return dumps({"type": "error", "code": code, "message": text})


PONG = dumps({"type": "pong"})
RESYNC = dumps({"type": "resync"})
