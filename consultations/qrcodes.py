"""QR codes (segno) for check-in codes and certificate verification links."""

from __future__ import annotations

import io

import segno


def qr_svg(data: str, *, scale: int = 4) -> str:
    """An inline SVG (no XML declaration) for a page."""
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="svg", scale=scale, xmldecl=False, svgns=True, border=2)
    return buf.getvalue().decode()


def qr_png(data: str, *, scale: int = 6) -> bytes:
    """A PNG for e-mails and PDFs."""
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
