"""Badge images as pages show them: a badge's uploaded image (``guildkit_badge_image``), or one
drawn here (a shield per badge and tier); served with a Content-Security-Policy
that forbids scripts (``default-src 'none'; style-src 'unsafe-inline'; sandbox``) and
``nosniff``, so even an SVG that slipped past an upload check cannot run a script.
"""

from __future__ import annotations

from html import escape

from flask import Response

from guildkit.web.avatars import hue, initials

#: The headers every badge image is served with.
IMAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
SVG = "image/svg+xml"
#: Rim colour and star count per tier: the tier reads from the rim and the stars, not colour alone.
TIER_RIMS = {"bronze": ("#8c5a2b", 1), "silver": ("#5f6b76", 2), "gold": ("#b8860b", 3)}
_SHIELD = "M32 3 L57 11 V30 C57 46 46 56 32 61 C18 56 7 46 7 30 V11 Z"
_STAR = "M0 -3.2 L0.95 -1 L3.1 -1 L1.4 0.4 L2 2.6 L0 1.3 L-2 2.6 L-1.4 0.4 L-3.1 -1 L-0.95 -1 Z"


def generated_svg(name: str, tier: str, key: str | None = None) -> bytes:
    """A shield for one badge and tier: the rim and the stars (one to three) say the tier, the
    field's colour is the badge's own (from ``key``, its slug), with its initials; labelled
    with the name. White initials on a field dark enough for 4.5:1 contrast."""
    rim, stars = TIER_RIMS.get(tier, TIER_RIMS["bronze"])
    field = f"hsl({hue(key or name)}, 50%, 30%)"
    label = escape(name, quote=True)
    text = escape(initials(name))
    marks = "".join(
        f'<path transform="translate({32 + 8 * (n - (stars - 1) / 2):g} 49)" d="{_STAR}" fill="#ffffff"/>'
        for n in range(stars)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" '
        f'role="img" aria-label="{label}"><title>{label}</title>'
        f'<path d="{_SHIELD}" fill="{rim}"/>'
        f'<path d="{_SHIELD}" transform="translate(32 32) scale(0.84) translate(-32 -32)" fill="{field}"/>'
        f'<text x="32" y="37" text-anchor="middle" font-family="sans-serif" font-size="19" '
        f'font-weight="700" fill="#ffffff">{text}</text>{marks}</svg>'
    ).encode()


def image_response(data: bytes, kind: str) -> Response:
    response = Response(data, mimetype=kind)
    response.headers.update(IMAGE_HEADERS)
    return response
