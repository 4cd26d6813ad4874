"""Signed one-click unsubscribe links: who, and from what, in a token only this site can make.

A link works without signing in (RFC 8058: a mail provider POSTs it with no cookies), so the
token itself is the authority: ``{"m": member id, "s": scope}`` signed with Flask's
``SECRET_KEY`` by itsdangerous, under a salt of its own so no other signed value of the app
(a session cookie) can stand in for it. A scope is a kind's name, ``digest`` (every kind in the
weekly digest) or ``all`` (every email). Tokens do not expire: an old email's link keeps working,
as mail providers expect; changing ``SECRET_KEY`` retires them all. A token changed by one
character is refused (:class:`BadToken`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from guildkit.errors import ValidationError
from guildkit.notifications.hookspecs import KIND_NAME, RESERVED

SALT = "guildkit.notifications.unsubscribe"


class BadToken(ValidationError):
    """The link was changed, cut short, or signed with another key."""

    code = "bad_token"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="token")


@dataclass(frozen=True)
class Unsubscribe:
    """What a link unsubscribes: member ``member_id`` from ``scope``."""

    member_id: int
    scope: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=SALT)


def check_scope(scope: object) -> str:
    """``scope`` if a link may stop it: a kind's name, ``digest`` or ``all``."""
    if not isinstance(scope, str) or not (scope in RESERVED or KIND_NAME.match(scope)):
        raise ValidationError("scope must be a kind's name, 'digest' or 'all'", field="scope")
    return scope


def make(member_id: int, scope: str) -> str:
    """The token of a link unsubscribing ``member_id`` from ``scope``."""
    return str(_serializer().dumps({"m": member_id, "s": check_scope(scope)}))


def read(token: str) -> Unsubscribe:
    """What ``token`` says; :class:`BadToken` unless this site signed it."""
    if not isinstance(token, str) or not token.isascii():
        raise BadToken("the link is not one this site made")
    if not current_app.secret_key:
        raise BadToken("this site has no SECRET_KEY")
    try:
        found: Any = _serializer().loads(token)
    except BadSignature:
        raise BadToken("the link is not one this site made") from None
    member, scope = (found.get("m"), found.get("s")) if isinstance(found, dict) else (None, None)
    if isinstance(member, bool) or not isinstance(member, int) or not isinstance(scope, str):
        raise BadToken("the link is not one this site made")
    if scope not in RESERVED and not KIND_NAME.match(scope):  # pragma: no cover - only this site signs
        raise BadToken("the link is not one this site made")
    return Unsubscribe(member, scope)
