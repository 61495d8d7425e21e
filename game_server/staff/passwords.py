"""Staff passwords: argon2id (memory-hard), hashed off the event loop; chosen under a policy
that asks zxcvbn (Dropbox's strength estimator, with its lists of common passwords, names and
words) for a score of at least MIN_SCORE, as NIST SP 800-63B asks a check against such lists."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from game_server.kit.errors import Unprocessable

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# zxcvbn's scores: 3 is "safely unguessable: moderate protection from offline slow-hash
# scenario" (about 10^10 guesses); `password1234` scores 1.
MIN_SCORE = 3
# zxcvbn's time grows with the length; what is past this is not scored (it only adds).
_SCORED_LENGTH = 100
_CONTEXT = ["lupiae", "lecce", "bergamo", "comune", "admin", "staff", "curator", "password"]

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, 64 MiB, t=3).
_hasher = PasswordHasher()


class WeakPassword(Unprocessable):
    slug = "weak-password"


def check_strength(password: str, *, email: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must be at most {MAX_PASSWORD_LENGTH} characters long")
    if password.casefold() == email.casefold() or len(set(password)) < 5:
        raise WeakPassword("the password is too easy to guess")
    words = [part for part in email.replace("@", ".").split(".") if part]
    verdict = zxcvbn(password[:_SCORED_LENGTH], user_inputs=[email, *words, *_CONTEXT])
    if verdict["score"] < MIN_SCORE:
        raise WeakPassword(
            "the password is too easy to guess: common passwords, names, dates and keyboard "
            "patterns are refused; try a few unrelated words"
        )


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown account) spend the same time and say no."""
    target = password_hash or _dummy_hash()
    try:
        await asyncio.to_thread(_hasher.verify, target, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password; it only burns the same time")
