"""The per-comune registry other features read (open data, district figures)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import FastAPI

from content import load_bundle
from content.model import LECCE
from game_server.catalog.service import Catalog, publish_all
from game_server.cities import city_of, registry
from game_server.kit.errors import NotFound
from tests.paths import CONTENT


def test_lecce_is_known_before_anything_is_published() -> None:
    state = SimpleNamespace(catalog=Catalog())
    assert registry(state) == {"lecce": LECCE}
    assert city_of(state).ipa_code == "c_e506"
    with pytest.raises(NotFound):
        city_of(state, "bergamo")


async def test_each_served_comune_has_its_publisher_and_ipa_code(app: FastAPI) -> None:
    bundle = load_bundle(CONTENT).bundle
    assert bundle is not None
    async with app.state.session_factory() as session:
        await publish_all(session, bundle, author="tests")
        await session.commit()
        await app.state.catalog.reload(session)
    assert sorted(registry(app.state)) == ["bergamo", "lecce"]
    bergamo = city_of(app.state, "bergamo")
    assert (bergamo.ipa_code, bergamo.demo) == ("c_a794", True)
    assert bergamo.publisher.it.startswith("Comune di Bergamo")
    assert city_of(app.state).publisher.it == "Comune di Lecce"
