"""Coupon codes: short, read aloud without confusion, with a check character.

A code is 8 random characters and 1 check character from a 31-character alphabet without
look-alikes (no 0/O, 1/I/L), shown in groups as `K7QM-4XPR-W`.

The check character makes the weighted sum of all 9 characters, position i having weight
i + 1, divisible by 31. Because 31 is prime and every weight lies in 1..9:
- a single substitution at position i changes the sum by (i + 1)·(a − b), never 0 mod 31;
- swapping neighbours at i and i + 1 changes it by (i + 1)(b − a) + (i + 2)(a − b) = a − b,
  never 0 mod 31 when a ≠ b.
So every single typo and every adjacent swap is caught (tests/rewards/test_codes.py).
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, a prime: the proof above needs it
DATA_LENGTH = 8
LENGTH = DATA_LENGTH + 1
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_IGNORED = str.maketrans("", "", " -_\t")

assert BASE == 31


class InvalidCode(ValueError):
    """Not a well-formed code: wrong length, a foreign character, or a failed check."""


def new_code() -> str:
    """A fresh random code in its canonical form (9 characters, no dashes)."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return data + check_character(data)


def check_character(data: str) -> str:
    total = sum((i + 1) * _VALUE[char] for i, char in enumerate(data))
    weight = len(data) + 1
    # Solve total + weight·c ≡ 0 (mod 31) for c.
    return ALPHABET[(-total * pow(weight, -1, BASE)) % BASE]


def is_valid(code: str) -> bool:
    if len(code) != LENGTH or any(char not in _VALUE for char in code):
        return False
    return sum((i + 1) * _VALUE[char] for i, char in enumerate(code)) % BASE == 0


def squeeze(text: str) -> str:
    """Upper case, without the dashes and spaces people type; not yet checked."""
    return text.translate(_IGNORED).upper()


def normalize(text: str) -> str:
    """The canonical form of a code as typed or read: any case, dashes and spaces ignored."""
    code = squeeze(text)
    if len(code) != LENGTH:
        raise InvalidCode(f"a code has {LENGTH} characters, this one has {len(code)}")
    foreign = sorted({char for char in code if char not in _VALUE})
    if foreign:
        raise InvalidCode(f"a code never contains {', '.join(foreign)}")
    if not is_valid(code):
        raise InvalidCode("the check character does not match: a typo?")
    return code


def display(code: str) -> str:
    """`K7QM4XPRT` → `K7QM-4XPR-W`, grouped for reading aloud."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
