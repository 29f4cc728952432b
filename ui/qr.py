"""A QR code of a link, as a PNG (segno: pure Python, no image library needed)."""

from __future__ import annotations

import functools
import io

import segno


@functools.lru_cache(maxsize=256)
def qr_png(link: str, scale: int = 8) -> bytes:
    """The link as a QR code (error correction M: still reads with a projector's glare on part of it), black on
    white with the standard four-module quiet zone, ``scale`` pixels a module."""
    code = segno.make_qr(link, error="m")
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4, dark="#000000", light="#ffffff")
    return out.getvalue()
