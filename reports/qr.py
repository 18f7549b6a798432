"""QR codes of links, for the open-link cards and the images served beside them (segno only: cheap to import)."""

from __future__ import annotations

import io

import segno


def qr_code(url: str, kind: str) -> bytes:
    """A QR code of `url` (``svg`` or ``png``), medium error correction, with the standard four-module quiet zone."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind=kind, scale=8 if kind == "png" else 4, border=4)
    return buffer.getvalue()
