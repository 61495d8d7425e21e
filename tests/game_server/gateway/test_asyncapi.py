"""The AsyncAPI document stays in step with the protocol the server speaks."""

from __future__ import annotations

from typing import get_args

import yaml

from game_server.gateway import protocol
from tests.paths import ROOT


def test_asyncapi_lists_every_client_frame_and_event_kind() -> None:
    doc = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text())
    messages = doc["components"]["messages"]
    frames = get_args(get_args(protocol.ClientFrame)[0])
    for frame in frames:
        name = frame.model_fields["type"].annotation.__args__[0]
        assert name in messages, name
        assert set(frame.model_fields) - {"type"} <= set(messages[name]["payload"]["properties"])
    kinds = set(messages["event"]["payload"]["properties"]["kind"]["enum"])
    assert {"poi.enter", "poi.visit", "poi.exit", "position.rejected", "quest.completed"} <= kinds
