"""CSRF protection for guildkit's own HTML forms (the JSON API needs none: it only takes JSON bodies).

A random token is kept in the host's Flask session (so the host must set ``SECRET_KEY``), every
guildkit form carries it in a hidden ``csrf_token`` field, and every guildkit POST page calls
:func:`check` before changing anything. Nothing here touches the host's own forms or views.
"""

from __future__ import annotations

import hmac
import secrets

from flask import current_app, request, session

from guildkit.definitions import Text
from guildkit.i18n import lazy_gettext

FIELD = "csrf_token"
_SESSION_KEY = "_guildkit_csrf"

NO_SECRET_KEY = lazy_gettext(
    "This site has not set a SECRET_KEY, so guildkit cannot protect its forms. "
    "The site's administrator must set Flask's SECRET_KEY."
)
MISMATCH = lazy_gettext(
    "The form was missing its security token, or the token has expired. Go back, reload the page and try again."
)


class CsrfError(Exception):
    """A POST that must not go through: ``status`` and a message for the person who sent it."""

    def __init__(self, status: int, message: Text):
        super().__init__(message)
        self.status = status
        self.message = message


def available() -> bool:
    """Whether forms can be protected (the host has a secret key for its session)."""
    return bool(current_app.secret_key)


def token() -> str | None:
    """The session's token (made on first use), or ``None`` when the host has no ``SECRET_KEY``."""
    if not available():
        return None
    value = session.get(_SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = value
    return value


def check() -> None:
    """Raise :class:`CsrfError` unless this request carries the session's token."""
    if not available():
        raise CsrfError(400, NO_SECRET_KEY)
    expected = session.get(_SESSION_KEY)
    given = request.form.get(FIELD)
    if not isinstance(expected, str) or not expected or not given:
        raise CsrfError(400, MISMATCH)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfError(400, MISMATCH)
