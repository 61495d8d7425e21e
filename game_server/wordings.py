"""The Italian wordings the app speaks: the kernel's and every domain's, composed (wiring).

Each domain owns the wordings of the details it raises (`WORDINGS` in its `wordings.py`); the
kernel matches them (`game_server/kit/italian.py`). A new error's wording goes in its domain's
module; tests/game_server/kit/test_italian.py finds every raised detail without one, or with two.
"""

from __future__ import annotations

from game_server.admin import wordings as admin
from game_server.anticheat import wordings as anticheat
from game_server.catalog import wordings as catalog
from game_server.district import wordings as district
from game_server.gateway import wordings as gateway
from game_server.kit import italian
from game_server.opendata import wordings as opendata
from game_server.players import wordings as players
from game_server.privacy import wordings as privacy
from game_server.staff import wordings as staff
from quests import wordings as quests
from rewards import wordings as rewards

ITALIAN = italian.Wordings(
    italian.WORDINGS,
    catalog.WORDINGS,
    players.WORDINGS,
    staff.WORDINGS,
    rewards.WORDINGS,
    quests.WORDINGS,
    anticheat.WORDINGS,
    opendata.WORDINGS,
    privacy.WORDINGS,
    district.WORDINGS,
    gateway.WORDINGS,
    admin.WORDINGS,
)
