"""The offline verification example of docs/merchants.md works as printed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rewards.codes import ALPHABET, is_valid
from rewards.signing import QrClaims, jwks, sign, signing_key

DOC = Path(__file__).parents[2] / "docs" / "merchants.md"
FETCH = 'jwks = json.load(urllib.request.urlopen("https://lupiae.example/merchant/v1/keys"))'


def test_the_documented_offline_check() -> None:
    secret = "documentation-secret-0123456789abcdef"
    example = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert example is not None
    assert FETCH in example.group(1)
    namespace: dict[str, Any] = {"PUBLISHED": jwks(secret)}
    exec(example.group(1).replace(FETCH, "jwks = PUBLISHED"), namespace)
    check = namespace["check_offline"]
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    payload = sign(signing_key(secret), QrClaims("K7QM4XPRT", "bar", tomorrow))
    assert check(payload, "bar").startswith("authentic coupon K7QM-4XPR-T")
    assert check(payload, "other") == "authentic, but for another shop"
    assert check(payload.replace("K7QM", "K7QN"), "bar").startswith("FAKE")
    yesterday = sign(signing_key(secret), QrClaims("K7QM4XPRT", "bar", tomorrow - timedelta(2)))
    assert check(yesterday, "bar") == "authentic, but expired"


def test_every_code_in_the_docs_has_a_right_check_character() -> None:
    """A reader who copies a documented code gets a code the API accepts (not a typo error)."""
    shown = re.compile(rf"\b([{ALPHABET}]{{4}})-([{ALPHABET}]{{4}})-([{ALPHABET}])\b")
    found = {
        (path.name, "".join(match.groups()))
        for path in DOC.parent.glob("*.md")
        for match in shown.finditer(path.read_text(encoding="utf-8"))
    }
    assert ("merchants.md", "K7QM4XPRW") in found
    assert [(name, code) for name, code in sorted(found) if not is_valid(code)] == []
