"""Cursor pagination: every list answers ``{"items": [...], "next_cursor": "..." | null}``.

A cursor is the sort key of the last item, base64-encoded JSON: stable under inserts (no
skipped or repeated rows, unlike offsets) and opaque to clients.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from guildkit.i18n import gettext as _
from guildkit.web.errors import ApiError

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != arity:
        raise ApiError(
            400, _("cursor is not one this API gave out"), code="invalid_cursor", errors={"cursor": ["invalid"]}
        )
    return key


def decode_cursor_as(cursor: str | None, arity: int, convert: Callable[[list[Any]], T]) -> T | None:
    """A cursor decoded and turned into the query's key by ``convert``; one it cannot turn is a 400."""
    key = decode_cursor(cursor, arity)
    if key is None:
        return None
    try:
        return convert(key)
    except (TypeError, ValueError):
        raise ApiError(
            400, _("cursor is not one this API gave out"), code="invalid_cursor", errors={"cursor": ["invalid"]}
        ) from None


def page_of(rows: list[T], limit: int, key: Any) -> Page[T]:
    """Turn ``limit + 1`` fetched rows into a page; ``key(row)`` gives the cursor's sort key."""
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, encode_cursor(key(rows[-1])))
    return Page(rows, None)
