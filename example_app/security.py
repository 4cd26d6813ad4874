"""A small CSRF check (a per-session token in every form) and safe redirect targets.

Every form renders ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``; every
POST to the app's blueprints must send it back, or the request ends with 400 before any view runs.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import abort, request, session

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SESSION_KEY = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token() -> str:
    """The session's token, made on first use (a Jinja global: ``{{ csrf_token() }}``)."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def rotate_csrf_token() -> None:
    """A new token after logging in or out, so a token seen before cannot be replayed after."""
    session.pop(_SESSION_KEY, None)


def check_csrf() -> None:
    """``before_request`` for the app's blueprints: 400 unless the POST carries the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = session.get(_SESSION_KEY)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        abort(
            400,
            description="The form was missing its security token or it had expired. Please go back, reload "
            "the page and try again.",
        )


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host: no open redirects), else ``None``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
