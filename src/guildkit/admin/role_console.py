"""Roles in the console: every role with its origin; those made here carry permissions from the
known list (:meth:`GuildKit.permissions`, and any a plugin's role uses)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from guildkit.admin import console
from guildkit.admin.badges import role_values
from guildkit.admin.base import ConsoleJob, _jsonable
from guildkit.admin.views import RoleView, origin_of
from guildkit.errors import NotAllowed, UnknownRole, ValidationError
from guildkit.i18n import gettext as _
from guildkit.store import upsert

if TYPE_CHECKING:
    from guildkit.transaction import Transaction

ROLES = console.ROLES


class RoleConsole(ConsoleJob):
    def permissions(self) -> dict[str, str]:
        """The permissions a console role may carry: the blueprint's, and any a plugin's role uses;
        what each allows in the reader's language."""
        known = {name: str(allows) for name, allows in self.gk.permissions().items()}
        for role in self.gk.registry.roles.values():
            for permission in role.permissions:
                known.setdefault(permission, _("used by the %(role)s role", role=role.slug))
        return known

    def roles(self) -> list[RoleView]:
        registry = self.gk.registry
        views = []
        for slug, role in sorted(registry.roles.items()):
            kind, label = origin_of(registry.origin[("role", slug)])
            views.append(
                RoleView(
                    slug, str(role.name), str(role.description), list(role.permissions), label, kind, kind == "database"
                )
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
            raise ValidationError(_("a role with this slug already exists (%(origin)s)", origin=label), field="slug")

        def write(tx: Transaction) -> None:
            insert = upsert(tx.dialect, ROLES, ("slug",), (), ("slug",))
            if tx.conn.execute(insert.values(**row, created_at=tx.now, updated_at=tx.now)).first() is None:
                raise ValidationError(_("a role with this slug already exists"), field="slug")
            self._definitions_changed(tx)
            self._audit(tx, actor, "role.create", f"role:{slug}", "", _jsonable(row))

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
            raise NotAllowed(
                _("role %(slug)r is defined by %(origin)s and is read-only here", slug=slug, origin=view.origin),
                slug=slug,
            )
        before = {"name": view.name, "description": view.description, "permissions": view.permissions}
        row = role_values({**before, **changes}, self.permissions(), slug=slug)

        def write(tx: Transaction) -> None:
            tx.conn.execute(ROLES.update().where(ROLES.c.slug == slug).values(**row, updated_at=tx.now))
            self._definitions_changed(tx)
            changed = {k: {"from": before[k], "to": v} for k, v in row.items() if before[k] != v}
            self._audit(tx, actor, "role.update", f"role:{slug}", "", _jsonable(changed))

        self.gk.transaction(write)
        self.gk.reload_definitions()
        return self.role(slug)
