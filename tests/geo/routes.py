"""A walk through the old town along streets clear of the other sites' fences."""

from __future__ import annotations

from tests.geo.lecce import sites
from tests.geo.traces import Stop

VISITED = ["porta_napoli", "duomo", "piazza_sant_oronzo", "basilica_santa_croce"]


def _at(slug: str) -> Stop:
    site = sites()[slug]
    return Stop(site.lat, site.lon, STOP_S[slug])


# Seconds spent standing at each visited site. With the time spent crossing each fence
# this keeps the time inside every visited fence between 30 and 45 s: enough for the
# 20 s dwell at walking pace, a third of it (< 20 s) in a 3x replay.
STOP_S = {
    "porta_napoli": 20.0,
    "duomo": 8.0,
    "piazza_sant_oronzo": 0.0,
    "basilica_santa_croce": 25.0,
}


def grand_tour() -> list[Stop]:
    """Porta Napoli → Duomo → Piazza Sant'Oronzo → Basilica di Santa Croce (≈1.4 km).

    Via Palmieri past Teatro Paisiello, round the west side to the cathedral, south of
    the Roman theatre to Via Augusto Imperatore's end, up the east side of the square
    (clear of the castle and Santa Maria della Grazia), then north to Santa Croce.
    Every other site's fence stays at least 15 m away from the path.
    """
    return [
        _at("porta_napoli"),
        Stop(40.35479, 18.16895),
        Stop(40.3530, 18.1685),
        Stop(40.3520, 18.1682),
        Stop(40.3514, 18.1690),
        _at("duomo"),
        Stop(40.3508, 18.1700),
        Stop(40.3515, 18.1716),
        Stop(40.3515, 18.17375),
        Stop(40.3533, 18.17375),
        _at("piazza_sant_oronzo"),
        Stop(40.3533, 18.17375),
        _at("basilica_santa_croce"),
    ]
