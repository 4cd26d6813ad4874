"""Badge image uploads, checked by their bytes (never by the name or the declared type); images
are served, and generated for badges without one, by :mod:`guildkit.web.badge_art`.

Accepted: PNG, WebP and SVG, up to ``GUILDKIT_BADGE_IMAGE_MAX_BYTES``. An SVG is parsed and
refused if it holds anything active: scripts, event-handler attributes, ``foreignObject``,
links or references outside the file, or a DOCTYPE (entity tricks). Images are served with
``Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; sandbox`` and
``nosniff`` anyway, so even an SVG that slipped through cannot run a script, and pages show them
through ``<img>``, where browsers never run SVG scripts.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from guildkit.errors import ValidationError

PNG, WEBP, SVG = "image/png", "image/webp", "image/svg+xml"

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "handler", "listener"}
_XML_PROLOGUE = re.compile(rb"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<svg[\s>]", re.S)


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are (PNG, WebP or SVG), or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if _XML_PROLOGUE.match(data.removeprefix(b"\xef\xbb\xbf")):
        return SVG
    return None


def check_image(data: bytes, max_bytes: int) -> str:
    """The content type of an acceptable upload; :class:`ValidationError` (``field="image"``) if not."""
    if not data:
        raise ValidationError("choose an image file", field="image")
    if len(data) > max_bytes:
        raise ValidationError(f"the image is larger than {max_bytes // 1024} KiB", field="image")
    kind = sniff(data)
    if kind is None:
        raise ValidationError("the image must be a PNG, WebP or SVG file", field="image")
    if kind == SVG:
        _check_svg(data)
    return kind


def _check_svg(data: bytes) -> None:
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise ValidationError("SVG images may not have a DOCTYPE", field="image")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValidationError(f"the SVG is not well-formed XML: {exc}", field="image") from None
    if root.tag not in (f"{_SVG_NS}svg", "svg"):
        raise ValidationError("the SVG's root element must be <svg>", field="image")
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _FORBIDDEN_TAGS:
            raise ValidationError(f"SVG images may not contain <{tag}>", field="image")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise ValidationError(f"SVG images may not have event handlers ({local})", field="image")
            if (name == _XLINK_HREF or local == "href") and not value.strip().startswith("#"):
                raise ValidationError("SVG images may only link inside themselves (href='#...')", field="image")
            if "url(" in value.lower() and not re.fullmatch(r"\s*url\(\s*#[^)]*\)\s*", value):
                raise ValidationError("SVG images may only refer to themselves (url(#...))", field="image")
        if (
            tag == "style"
            and element.text
            and ("@import" in element.text or re.search(r"url\(\s*[^#\s]", element.text))
        ):
            raise ValidationError("SVG styles may not import or load anything", field="image")
