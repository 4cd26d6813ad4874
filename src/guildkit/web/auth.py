"""Who is calling, and what they may do.

Two kinds of callers reach guildkit's blueprint:

* a **person**, known through the host's identity (``@gk.current_user_loader`` or Flask-Login),
  acting through the pages or the JSON API with their session; their permissions come from the
  roles they hold (``moderator``, ``admin`` and any the host defines);
* a **server**, with an API token (``Authorization: Bearer gk_...``) created by
  ``flask guildkit token create``; its permissions are the token's scopes.

Permissions are plain strings. ``admin`` implies every other one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import request

from guildkit import queries
from guildkit.errors import ValidationError
from guildkit.extension import GuildKit
from guildkit.models import ApiToken, Member, utcnow
from guildkit.web.errors import ApiError

#: Every permission the blueprint checks, with what it allows.
PERMISSIONS = {
    "admin": "everything below",
    "activities.write": "report activities (ingestion, single and batch)",
    "members.read_private": "read any member's ledger, progress and notifications",
    "members.manage": "change a member's status",
    "roles.manage": "grant and revoke roles",
    "awards.manage": "award and revoke points, badges and roles by hand",
    "analytics.view": "read the community health analytics (KPIs, churn lists, survey results)",
    "surveys.manage": "open and close satisfaction surveys",
}
TOKEN_PREFIX = "gk_"


@dataclass(frozen=True)
class Caller:
    user_id: str | None = None
    member: Member | None = None
    token: ApiToken | None = None
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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(gk: GuildKit, name: str, scopes: list[str], created_by: str | None = None) -> tuple[str, ApiToken]:
    """A new token (returned once, in clear) and its stored row."""
    if not name or len(name) > 100:
        raise ValidationError("name must be 1-100 characters", field="name")
    unknown = sorted(set(scopes) - set(PERMISSIONS))
    if not scopes or unknown:
        raise ValidationError(
            f"scopes must be some of {', '.join(PERMISSIONS)}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            field="scopes",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name, prefix=token[:10], token_hash=hash_token(token), scopes=sorted(set(scopes)), created_by=created_by
    )
    session = gk.session
    session.add(row)
    session.commit()
    return token, row


def revoke_token(gk: GuildKit, token_id: int, when: datetime | None = None) -> ApiToken:
    session = gk.session
    row = session.get(ApiToken, token_id)
    if row is None:
        raise ValidationError(f"no token with id {token_id}", field="id")
    if row.revoked_at is None:
        row.revoked_at = when or utcnow()
        session.commit()
    return row


def _token_caller(gk: GuildKit, header: str) -> Caller:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise ApiError(401, "use 'Authorization: Bearer <guildkit API token>'", code="invalid_token")
    session = gk.session
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise ApiError(401, "this API token is unknown or revoked", code="invalid_token")
    row.last_used_at = gk.clock()
    session.commit()
    return Caller(token=row, permissions=frozenset(row.scopes))


def _person_caller(gk: GuildKit) -> Caller:
    user_id = gk.current_user_id()
    if user_id is None:
        return Caller()
    member = gk.session.scalar(sa.select(Member).where(Member.user_id == user_id))
    permissions: set[str] = set()
    if member is not None and member.status == "active":
        registry = gk.registry
        for role in queries.role_slugs(gk.session, member.id):
            if role in registry.roles:
                permissions.update(registry.roles[role].permissions)
    return Caller(user_id=user_id, member=member, permissions=frozenset(permissions))


def current_caller(gk: GuildKit) -> Caller:
    """The caller of this request, worked out once per request.

    Kept in the request's environ, not on ``flask.g``: ``g`` belongs to the app context, which a
    host (or a test) may keep open across several requests.
    """
    environ = request.environ
    if "guildkit.caller" not in environ:
        header = request.headers.get("Authorization")
        environ["guildkit.caller"] = _token_caller(gk, header) if header else _person_caller(gk)
    caller: Caller = environ["guildkit.caller"]
    return caller
