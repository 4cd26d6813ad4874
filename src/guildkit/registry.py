"""The registry: every point type, badge, role, rule, level scale and activity type's words,
gathered from plugins.

Built once per app (lazily, on first use) by calling the ``guildkit_register_*`` hooks, then
checked as a whole: a rule that names an unknown point type, badge or role fails here, at
start-up, with a message naming the rule. The registry also indexes rules and metrics by trigger
so recording an activity only touches what subscribes to its type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.definitions import ActivityTypeDef, BadgeDef, PointTypeDef, RoleDef, source
from guildkit.errors import ConfigurationError, DuplicateDefinition, PluginError
from guildkit.metrics import OPENING, Count, Metric, OpeningCount, Streak
from guildkit.models import Badge, PointType, Role, table_of, utcnow
from guildkit.plugins import contributions
from guildkit.rules import versions
from guildkit.rules.base import Rule
from guildkit.rules.builtin import BadgeRule, EventBadgeRule, Levels, PointsRule, RoleRule
from guildkit.store import upsert

if TYPE_CHECKING:
    import pluggy

    from guildkit.extension import GuildKit
    from guildkit.rules.ruleset import RuleSet


@dataclass
class Registry:
    point_types: dict[str, PointTypeDef] = field(default_factory=dict)
    badges: dict[str, BadgeDef] = field(default_factory=dict)
    roles: dict[str, RoleDef] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    levels: dict[str, Levels] = field(default_factory=dict)
    #: The words for activity types, by type (:class:`~guildkit.ActivityTypeDef`).
    activity_types: dict[str, ActivityTypeDef] = field(default_factory=dict)
    #: Which plugin contributed each definition, keyed ``(kind, name)``.
    origin: dict[tuple[str, str], str] = field(default_factory=dict)
    rules_by_trigger: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    metrics_by_trigger: dict[str, tuple[Metric, ...]] = field(default_factory=dict)
    #: Counter names to prefetch for an activity type (metrics and streak bookkeeping).
    counter_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The plugins' checks of the whole (``guildkit_check_definitions``), kept for :meth:`changed`.
    checks: Callable[[Registry], None] | None = field(default=None, repr=False, compare=False)
    #: The stored rule-set version these definitions are (:mod:`guildkit.rules.versions`),
    #: known once :meth:`sync` has run.
    version: int | None = None

    @classmethod
    def build(cls, pm: pluggy.PluginManager, gk: GuildKit) -> Registry:
        registry = cls()
        kinds: list[tuple[str, str, type[Any] | tuple[type[Any], ...], dict[str, Any]]] = [
            ("point type", "guildkit_register_point_types", PointTypeDef, registry.point_types),
            ("badge", "guildkit_register_badges", BadgeDef, registry.badges),
            ("role", "guildkit_register_roles", RoleDef, registry.roles),
        ]
        for kind, hook_name, expected, target in kinds:
            for plugin, item in _collect(pm, hook_name, gk):
                if not isinstance(item, expected):
                    raise PluginError(f"{plugin} returned {item!r} from {hook_name}, not a {kind}")
                registry._add(kind, item.slug, item, plugin, target)
        for plugin, item in _collect(pm, "guildkit_register_rules", gk):
            if isinstance(item, Levels):
                registry._add("levels for", item.point_type, item, plugin, registry.levels)
            elif isinstance(item, Rule):
                registry._add("rule", item.name, item, plugin, registry.rules)
            else:
                raise PluginError(f"{plugin} returned {item!r} from guildkit_register_rules, not a rule")
        for plugin, item in _collect(pm, "guildkit_register_activity_types", gk):
            if not isinstance(item, ActivityTypeDef):
                raise PluginError(f"{plugin} returned {item!r} from guildkit_register_activity_types, not words")
            registry._add("activity type", item.type, item, plugin, registry.activity_types)
        registry.checks = lambda made: pm.hook.guildkit_check_definitions(gk=gk, registry=made)
        registry._check()
        registry._index()
        return registry

    def changed(self, changes: RuleSet | None = None, remove: Iterable[str] = ()) -> Registry:
        """A new registry: these definitions with ``changes`` replacing (or joining) those of the
        same name, and the rules, badges, roles or point types named in ``remove`` left out.
        Checked like any registry: an invalid result raises, and this one is untouched."""
        made = Registry(
            point_types=dict(self.point_types),
            badges=dict(self.badges),
            roles=dict(self.roles),
            rules=dict(self.rules),
            levels=dict(self.levels),
            activity_types=dict(self.activity_types),
            origin=dict(self.origin),
            checks=self.checks,
        )
        gone = set(remove)
        for target in (made.point_types, made.badges, made.roles, made.rules, made.levels):
            for name in gone & target.keys():
                del target[name]
        if changes is not None:
            for p in changes.point_types:
                made.point_types[p.slug], made.origin[("point type", p.slug)] = p, "proposed"
            for b in changes.badges:
                made.badges[b.slug], made.origin[("badge", b.slug)] = b, "proposed"
            for r in changes.roles:
                made.roles[r.slug], made.origin[("role", r.slug)] = r, "proposed"
            for words in changes.activity_types:
                made.activity_types[words.type] = words
            for rule in changes.rules:
                if isinstance(rule, Levels):
                    made.levels[rule.point_type] = rule
                else:
                    made.rules[rule.name] = rule
                    made.origin[("rule", rule.name)] = "proposed"
        made._check()
        made._index()
        return made

    def _add(self, kind: str, name: str, item: Any, plugin: str, target: dict[str, Any]) -> None:
        if name in target:
            raise DuplicateDefinition(kind, name, self.origin[(kind, name)], plugin)
        target[name] = item
        self.origin[(kind, name)] = plugin

    def _check(self) -> None:
        for name, rule in self.rules.items():
            if isinstance(rule, PointsRule) and rule.point_type not in self.point_types:
                raise ConfigurationError(f"rule {name!r} gives unknown point type {rule.point_type!r}")
            if isinstance(rule, BadgeRule | EventBadgeRule) and rule.badge not in self.badges:
                raise ConfigurationError(f"rule {name!r} awards unknown badge {rule.badge!r}")
            if isinstance(rule, BadgeRule) and len(rule.thresholds) != len(self.badges[rule.badge].levels):
                raise ConfigurationError(
                    f"rule {name!r} gives {len(rule.thresholds)} thresholds but badge "
                    f"{rule.badge!r} has {len(self.badges[rule.badge].levels)} levels"
                )
            if isinstance(rule, EventBadgeRule) and not self.badges[rule.badge].repeatable:
                raise ConfigurationError(
                    f"rule {name!r} awards {rule.badge!r} on every activity: mark the badge repeatable"
                )
            if isinstance(rule, RoleRule) and rule.role not in self.roles:
                raise ConfigurationError(f"rule {name!r} grants unknown role {rule.role!r}")
            for metric in rule.metrics:
                point_type = getattr(metric, "point_type", None)
                if point_type is not None and point_type not in self.point_types:
                    raise ConfigurationError(f"rule {name!r} reads unknown point type {point_type!r}")
        for point_type in self.levels:
            if point_type not in self.point_types:
                raise ConfigurationError(f"levels are defined for unknown point type {point_type!r}")
        self._check_level_names()
        if self.checks is not None:
            self.checks(self)

    def _check_level_names(self) -> None:
        """One name space for levels: a name ("Regular") means one level of one scale, so a
        member never reads the same word for two standings."""
        seen: dict[str, str] = {}
        for point_type, scale in sorted(self.levels.items()):
            for number, name in enumerate(scale.names, start=1):
                where = f"level {number} of {point_type}"
                other = seen.setdefault(name.casefold(), where)
                if other != where:
                    raise ConfigurationError(f"{where} and {other} are both named {name!r}: give each its own name")

    def _index(self) -> None:
        rules: dict[str, list[Rule]] = defaultdict(list)
        metrics: dict[str, dict[str, Metric]] = defaultdict(dict)
        for rule in self.rules.values():
            for trigger in rule.triggers:
                rules[trigger].append(rule)
            for metric in rule.metrics:
                for trigger in metric.triggers:
                    metrics[trigger][metric.name] = metric
            # Imported totals (an OPENING activity) move plain counts, and the built-in threshold
            # rules on them decide again; a plugin's own rule is not asked about an opening.
            opened = [m for m in rule.metrics if type(m) is Count and m.when is None]
            for metric in opened:
                metrics[OPENING][metric.name] = OpeningCount(metric)
            if opened and isinstance(rule, BadgeRule | RoleRule):
                rules[OPENING].append(rule)
        # Points rules run first, so threshold rules reading balances see this activity's points.
        self.rules_by_trigger = {
            t: tuple(sorted(rs, key=lambda r: (not isinstance(r, PointsRule), r.name))) for t, rs in rules.items()
        }
        self.metrics_by_trigger = {t: tuple(ms.values()) for t, ms in metrics.items()}
        for trigger, ms in self.metrics_by_trigger.items():
            names: list[str] = []
            for metric in ms:
                names.append(metric.name)
                if isinstance(metric, Streak):
                    names += [metric.current_name, metric.last_name]
            self.counter_names[trigger] = tuple(names)

    def counters_for(self, trigger: str, day: int) -> list[str]:
        """Every counter an activity of type ``trigger`` on ``day`` may read: prefetched in one query.

        A streak counts the day in its member's own time zone, which is the community's ``day``
        or one either side (a member more than a day away from it is read on demand)."""
        names = list(self.counter_names.get(trigger, ()))
        names += [
            m.day_name(near)
            for m in self.metrics_by_trigger.get(trigger, ())
            if isinstance(m, Streak)
            for near in (day - 1, day, day + 1)
        ]
        return names

    def permissions_of(self, roles: Iterable[str]) -> frozenset[str]:
        """What holding ``roles`` allows (``"admin"`` among them allows everything)."""
        return frozenset(p for role in roles if role in self.roles for p in self.roles[role].permissions)

    def badge_thresholds(self, slug: str) -> list[int] | None:
        """The thresholds of the first threshold rule awarding ``slug`` (for progress bars)."""
        for rule in self.rules.values():
            if isinstance(rule, BadgeRule) and rule.badge == slug:
                return list(rule.thresholds)
        return None

    def rules_awarding(self, slug: str) -> list[Rule]:
        """Every rule that can award badge ``slug`` (to describe how it is earned)."""
        return [r for r in self.rules.values() if getattr(r, "badge", None) == slug]

    def badge_rule(self, slug: str) -> BadgeRule | None:
        for rule in self.rules.values():
            if isinstance(rule, BadgeRule) and rule.badge == slug:
                return rule
        return None

    def sync(self, conn: sa.Connection) -> None:
        """Write the definitions into guildkit's tables, where awards refer to them by slug."""
        dialect = conn.dialect.name
        if self.point_types:
            conn.execute(
                upsert(
                    dialect,
                    table_of(PointType),
                    ("slug",),
                    (
                        "name",
                        "description",
                        "floor",
                        "daily_cap",
                        "weekly_cap",
                        "pair_weekly_cap",
                        "expires_after_days",
                        "source",
                    ),
                ),
                [
                    {
                        "slug": p.slug,
                        "name": source(p.name),
                        "description": source(p.description),
                        "floor": p.floor,
                        "daily_cap": p.daily_cap,
                        "weekly_cap": p.weekly_cap,
                        "pair_weekly_cap": p.pair_weekly_cap,
                        "expires_after_days": p.expires_after_days,
                        "source": self.origin[("point type", p.slug)][:100],
                    }
                    for p in self.point_types.values()
                ],
            )
        if self.badges:
            conn.execute(
                upsert(
                    dialect,
                    table_of(Badge),
                    ("slug",),
                    ("name", "description", "category", "levels", "repeatable", "secret", "image", "source"),
                ),
                [
                    {
                        "slug": b.slug,
                        "name": source(b.name),
                        "description": source(b.description),
                        "category": b.category,
                        "levels": _stored_levels(b.levels_as_json(self.badge_thresholds(b.slug))),
                        "repeatable": b.repeatable,
                        "secret": b.secret,
                        "image": b.image,
                        "source": self.origin[("badge", b.slug)][:100],
                        "archived": False,
                    }
                    for b in self.badges.values()
                ],
            )
        if self.roles:
            conn.execute(
                upsert(dialect, table_of(Role), ("slug",), ("name", "description", "permissions", "source")),
                [
                    {
                        "slug": r.slug,
                        "name": source(r.name),
                        "description": source(r.description),
                        "permissions": list(r.permissions),
                        "source": self.origin[("role", r.slug)][:100],
                    }
                    for r in self.roles.values()
                ],
            )
        self.version = versions.record(conn, versions.snapshot(self), utcnow())


def _stored_levels(levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A badge's levels as stored: their words as written (see :func:`~guildkit.definitions.source`)."""
    return [{**level, "name": source(level["name"]), "description": source(level["description"])} for level in levels]


def _collect(pm: pluggy.PluginManager, hook_name: str, gk: GuildKit) -> Iterable[tuple[str, Any]]:
    """Call one registering hook through pluggy; each item with the plugin that gave it, in order
    of registration (so "registered twice" names the earlier plugin first)."""
    for plugin, result in contributions(pm, hook_name, gk=gk):
        for item in result or ():
            yield plugin, item
