"""What each suspicious pattern weighs. A player's risk is the sum over `RISK_WINDOW`."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

Kind = Literal[
    "late_batch",  # a coupon's steps credited faster, in server time, than a walk allows
    "two_places",  # fixes from two sockets of one player too far apart for the time between
    "speed",  # a fix faster than max_speed_mps (after the bounded accuracy allowance)
    "teleport",  # a jump of more than teleport_distance_m within teleport_window_s
    "replay",  # a visit made of exactly the fixes of an earlier visit
    "signup_burst",  # the account was created while its client exceeded the sign-up limit
    "mock",  # the OS flagged the fixes as simulated
    "shared_client",  # team members collecting one team coupon from one client
    "attestation",  # a platform attestation was required and missing or refused
]

KINDS: tuple[Kind, ...] = (
    "late_batch",
    "two_places",
    "speed",
    "teleport",
    "replay",
    "signup_burst",
    "mock",
    "shared_client",
    "attestation",
)

# Weights: one occurrence of a pattern no honest phone produces (a replayed trace, a mock
# flag, two places at once) reaches the default hold threshold (10) by itself; patterns a
# glitch can produce once (a speed outlier, a GPS jump) need several.
SCORES: dict[Kind, float] = {
    "late_batch": 10.0,
    "two_places": 10.0,
    "speed": 1.0,
    "teleport": 2.0,
    "replay": 10.0,
    "signup_burst": 5.0,
    "mock": 10.0,
    "shared_client": 10.0,
    "attestation": 10.0,
}

RISK_WINDOW = timedelta(days=30)

# A socket records each rejection kind at most once per this interval: a phone with bad
# reception produces runs of outliers, and the record is about the pattern, not the count.
REJECTION_RECORD_INTERVAL_S = 600.0

# position.rejected reasons that are recorded, and as what.
REJECTION_KINDS: dict[str, Kind] = {
    "implausible_speed": "speed",
    "teleport": "teleport",
    "mock": "mock",
    "two_places": "two_places",
}
