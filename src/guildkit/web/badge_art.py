"""Badge images as pages show them: a badge's uploaded image (``guildkit_badge_image``), or one
drawn here, the badge's initials on its top tier's colour; served with a Content-Security-Policy
that forbids scripts (``default-src 'none'; style-src 'unsafe-inline'; sandbox``) and
``nosniff``, so even an SVG that slipped past an upload check cannot run a script.
"""

from __future__ import annotations

import re
from html import escape

from flask import Response

#: The headers every badge image is served with.
IMAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
SVG = "image/svg+xml"
#: Fill and text colours per tier (text contrast at least 4.5:1).
TIER_COLOURS = {"bronze": ("#8c5a2b", "#ffffff"), "silver": ("#5f6b76", "#ffffff"), "gold": ("#f2c230", "#1f1a00")}


def initials(name: str) -> str:
    """Up to two letters for a generated badge: the first letters of the first two words."""
    words = [w for w in re.split(r"[\s\-_.]+", name) if w]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or "?"


def generated_svg(name: str, tier: str) -> bytes:
    """A round badge with the name's initials on the tier's colour, labelled with the name."""
    fill, ink = TIER_COLOURS.get(tier, TIER_COLOURS["bronze"])
    label = escape(name, quote=True)
    text = escape(initials(name))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" '
        f'role="img" aria-label="{label}"><title>{label}</title>'
        f'<circle cx="32" cy="32" r="30" fill="{fill}" stroke="#1f2328" stroke-width="2"/>'
        f'<text x="32" y="40" text-anchor="middle" font-family="sans-serif" font-size="22" '
        f'font-weight="700" fill="{ink}">{text}</text></svg>'
    ).encode()


def image_response(data: bytes, kind: str) -> Response:
    response = Response(data, mimetype=kind)
    response.headers.update(IMAGE_HEADERS)
    return response
