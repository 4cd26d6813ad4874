"""Badge image uploads, checked by their bytes (never by the name or the declared type); images
are served, and generated for badges without one, by :mod:`guildkit.web.badge_art`.

Accepted: PNG, WebP and SVG, up to ``GUILDKIT_BADGE_IMAGE_MAX_BYTES``. An SVG is parsed and
rebuilt from an allowlist by :mod:`.svg`, which refuses anything active (scripts, styles,
animation, event handlers, links or references outside the file, a DOCTYPE); the rebuilt file is
what is stored. Images are served with
``Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; sandbox`` and
``nosniff`` anyway, so even an SVG that slipped through cannot run a script, and pages show them
through ``<img>``, where browsers never run SVG scripts.
"""

from __future__ import annotations

import re

from guildkit.admin.svg import sanitize_svg
from guildkit.errors import ValidationError
from guildkit.i18n import format_number
from guildkit.i18n import gettext as _
from guildkit.web.badge_art import SVG

PNG, WEBP = "image/png", "image/webp"
#: The types an upload may be, as a file input's ``accept`` lists them.
IMAGE_TYPES = (PNG, WEBP, SVG)

# What may come before the root element: processing instructions, comments and a DOCTYPE (with
# an internal subset), so that an SVG carrying them is told why it is refused, not "not an SVG".
# Possessive (*+): with plain * a run of comments backtracks exponentially ("<!--a-->" * 40).
_XML_PROLOGUE = re.compile(
    rb"\s*+(?:<\?.*?\?>\s*+|<!--.*?-->\s*+|<!DOCTYPE[^\[>]*+(?:\[.*?\])?\s*+>\s*+)*+<(?:[\w.-]+:)?svg[\s>/]", re.S
)


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are (PNG, WebP or SVG), or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if _XML_PROLOGUE.match(data.removeprefix(b"\xef\xbb\xbf")):
        return SVG
    return None


def check_image(data: bytes, max_bytes: int) -> tuple[bytes, str]:
    """The bytes to store for an acceptable upload (an SVG rebuilt, other types as they came) and
    their content type; :class:`ValidationError` (``field="image"``) if it is not acceptable."""
    if not data:
        raise ValidationError(_("choose an image file"), field="image")
    if len(data) > max_bytes:
        raise ValidationError(
            _("the image is larger than %(size)s KiB", size=format_number(max_bytes // 1024)), field="image"
        )
    kind = sniff(data)
    if kind is None:
        raise ValidationError(_("the image must be a PNG, WebP or SVG file"), field="image")
    return (sanitize_svg(data) if kind == SVG else data), kind
