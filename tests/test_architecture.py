"""The house rules that no linter checks for us (the import contracts run in `make lint`)."""

from __future__ import annotations

import re
from pathlib import Path

from game_server.kit.settings import KernelSettings
from game_server.settings import Settings
from tests.paths import ROOT

PACKAGES = ("game_server", "quests", "rewards", "geo", "content")
MAX_MODULE_LINES = 400
UNIT_OF_WORK = "game_server/kit/uow.py"
# Each domain's knobs, by the start of their names, and the module of the class owning them.
KNOB_OWNERS = {
    "merchant_": "rewards.settings",
    "redemption_": "rewards.settings",
    "idempotency_": "rewards.settings",
    "staff_": "game_server.staff.settings",
    "opendata_": "game_server.opendata.settings",
    "geo": "game_server.anticheat.settings",
    "presence_": "game_server.anticheat.settings",
    "risk_": "game_server.anticheat.settings",
    "guest_signup": "game_server.anticheat.settings",
    "attestation": "game_server.anticheat.settings",
    "webauthn_": "game_server.players.passkeys.settings",
    "passkey_": "game_server.players.passkeys.settings",
    "position_retention": "game_server.privacy.settings",
    "event_retention": "game_server.privacy.settings",
    "tracker_": "game_server.privacy.settings",
    "team_": "quests.social.settings",
    "leaderboard_": "quests.social.settings",
    "job": "game_server.settings",
    "web_dist": "game_server.settings",
    "map_style_url": "game_server.settings",
}
# The kernel's settings under their old name, `Settings`: only these still import them so (the
# list only ever shrinks; anywhere else `Settings(some_domain_knob=...)` would drop the knob).
HAND_WRITTEN_TRANSACTION = re.compile(r"\.(commit|rollback)\(\)")


def _modules() -> list[Path]:
    found = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    return sorted(p for p in found if "migrations" not in p.relative_to(ROOT).parts)


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_module_is_under_the_line_limit() -> None:
    lines = {_name(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    over = {name: n for name, n in lines.items() if n >= MAX_MODULE_LINES}
    assert over == {}, f"split these modules (STYLE.md, habit 8): {over}"


def test_only_the_unit_of_work_commits_or_rolls_back() -> None:
    found = [
        f"{_name(p)}:{number}: {line.strip()}"
        for p in _modules()
        if _name(p) != UNIT_OF_WORK
        for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if HAND_WRITTEN_TRANSACTION.search(line)
    ]
    assert found == [], "use game_server.kit.uow.unit_of_work:\n" + "\n".join(found)


def _declared_by(cls: type) -> set[str]:
    """The settings a class declares itself (not those it inherits)."""
    return set(vars(cls).get("__annotations__", {})) & set(Settings.model_fields)


def test_the_kernel_settings_hold_no_domain_knob() -> None:
    domain_knobs = sorted(
        n for n in KernelSettings.model_fields if n.startswith(tuple(KNOB_OWNERS))
    )
    assert domain_knobs == [], "move these to their domain's settings class (docs/architecture.md)"


def test_every_knob_is_declared_once_by_the_class_of_its_owner() -> None:
    owners: dict[str, list[type]] = {}
    for cls in Settings.__mro__:
        if isinstance(cls, type) and issubclass(cls, KernelSettings):
            for name in _declared_by(cls):
                owners.setdefault(name, []).append(cls)
    assert set(owners) == set(Settings.model_fields)
    twice = {name: [c.__name__ for c in found] for name, found in owners.items() if len(found) > 1}
    assert twice == {}, "a knob is declared by one class only"
    misplaced = {
        name: (found[0].__module__, module)
        for name, found in owners.items()
        for prefix, module in KNOB_OWNERS.items()
        if name.startswith(prefix) and found[0].__module__ != module
    }
    assert misplaced == {}, "knob: (declared in, owned by)"
