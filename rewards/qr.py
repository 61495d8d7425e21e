"""QR renderings of a signed payload (segno)."""

from __future__ import annotations

import base64
import io

import segno

_ERROR = "m"  # 15 % recovery: survives a scratched phone screen and stays small


def svg(payload: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error=_ERROR).save(out, kind="svg", scale=scale, xmldecl=False)
    return out.getvalue()


def png(payload: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error=_ERROR).save(out, kind="png", scale=scale)
    return out.getvalue()


def svg_data_uri(payload: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg(payload)).decode("ascii")
