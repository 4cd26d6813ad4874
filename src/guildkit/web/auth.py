"""Who is calling, and what they may do.

Two kinds of callers reach guildkit's blueprint:

* a **person**, known through the host's identity (``@gk.current_user_loader`` or Flask-Login),
  acting through the pages or the JSON API with their session; their permissions come from the
  roles they hold (``moderator``, ``admin`` and any the host defines);
* a **server**, with an API token (``Authorization: Bearer gk_...``) created by
  ``flask guildkit token create``; its permissions are the token's scopes.

A request with an ``Authorization`` header is a token request: a header that is empty, of another
scheme or with an unknown token is ``401``, whatever cookie came with it.

Permissions are plain strings (``gk.permissions()`` lists them). ``admin`` implies every other one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from guildkit import queries
from guildkit.extension import GuildKit
from guildkit.models import Member
from guildkit.tokens import TOKEN_PREFIX, TokenView
from guildkit.web.errors import ApiError


@dataclass(frozen=True)
class Caller:
    user_id: str | None = None
    member: Member | None = None
    token: TokenView | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_person(self) -> bool:
        return self.user_id is not None

    def can(self, permission: str) -> bool:
        return "admin" in self.permissions or permission in self.permissions

    def is_self(self, user_id: str) -> bool:
        return self.user_id is not None and self.user_id == user_id

    @property
    def active(self) -> bool:
        """A person whose membership is not suspended, banned or deleted."""
        return self.member is None or self.member.status == "active"


def _token_caller(gk: GuildKit, header: str) -> Caller:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise ApiError(401, "use 'Authorization: Bearer <guildkit API token>'", code="invalid_token")
    found = gk.tokens.authenticate(token)
    if found is None:
        raise ApiError(401, "this API token is unknown or revoked", code="invalid_token")
    return Caller(token=found, permissions=frozenset(found.scopes))


def _person_caller(gk: GuildKit) -> Caller:
    user_id = gk.current_user_id()
    if user_id is None:
        return Caller()
    member = queries.find_member(gk.session, user_id)
    return Caller(user_id=user_id, member=member, permissions=queries.held_permissions(gk.session, gk.registry, member))


def current_caller(gk: GuildKit) -> Caller:
    """The caller of this request, worked out once per request.

    Kept in the request's environ, not on ``flask.g``: ``g`` belongs to the app context, which a
    host (or a test) may keep open across several requests.
    """
    environ = request.environ
    if "guildkit.caller" not in environ:
        # Any Authorization header, even an empty one, is a credential to check: one that fails is a
        # 401, never a fall back to the session cookie the browser sent along with it.
        header = request.headers.get("Authorization")
        environ["guildkit.caller"] = _token_caller(gk, header) if header is not None else _person_caller(gk)
    caller: Caller = environ["guildkit.caller"]
    return caller
