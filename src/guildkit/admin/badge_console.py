"""Badges in the console: every badge with its origin; those made here (``guildkit_console_badges``)
can be made, edited, archived and given an image; code- and file-defined ones are read-only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit import queries
from guildkit.admin import console
from guildkit.admin.badges import BADGE_FIELDS, badge_values
from guildkit.admin.base import ConsoleJob, _jsonable
from guildkit.admin.images import check_image
from guildkit.admin.svg import sanitize_svg
from guildkit.admin.views import BadgeView, describe, origin_of
from guildkit.definitions import SLUG_RE
from guildkit.errors import NotAllowed, UnknownBadge, ValidationError
from guildkit.i18n import gettext as _
from guildkit.models import Badge, table_of
from guildkit.registry import Registry
from guildkit.store import upsert
from guildkit.text import check_text
from guildkit.web.badge_art import SVG, generated_svg

if TYPE_CHECKING:
    from guildkit.transaction import Transaction

BADGES = console.BADGES
SYNCED_BADGES = table_of(Badge)


def _known_slug(slug: object) -> str:
    """A slug to look up: text, and one no badge can have is simply not found (404, not 422)."""
    if not isinstance(slug, str):
        raise ValidationError(f"slug must be text, got {type(slug).__name__}", field="slug")
    if not SLUG_RE.match(slug):
        raise UnknownBadge(slug)
    return slug


class BadgeConsole(ConsoleJob):
    def _console_rows(self) -> dict[str, Any]:
        return {row.slug: row for row in self.gk.session.execute(sa.select(BADGES))}

    def badges(self) -> list[BadgeView]:
        """Every badge in the registry, by name, with its origin (archived console badges too)."""
        rows = self._console_rows()
        registry = self.gk.registry
        views = [self._badge_view(registry, slug, rows.get(slug)) for slug in registry.badges]
        return sorted(views, key=lambda b: (b.name.lower(), b.slug))

    def badge(self, slug: str) -> BadgeView:
        _known_slug(slug)
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
            "name": str(definition.name),  # a lazy translation: in the reader's language
            "description": str(definition.description),
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
            raise NotAllowed(
                _("badge %(slug)r is defined by %(origin)s and is read-only here", slug=slug, origin=label), slug=slug
            )

    def create_badge(self, by: str | int | None, data: Mapping[str, Any], *, via: str | None = None) -> BadgeView:
        """A new console badge; ``data`` has ``slug``, ``name`` and the fields of :data:`BADGE_FIELDS`."""
        actor = self._admin(by, via)
        row = badge_values(data)
        slug = row["slug"]
        registry = self.gk.registry
        if slug in registry.badges:
            label = origin_of(registry.origin[("badge", slug)])[1]
            raise ValidationError(_("a badge with this slug already exists (%(origin)s)", origin=label), field="slug")

        def write(tx: Transaction) -> None:
            insert = upsert(tx.dialect, BADGES, ("slug",), (), ("slug",))
            made = tx.conn.execute(insert.values(**row, created_at=tx.now, updated_at=tx.now)).first()
            if made is None:
                raise ValidationError(_("a badge with this slug already exists"), field="slug")
            self._definitions_changed(tx)
            self._audit(tx, actor, "badge.create", f"badge:{slug}", "", _jsonable(row))

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
            self._audit(tx, actor, "badge.update", f"badge:{slug}", "", _jsonable(changed))

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
            self._audit(tx, actor, action, f"badge:{slug}", reason, {})

        self.gk.transaction(write)
        self.gk.reload_definitions()
        return self.badge(slug)

    def set_badge_image(
        self, by: str | int | None, slug: str, data: bytes | None, *, via: str | None = None
    ) -> BadgeView:
        """Store an uploaded image for a console badge (checked, see :mod:`.images`); ``None`` removes it."""
        actor = self._admin(by, via)
        self._editable_badge(slug)
        max_bytes = current_app.config["GUILDKIT_BADGE_IMAGE_MAX_BYTES"]
        data, kind = (None, None) if data is None else check_image(data, max_bytes)  # an SVG comes back rebuilt

        def write(tx: Transaction) -> None:
            self._lock_badge(tx, slug)
            tx.conn.execute(
                BADGES.update().where(BADGES.c.slug == slug).values(image_data=data, image_type=kind, updated_at=tx.now)
            )
            details = {"removed": True} if data is None else {"type": kind, "bytes": len(data)}
            self._audit(tx, actor, "badge.image", f"badge:{slug}", "", details)

        self.gk.transaction(write)
        return self.badge(slug)

    def badge_image(self, slug: str, *, preview: bool = False) -> tuple[bytes, str]:
        """The image to show for a badge: its upload, or a generated SVG. Secret badges nobody
        holds yet raise :class:`UnknownBadge`, as everywhere else, unless ``preview`` (admins)."""
        _known_slug(slug)
        registry = self.gk.registry
        definition = registry.badges.get(slug)
        hidden = definition is not None and definition.secret and not preview
        if definition is None or (hidden and not queries.badge_holder_counts(self.gk.session).get(slug)):
            raise UnknownBadge(slug)
        return self.uploaded_image(slug) or (generated_svg(definition.name, definition.levels[-1].tier, key=slug), SVG)

    def uploaded_image(self, slug: str) -> tuple[bytes, str] | None:
        """The image uploaded for a console badge, with its type, if there is one."""
        _known_slug(slug)
        row = self.gk.session.execute(
            sa.select(BADGES.c.image_data, BADGES.c.image_type).where(BADGES.c.slug == slug)
        ).first()
        if row is None or row.image_data is None or not row.image_type:
            return None
        data, media_type = bytes(row.image_data), str(row.image_type)
        if media_type == SVG:
            # Uploads before the allowlist sanitiser (0.1) were stored as sent: rebuild them on the
            # way out too, and fall back to the generated art when one is refused outright.
            try:
                data = sanitize_svg(data)
            except ValidationError:
                return None
        return data, media_type

    def _lock_badge(self, tx: Transaction, slug: str) -> Any:
        query = sa.select(BADGES).where(BADGES.c.slug == slug)
        if tx.dialect == "postgresql":
            query = query.with_for_update()
        row = tx.conn.execute(query).mappings().first()
        if row is None:
            raise UnknownBadge(slug)
        return row
