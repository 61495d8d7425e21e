"""Language negotiation for curator texts (Italian and English)."""

from __future__ import annotations

SUPPORTED = ("it", "en")
DEFAULT = "it"  # the city's language when the client states no preference


def negotiate(accept_language: str | None) -> str:
    """Pick `it` or `en` from an Accept-Language header, honouring q-values.

    Any other language gets English; no header at all gets Italian.
    """
    if not accept_language or not accept_language.strip():
        return DEFAULT
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for negative_quality, _, language in sorted(ranked):
        if negative_quality < 0 and language in SUPPORTED:
            return language
    return "en"
