"""Join and invite codes: the coupon code format (readable aloud, with a check character)."""

from __future__ import annotations

from quests.social.exceptions import MalformedCode
from rewards import codes

new_code = codes.new_code
display = codes.display


def parse(text: str) -> str:
    """The canonical code a player typed, or a 422 explaining what is wrong with it."""
    try:
        return codes.normalize(text)
    except codes.InvalidCode as exc:
        raise MalformedCode(str(exc)) from exc
