"""Avatars drawn for members the host gives no picture for: their initials on a colour of their own.

Drawn inline as SVG by the ``avatar`` macro (``_macros.html``), so a page of fifty members costs
no request and no query; the colour comes from the user id, so it stays the same on every page.
"""

from __future__ import annotations

import hashlib


def initials(name: str) -> str:
    """Up to two letters: the first of the first and last words ("Ada Lovelace" → "AL")."""
    words = [w for w in name.replace("_", " ").replace(".", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def hue(user_id: object) -> int:
    """A hue (0-359) that is the member's own: a hash of their id, so it never changes."""
    return int.from_bytes(hashlib.sha256(str(user_id).encode()).digest()[:2], "big") % 360
