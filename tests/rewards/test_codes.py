from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rewards.codes import (
    ALPHABET,
    LENGTH,
    InvalidCode,
    check_character,
    display,
    is_valid,
    new_code,
    normalize,
)


def _typos(code: str) -> list[str]:
    """Every single-character substitution and every adjacent swap of `code`."""
    variants = [
        code[:i] + other + code[i + 1 :]
        for i, char in enumerate(code)
        for other in ALPHABET
        if other != char
    ]
    variants += [
        code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        for i in range(len(code) - 1)
        if code[i] != code[i + 1]
    ]
    return variants


def test_every_typo_and_adjacent_swap_of_10000_codes_is_rejected() -> None:
    rng = random.Random(20261122)
    checked = 0
    for _ in range(10_000):
        data = "".join(rng.choice(ALPHABET) for _ in range(LENGTH - 1))
        code = data + check_character(data)
        assert is_valid(code)
        for variant in _typos(code):
            assert not is_valid(variant), (code, variant)
            checked += 1
    assert checked > 10_000 * (LENGTH * (len(ALPHABET) - 1))


@given(st.text(alphabet=ALPHABET, min_size=LENGTH - 1, max_size=LENGTH - 1))
def test_any_data_gets_a_check_character_that_validates(data: str) -> None:
    code = data + check_character(data)
    assert is_valid(code)
    assert not any(is_valid(variant) for variant in _typos(code))


def test_the_alphabet_has_no_look_alikes() -> None:
    assert not set("01IOL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_new_codes_are_valid_and_distinct() -> None:
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(is_valid(code) for code in codes)


def test_normalize_accepts_what_people_type() -> None:
    code = new_code()
    assert normalize(display(code).lower()) == code
    assert normalize(" ".join(code)) == code
    assert display(code).count("-") == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [("ABC", "9 characters"), ("K7QM-4XPR-0", "never contains 0"), ("", "9 characters")],
)
def test_normalize_explains_bad_input(text: str, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        normalize(text)


def test_normalize_rejects_a_typo() -> None:
    code = new_code()
    typo = code[:3] + ("2" if code[3] != "2" else "3") + code[4:]
    with pytest.raises(InvalidCode, match="check character"):
        normalize(typo)
