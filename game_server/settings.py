"""The settings the app runs with: every domain's, composed (the wiring's job).

Each domain owns its settings class, a subclass of the kernel's `KernelSettings` holding its
own `LUPIAE_*` knobs and their checks (`rewards/settings.py`, `game_server/staff/settings.py`,
...); its code names only that class. `Settings` inherits them all (one model, one read of the
environment, every check at start) and adds the wiring's own knobs: the web apps' and the
scheduled jobs' (here rather than in game_server/jobs/, which runs with these settings). A new
knob goes in its domain's class."""

from __future__ import annotations

from typing import Self

from pydantic import model_validator

from game_server.anticheat.settings import AntiCheatSettings
from game_server.kit.settings import KernelSettings
from game_server.opendata.settings import OpenDataSettings
from game_server.players.passkeys.settings import PasskeySettings
from game_server.privacy.settings import PrivacySettings
from game_server.staff.settings import StaffSettings
from quests.social.settings import SocialSettings
from rewards.settings import RewardsSettings

DEFAULT_JOB_TIMES = {
    "retention": "15 3",
    "opendata": "30 4",
    "district_footfall": "*/10 *",
    "district_report": "45 5",
}


class JobsSettings(KernelSettings):
    """The scheduled jobs' (game_server/jobs/): every worker runs the scheduler; each run
    happens once."""

    jobs_enabled: bool = True
    # "MM HH" in Lecce's time, once a day per job; "*/N *": every N minutes.
    # district_footfall copies street footfall to the database every 10 minutes ("*/10 *");
    # district_report builds last month's monitoring pack (once, on the first run that finds
    # it missing).
    job_times: dict[str, str] = DEFAULT_JOB_TIMES

    def job_time(self, job: str) -> str:
        """The job's "MM HH" (a job the setting leaves out keeps its default)."""
        return self.job_times.get(job, DEFAULT_JOB_TIMES[job])

    @model_validator(mode="after")
    def _check_job_times(self) -> Self:
        for job in ("retention", "opendata"):
            parts = self.job_times.get(job, "").split()
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                raise ValueError(f'job_times["{job}"] must be "MM HH" (e.g. "15 3")')
            if not (0 <= int(parts[0]) < 60 and 0 <= int(parts[1]) < 24):
                raise ValueError(f'job_times["{job}"] is not a time of day')
        return self


class Settings(
    AntiCheatSettings,
    JobsSettings,
    OpenDataSettings,
    PasskeySettings,
    PrivacySettings,
    StaffSettings,
    SocialSettings,
    RewardsSettings,
):
    # The web apps (web/, docs/web.md): the folder of `npm run build`'s output served at `/`
    # (empty: the repository's web/dist), and the basemap style URL the player app draws under
    # the city's layers (empty: the city's own layers on a plain background).
    web_dist: str = ""
    map_style_url: str = ""
