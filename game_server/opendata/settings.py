"""Open data's settings (game_server/opendata/, docs/open-data.md)."""

from __future__ import annotations

from pydantic import Field

from game_server.kit.settings import KernelSettings


class OpenDataSettings(KernelSettings):
    # Releases lag at least 2 days; cells under k are suppressed (the district's figures obey
    # the same k); each player counts at most `cap` visits per site and day and `max_sites`
    # sites per day; with an epsilon, discrete Laplace noise of that budget per release.
    opendata_lag_days: int = Field(default=2, ge=2, le=60)
    opendata_k: int = Field(default=10, ge=10)
    opendata_cap_per_site_day: int = Field(default=1, ge=1, le=10)
    opendata_max_sites_per_day: int = Field(default=10, ge=1, le=100)
    opendata_epsilon: float | None = Field(default=None, gt=0, le=10)
    # Comuni whose open data are built and catalogued; empty: every comune published here
    # (game_server.cities: each with its own publisher and IPA code from its city.yaml).
    opendata_cities: list[str] = Field(default_factory=list)
