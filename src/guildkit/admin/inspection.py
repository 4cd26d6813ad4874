"""What is running, and where each piece came from: rules (and level scales), plugins, hook failures."""

from __future__ import annotations

import sqlalchemy as sa

from guildkit.admin.base import ConsoleJob
from guildkit.admin.views import FailureView, PluginView, RuleVersionView, RuleView, describe, origin_of
from guildkit.errors import ValidationError
from guildkit.i18n import gettext as _
from guildkit.models import HookFailure
from guildkit.plugins import describe_plugins
from guildkit.rules import versions


class Inspection(ConsoleJob):
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
            text = _("levels of %(point_type)s points at %(steps)s", point_type=point_type, steps=steps)
            views.append(RuleView(f"levels:{point_type}", "Levels", label, kind, [f"points:{point_type}"], text))
        return sorted(views, key=lambda r: (r.origin_kind, r.origin, r.name))

    def rule_versions(self) -> list[RuleVersionView]:
        """Every stored rule-set version, newest first, each with what it changed in words."""
        with self.gk.store.engine.connect() as conn:
            entries = versions.history(conn)
        current = versions.in_force(self.gk.registry, [row for row, _ in entries])
        views = [
            RuleVersionView(
                row.id,
                row.content_hash,
                row.first_seen_at,
                row.last_seen_at,
                row.id == current,
                [versions.describe_change(c) for c in changes],
            )
            for row, changes in entries
        ]
        return views[::-1]

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
