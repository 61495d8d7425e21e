"""Experience and levels.

Level 1 starts at 0 XP and reaching level n + 1 takes 100·n·(n+1)/2 XP in total:
level 2 at 100 XP, 3 at 300, 4 at 600, 5 at 1000, …
"""

from __future__ import annotations

import math
from dataclasses import dataclass

XP_STEP = 100


def xp_for_level(level: int) -> int:
    """Total XP needed to reach `level` (level 1 needs 0)."""
    n = max(level - 1, 0)
    return XP_STEP * n * (n + 1) // 2


def level_for(total_xp: int) -> int:
    if total_xp <= 0:
        return 1
    # Largest n with 50·n·(n+1) ≤ xp, from the quadratic formula, then nudged for rounding.
    n = int((math.isqrt(1 + 8 * total_xp // XP_STEP) - 1) // 2)
    while xp_for_level(n + 2) <= total_xp:
        n += 1
    while n > 0 and xp_for_level(n + 1) > total_xp:
        n -= 1
    return n + 1


@dataclass(frozen=True, slots=True)
class Level:
    total_xp: int
    level: int
    level_xp: int
    next_level_xp: int

    @classmethod
    def of(cls, total_xp: int) -> Level:
        level = level_for(total_xp)
        return cls(total_xp, level, xp_for_level(level), xp_for_level(level + 1))
