"""The admin console's service, ``gk.admin`` (docs/admin.md): what the admin pages and the admin
API call.

* **Badges**: every badge with its origin; badges made here (``guildkit_console_badges``) can
  be edited, archived and given an image; code- and file-defined ones are read-only.
* **Manual awards and revocations** of points, badges and roles, with a required reason: the
  ``guildkit.award`` / ``guildkit.revoke`` activities, so they land in the ledger with it.
* **Roles** made here, with permissions from the known list; granting and revoking them.
* **Rules, plugins, hook failures**: what is running, where each piece came from.
* **API tokens**: created (the token is shown once; only its hash is stored), listed, revoked.
* **The audit log**: every change above writes one row in its own transaction.

Changing methods take ``by``, the admin's host user id (checked: ``admin`` permission), or
``None`` for host code or an API token, which then names itself in ``via`` for the audit log.
A change to console badges or roles is checked by a trial registry build before it commits,
bumps the definitions version (:mod:`.versions`) and rebuilds this process's registry at once.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit import queries
from guildkit.admin import audit as audit_log
from guildkit.admin import console
from guildkit.admin.badges import BADGE_FIELDS, badge_values, role_values
from guildkit.admin.images import check_image, generated_svg
from guildkit.admin.versions import bump_version
from guildkit.builtin.manual import AWARD, REVOKE, award_payload, revoke_payload
from guildkit.definitions import check_text
from guildkit.errors import (
    DuplicateDefinition,
    GuildKitError,
    NotAllowed,
    UnknownBadge,
    UnknownRole,
    UnknownToken,
    ValidationError,
)
from guildkit.models import ApiToken, Badge, BadgeAward, HookFailure, table_of
from guildkit.plugins import describe_plugins
from guildkit.registry import Registry
from guildkit.store import upsert

if TYPE_CHECKING:
    from guildkit.activity import ActivityResult
    from guildkit.extension import GuildKit
    from guildkit.rules.base import Rule
    from guildkit.transaction import Transaction

__all__ = ["Admin", "BadgeView", "FailureView", "PluginView", "RoleView", "RuleView", "TokenView", "origin_of"]

BADGES = console.BADGES
ROLES = console.ROLES
TOKENS = table_of(ApiToken)
SYNCED_BADGES = table_of(Badge)


@dataclass(frozen=True)
class BadgeView:
    slug: str
    name: str
    description: str
    category: str
    tiers: list[str]
    origin: str
    #: ``database`` (made in the console: editable), ``file``, ``code``, ``built-in`` or ``plugin``.
    origin_kind: str
    editable: bool
    archived: bool
    secret: bool
    repeatable: bool
    #: How each rule awarding it reads (``describe()``).
    criteria: list[str]
    criterion: str | None = None
    activity_type: str | None = None
    subject_role: str | None = None
    point_type: str | None = None
    thresholds: list[int] | None = None
    #: The uploaded image's type, or ``None`` (a generated SVG is shown).
    image_type: str | None = None


@dataclass(frozen=True)
class RoleView:
    slug: str
    name: str
    description: str
    permissions: list[str]
    origin: str
    origin_kind: str
    editable: bool


@dataclass(frozen=True)
class RuleView:
    name: str
    kind: str
    origin: str
    origin_kind: str
    triggers: list[str]
    description: str


@dataclass(frozen=True)
class PluginView:
    name: str
    package: str | None
    version: str | None
    hooks: list[str]


@dataclass(frozen=True)
class FailureView:
    id: int
    plugin: str
    hook: str
    error: str
    activity_key: str | None
    at: datetime


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def origin_of(plugin: str) -> tuple[str, str]:
    """``(kind, label)`` for the plugin name that contributed a definition."""
    if plugin == console.NAME:
        return "database", "admin console"
    if plugin.startswith("guildkit.rules_file:"):
        return "file", plugin.removeprefix("guildkit.rules_file:")
    if plugin.startswith("guildkit.define:"):
        return "code", "gk.define()"
    if plugin.startswith("guildkit."):
        return "built-in", plugin
    return "plugin", plugin


class Admin:
    """The admin console for one :class:`~guildkit.GuildKit`."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def _admin(self, by: str | int | None, via: str | None) -> str | None:
        """The actor to write in the audit log; :class:`NotAllowed` unless ``by`` is an admin."""
        if by is None:
            return via
        if not self.gk.has_permission(by, "admin"):
            raise NotAllowed(f"only admins may do this, and {str(by)!r} is not one", user_id=str(by))
        return str(by)

    # -- badges ----------------------------------------------------------------------------

    def _console_rows(self) -> dict[str, Any]:
        return {row.slug: row for row in self.gk.session.execute(sa.select(BADGES))}

    def badges(self) -> list[BadgeView]:
        """Every badge in the registry, by name, with its origin (archived console badges too)."""
        rows = self._console_rows()
        registry = self.gk.registry
        views = [self._badge_view(registry, slug, rows.get(slug)) for slug in registry.badges]
        return sorted(views, key=lambda b: (b.name.lower(), b.slug))

    def badge(self, slug: str) -> BadgeView:
        registry = self.gk.registry
        if slug not in registry.badges:
            raise UnknownBadge(slug)
        row = self.gk.session.execute(sa.select(BADGES).where(BADGES.c.slug == slug)).first()
        return self._badge_view(registry, slug, row)

    def _badge_view(self, registry: Registry, slug: str, row: Any) -> BadgeView:
        definition = registry.badges[slug]
        kind, label = origin_of(registry.origin[("badge", slug)])
        criteria = [describe(rule) for rule in registry.rules_awarding(slug)]
        common: dict[str, Any] = {
            "slug": slug,
            "name": definition.name,
            "description": definition.description,
            "category": definition.category,
            "tiers": [level.tier for level in definition.levels],
            "origin": label,
            "origin_kind": kind,
            "secret": definition.secret,
            "repeatable": definition.repeatable,
            "criteria": criteria,
        }
        if kind != "database" or row is None:
            return BadgeView(**common, editable=False, archived=False)
        return BadgeView(
            **common,
            editable=True,
            archived=bool(row.archived),
            criterion=row.criterion,
            activity_type=row.activity_type,
            subject_role=row.subject_role,
            point_type=row.point_type,
            thresholds=list(row.thresholds or []),
            image_type=row.image_type,
        )

    def _editable_badge(self, slug: str) -> None:
        registry = self.gk.registry
        if slug not in registry.badges:
            raise UnknownBadge(slug)
        kind, label = origin_of(registry.origin[("badge", slug)])
        if kind != "database":
            raise NotAllowed(f"badge {slug!r} is defined by {label} and is read-only here", slug=slug)

    def create_badge(self, by: str | int | None, data: Mapping[str, Any], *, via: str | None = None) -> BadgeView:
        """A new console badge; ``data`` has ``slug``, ``name`` and the fields of :data:`BADGE_FIELDS`."""
        actor = self._admin(by, via)
        row = badge_values(data)
        slug = row["slug"]
        registry = self.gk.registry
        if slug in registry.badges:
            label = origin_of(registry.origin[("badge", slug)])[1]
            raise ValidationError(f"a badge {slug!r} already exists ({label})", field="slug")

        def write(tx: Transaction) -> None:
            insert = upsert(tx.dialect, BADGES, ("slug",), (), ("slug",))
            made = tx.conn.execute(insert.values(**row, created_at=tx.now, updated_at=tx.now)).first()
            if made is None:
                raise ValidationError(f"a badge {slug!r} already exists", field="slug")
            self._definitions_changed(tx)
            audit_log.write(tx, actor, "badge.create", f"badge:{slug}", "", _jsonable(row))

        self.gk.transaction(write)
        self.gk.reload_definitions()
        return self.badge(slug)

    def update_badge(
        self, by: str | int | None, slug: str, changes: Mapping[str, Any], *, via: str | None = None
    ) -> BadgeView:
        """Change some fields of a console badge (the slug stays); the rest keep their values."""
        actor = self._admin(by, via)
        self._editable_badge(slug)

        def write(tx: Transaction) -> None:
            current = self._lock_badge(tx, slug)
            before = {name: current[name] for name in BADGE_FIELDS}
            row = badge_values({**before, **changes}, slug=slug)
            tx.conn.execute(BADGES.update().where(BADGES.c.slug == slug).values(**row, updated_at=tx.now))
            self._definitions_changed(tx)
            changed = {k: {"from": before[k], "to": v} for k, v in row.items() if before[k] != v}
            audit_log.write(tx, actor, "badge.update", f"badge:{slug}", "", _jsonable(changed))

        self.gk.transaction(write)
        self.gk.reload_definitions()
        return self.badge(slug)

    def archive_badge(
        self, by: str | int | None, slug: str, *, archived: bool = True, reason: str = "", via: str | None = None
    ) -> BadgeView:
        """Archive (or bring back) a console badge: archived, it awards nothing new; awards stay."""
        actor = self._admin(by, via)
        check_text(reason, "reason", max_length=2000, empty=True)
        self._editable_badge(slug)

        def write(tx: Transaction) -> None:
            self._lock_badge(tx, slug)
            tx.conn.execute(BADGES.update().where(BADGES.c.slug == slug).values(archived=archived, updated_at=tx.now))
            tx.conn.execute(SYNCED_BADGES.update().where(SYNCED_BADGES.c.slug == slug).values(archived=archived))
            self._definitions_changed(tx)
            action = "badge.archive" if archived else "badge.unarchive"
            audit_log.write(tx, actor, action, f"badge:{slug}", reason, {})

        self.gk.transaction(write)
        self.gk.reload_definitions()
        return self.badge(slug)

    def set_badge_image(
        self, by: str | int | None, slug: str, data: bytes | None, *, via: str | None = None
    ) -> BadgeView:
        """Store an uploaded image for a console badge (checked, see :mod:`.images`); ``None`` removes it."""
        actor = self._admin(by, via)
        self._editable_badge(slug)
        kind = None if data is None else check_image(data, current_app.config["GUILDKIT_BADGE_IMAGE_MAX_BYTES"])

        def write(tx: Transaction) -> None:
            self._lock_badge(tx, slug)
            tx.conn.execute(
                BADGES.update().where(BADGES.c.slug == slug).values(image_data=data, image_type=kind, updated_at=tx.now)
            )
            details = {"removed": True} if data is None else {"type": kind, "bytes": len(data)}
            audit_log.write(tx, actor, "badge.image", f"badge:{slug}", "", details)

        self.gk.transaction(write)
        return self.badge(slug)

    def badge_image(self, slug: str, *, preview: bool = False) -> tuple[bytes, str]:
        """The image to show for a badge: its upload, or a generated SVG. Secret badges nobody
        holds yet raise :class:`UnknownBadge`, as everywhere else, unless ``preview`` (admins)."""
        registry = self.gk.registry
        definition = registry.badges.get(slug)
        hidden = definition is not None and definition.secret and not preview
        if definition is None or (hidden and not queries.badge_holder_counts(self.gk.session).get(slug)):
            raise UnknownBadge(slug)
        row = self.gk.session.execute(
            sa.select(BADGES.c.image_data, BADGES.c.image_type).where(BADGES.c.slug == slug)
        ).first()
        if row is not None and row.image_data is not None and row.image_type:
            return bytes(row.image_data), str(row.image_type)
        return generated_svg(definition.name, definition.levels[-1].tier), "image/svg+xml"

    def _lock_badge(self, tx: Transaction, slug: str) -> Any:
        query = sa.select(BADGES).where(BADGES.c.slug == slug)
        if tx.dialect == "postgresql":
            query = query.with_for_update()
        row = tx.conn.execute(query).mappings().first()
        if row is None:
            raise UnknownBadge(slug)
        return row

    def _definitions_changed(self, tx: Transaction) -> None:
        """Refuse a change the registry could not be built with; else bump the version."""
        snapshot = console.load_snapshot(tx.conn)
        try:
            with console.preview(snapshot):
                Registry.build(self.gk.pm, self.gk)
        except ValidationError:
            raise
        except DuplicateDefinition as exc:
            raise ValidationError(exc.message, field="slug") from exc
        except GuildKitError as exc:
            text = exc.message
            field = "point_type" if "point type" in text else "thresholds" if "threshold" in text else "criterion"
            raise ValidationError(text, field=field) from exc
        bump_version(tx.conn)

    # -- manual awards and revocations -----------------------------------------------------

    def award(
        self,
        by: str | int | None,
        user_id: str | int,
        *,
        reason: str,
        points: int | None = None,
        point_type: str | None = None,
        badge: str | None = None,
        level: int = 1,
        role: str | None = None,
        via: str | None = None,
    ) -> ActivityResult:
        """Award points (negative: take some away), a badge level and/or a role to a member, with a
        reason; a ``guildkit.award`` activity, so the ledger rows carry the reason."""
        actor = self._admin(by, via)
        user = str(user_id)
        self.gk.member(user)
        payload = award_payload(self.gk.registry, reason, points, point_type, badge, level, role)
        if badge is not None and self._archived(badge):
            raise ValidationError(f"badge {badge!r} is archived: it cannot be awarded", field="badge")
        only_role = role is not None and points is None and badge is None
        return self._manual(AWARD, "role.grant" if only_role else "award", by, actor, user, payload)

    def revoke(
        self,
        by: str | int | None,
        user_id: str | int,
        *,
        reason: str,
        badge: str | None = None,
        level: int | None = None,
        role: str | None = None,
        via: str | None = None,
    ) -> ActivityResult:
        """Take a badge (one level, or all) and/or a role the member holds away, with a reason."""
        actor = self._admin(by, via)
        user = str(user_id)
        member = self.gk.member(user)
        registry = self.gk.registry
        payload = revoke_payload(registry, reason, badge, level, role)
        if badge is not None:
            if level is not None and not (isinstance(level, int) and 1 <= level <= len(registry.badges[badge].levels)):
                raise ValidationError(f"badge {badge!r} has no level {level!r}", field="level")
            held = self.gk.session.scalar(
                sa.select(sa.func.count())
                .select_from(BadgeAward)
                .where(
                    BadgeAward.member_id == member.id, BadgeAward.badge_slug == badge, BadgeAward.revoked_at.is_(None)
                )
                .where(sa.true() if level is None else BadgeAward.level == level)
            )
            if not held:
                raise ValidationError(f"{user!r} does not hold badge {badge!r}", field="badge")
        if role is not None and role not in queries.role_slugs(self.gk.session, member.id):
            raise ValidationError(f"{user!r} does not hold role {role!r}", field="role")
        return self._manual(REVOKE, "role.revoke" if badge is None else "revoke", by, actor, user, payload)

    def _manual(
        self, type: str, action: str, by: str | int | None, actor: str | None, user: str, payload: dict[str, Any]
    ) -> ActivityResult:
        key = f"{type}:{uuid.uuid4()}"
        who = None if by is None else str(by)

        def write(tx: Transaction) -> ActivityResult:
            result = tx.record(type, key=key, actor=who, target=user, payload=payload)
            details = {k: v for k, v in payload.items() if k != "reason" and v is not None}
            audit_log.write(tx, actor, action, f"member:{user}", payload["reason"], {**details, "activity_key": key})
            return result

        return self.gk.transaction(write)

    def _archived(self, slug: str) -> bool:
        return bool(self.gk.session.scalar(sa.select(BADGES.c.archived).where(BADGES.c.slug == slug)))

    # -- roles -----------------------------------------------------------------------------

    def permissions(self) -> dict[str, str]:
        """The permissions a console role may carry: the blueprint's, and any a plugin's role uses."""
        from guildkit.web.auth import PERMISSIONS

        known = dict(PERMISSIONS)
        for role in self.gk.registry.roles.values():
            for permission in role.permissions:
                known.setdefault(permission, f"used by the {role.slug} role")
        return known

    def roles(self) -> list[RoleView]:
        registry = self.gk.registry
        views = []
        for slug, role in sorted(registry.roles.items()):
            kind, label = origin_of(registry.origin[("role", slug)])
            views.append(
                RoleView(slug, role.name, role.description, list(role.permissions), label, kind, kind == "database")
            )
        return views

    def role(self, slug: str) -> RoleView:
        for view in self.roles():
            if view.slug == slug:
                return view
        raise UnknownRole(slug)

    def create_role(self, by: str | int | None, data: Mapping[str, Any], *, via: str | None = None) -> RoleView:
        """A new console role: ``slug``, ``name``, ``description`` and ``permissions``."""
        actor = self._admin(by, via)
        row = role_values(data, self.permissions())
        slug = row["slug"]
        registry = self.gk.registry
        if slug in registry.roles:
            label = origin_of(registry.origin[("role", slug)])[1]
            raise ValidationError(f"a role {slug!r} already exists ({label})", field="slug")

        def write(tx: Transaction) -> None:
            insert = upsert(tx.dialect, ROLES, ("slug",), (), ("slug",))
            if tx.conn.execute(insert.values(**row, created_at=tx.now, updated_at=tx.now)).first() is None:
                raise ValidationError(f"a role {slug!r} already exists", field="slug")
            self._definitions_changed(tx)
            audit_log.write(tx, actor, "role.create", f"role:{slug}", "", _jsonable(row))

        self.gk.transaction(write)
        self.gk.reload_definitions()
        return self.role(slug)

    def update_role(
        self, by: str | int | None, slug: str, changes: Mapping[str, Any], *, via: str | None = None
    ) -> RoleView:
        """Change a console role's name, description or permissions (code-defined roles are read-only)."""
        actor = self._admin(by, via)
        view = self.role(slug)
        if not view.editable:
            raise NotAllowed(f"role {slug!r} is defined by {view.origin} and is read-only here", slug=slug)
        before = {"name": view.name, "description": view.description, "permissions": view.permissions}
        row = role_values({**before, **changes}, self.permissions(), slug=slug)

        def write(tx: Transaction) -> None:
            tx.conn.execute(ROLES.update().where(ROLES.c.slug == slug).values(**row, updated_at=tx.now))
            self._definitions_changed(tx)
            changed = {k: {"from": before[k], "to": v} for k, v in row.items() if before[k] != v}
            audit_log.write(tx, actor, "role.update", f"role:{slug}", "", _jsonable(changed))

        self.gk.transaction(write)
        self.gk.reload_definitions()
        return self.role(slug)

    # -- rules, plugins, failures ----------------------------------------------------------

    def rules(self) -> list[RuleView]:
        """The active rule set: every rule (and level scale) with its origin and what it awards."""
        registry = self.gk.registry
        views = []
        for name, rule in registry.rules.items():
            kind, label = origin_of(registry.origin[("rule", name)])
            views.append(RuleView(name, type(rule).__name__, label, kind, sorted(rule.triggers), describe(rule)))
        for point_type, levels in registry.levels.items():
            kind, label = origin_of(registry.origin[("levels for", point_type)])
            steps = ", ".join(str(t) for t in levels.thresholds)
            text = f"levels of {point_type} points at {steps}"
            views.append(RuleView(f"levels:{point_type}", "Levels", label, kind, [f"points:{point_type}"], text))
        return sorted(views, key=lambda r: (r.origin_kind, r.origin, r.name))

    def plugins(self) -> list[PluginView]:
        """Registered plugins and the hooks each implements."""
        return [PluginView(p["name"], p["package"], p["version"], p["hooks"]) for p in describe_plugins(self.gk.pm)]

    def hook_failures(self, *, plugin: str | None = None, limit: int = 50) -> list[FailureView]:
        """The most recent hook failures, newest first (of one ``plugin``, if given)."""
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 500:
            raise ValidationError("limit must be an integer from 1 to 500", field="limit")
        query = sa.select(HookFailure).order_by(HookFailure.id.desc()).limit(limit)
        if plugin:
            query = query.where(HookFailure.plugin == plugin)
        return [
            FailureView(f.id, f.plugin, f.hook, f.error, f.activity_key, f.created_at)
            for f in self.gk.session.scalars(query)
        ]

    # -- API tokens ------------------------------------------------------------------------

    def tokens(self) -> list[TokenView]:
        """Every token, newest first (revoked ones too, marked)."""
        rows = self.gk.session.execute(sa.select(TOKENS).order_by(TOKENS.c.id.desc()))
        return [_token_view(r) for r in rows]

    def create_token(
        self, by: str | int | None, name: str, scopes: list[str], *, via: str | None = None
    ) -> tuple[str, TokenView]:
        """A new token: returned in clear this once; only its SHA-256 is stored."""
        from guildkit.web.auth import PERMISSIONS, TOKEN_PREFIX, hash_token

        actor = self._admin(by, via)
        name = check_text(name, "name", max_length=100).strip()
        if not isinstance(scopes, list | tuple) or not scopes or not all(isinstance(s, str) for s in scopes):
            raise ValidationError("choose at least one scope", field="scopes")
        unknown = sorted(set(scopes) - set(PERMISSIONS))
        if unknown:
            raise ValidationError(f"unknown scope {unknown[0]!r}", field="scopes")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        values = {
            "name": name,
            "prefix": token[:10],
            "token_hash": hash_token(token),
            "scopes": sorted(set(scopes)),
            "created_by": actor,
        }

        def write(tx: Transaction) -> int:
            token_id = int(
                tx.conn.execute(
                    sa.insert(TOKENS).values(**values, created_at=tx.now).returning(TOKENS.c.id)
                ).scalar_one()
            )
            details = {"name": name, "prefix": values["prefix"], "scopes": values["scopes"]}
            audit_log.write(tx, actor, "token.create", f"token:{token_id}", "", details)
            return token_id

        token_id = self.gk.transaction(write)
        return token, self.token(token_id)

    def token(self, token_id: int) -> TokenView:
        row = self.gk.session.execute(sa.select(TOKENS).where(TOKENS.c.id == token_id)).first()
        if row is None:
            raise UnknownToken(token_id)
        return _token_view(row)

    def revoke_token(
        self, by: str | int | None, token_id: int, *, reason: str = "", via: str | None = None
    ) -> TokenView:
        """Revoke a token at once (revoking one already revoked changes nothing)."""
        actor = self._admin(by, via)
        check_text(reason, "reason", max_length=2000, empty=True)

        def write(tx: Transaction) -> None:
            row = tx.conn.execute(
                sa.select(TOKENS.c.revoked_at, TOKENS.c.prefix).where(TOKENS.c.id == token_id)
            ).first()
            if row is None:
                raise UnknownToken(token_id)
            if row.revoked_at is None:
                tx.conn.execute(TOKENS.update().where(TOKENS.c.id == token_id).values(revoked_at=tx.now))
                audit_log.write(tx, actor, "token.revoke", f"token:{token_id}", reason, {"prefix": row.prefix})

        self.gk.transaction(write)
        self.gk.session.expire_all()  # the read session may hold the token row from before
        return self.token(token_id)

    # -- the audit log ---------------------------------------------------------------------

    def audit(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> list[audit_log.AuditEntry]:
        """Admin actions, newest first, filtered (see :func:`.audit.read`)."""
        return audit_log.read(
            self.gk.session, actor=actor, action=action, since=since, until=until, before=before, limit=limit
        )


def describe(rule: Rule) -> str:
    """What a rule awards, in its own words (``describe()`` is optional for a rule)."""
    text = getattr(rule, "describe", None)
    return str(text()) if callable(text) else rule.name


def _token_view(row: Any) -> TokenView:
    return TokenView(
        row.id,
        row.name,
        row.prefix,
        list(row.scopes or []),
        row.created_at,
        row.created_by,
        row.last_used_at,
        row.revoked_at,
    )


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Audit details are JSON: lists stay lists, everything else is already plain."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}
