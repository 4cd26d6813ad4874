"""The admin console's definitions: badges and roles made there, contributed to the registry like
any plugin's (the admin plugin's ``guildkit_register_badges`` / ``_roles`` / ``_rules``).

The rows live in ``guildkit_console_badges`` and ``guildkit_console_roles`` (see
:mod:`guildkit.admin.models`). One registry build reads them once (a :class:`Snapshot`, taken
by the first hook and reused by the others), so the badges and the rules it contributes always
agree even while an admin saves a change. An archived badge is still contributed, so awards
already made stay visible, but its rule is not: it awards nothing new.

The console checks a change before saving it by building a trial registry from the snapshot
the change would produce (:func:`preview`): a change that would break the registry (a slug
taken by a plugin, a rule on an unknown point type) is refused instead of breaking the site.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.admin.models import ConsoleBadge, ConsoleRole
from guildkit.definitions import BadgeDef, BadgeLevel, RoleDef
from guildkit.metrics import Count, PointsTotal
from guildkit.models import table_of
from guildkit.rules.builtin import BadgeRule, EventBadgeRule

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.rules.base import Rule

NAME = "guildkit.admin"
BADGES = table_of(ConsoleBadge)
ROLES = table_of(ConsoleRole)
_SNAPSHOT_KEY = "console.snapshot"


@dataclass(frozen=True)
class Snapshot:
    """The console's rows, as plain dicts, as one registry build sees them."""

    badges: tuple[dict[str, Any], ...] = ()
    roles: tuple[dict[str, Any], ...] = ()


_PREVIEW: ContextVar[Snapshot | None] = ContextVar("guildkit_console_preview", default=None)


def load_snapshot(conn: sa.Connection) -> Snapshot:
    """Read the console's rows; nothing while the tables do not exist (before the migration)."""
    if not sa.inspect(conn).has_table(BADGES.name):
        return Snapshot()
    badges = conn.execute(sa.select(BADGES).order_by(BADGES.c.slug)).mappings().all()
    roles = conn.execute(sa.select(ROLES).order_by(ROLES.c.slug)).mappings().all()
    return Snapshot(tuple(dict(b) for b in badges), tuple(dict(r) for r in roles))


@contextmanager
def preview(snapshot: Snapshot) -> Iterator[None]:
    """Within the block, registry builds see ``snapshot`` instead of the stored rows."""
    token = _PREVIEW.set(snapshot)
    try:
        yield
    finally:
        _PREVIEW.reset(token)


def badge_def(row: dict[str, Any]) -> BadgeDef:
    levels = tuple(BadgeLevel(tier=t) for t in row["tiers"]) or (BadgeLevel(),)
    return BadgeDef(
        row["slug"],
        row["name"],
        row["description"] or "",
        category=row["category"] or "general",
        levels=levels,
        # "Each time" badges are earned again and again; the registry insists they be repeatable.
        repeatable=row["criterion"] == "each",
        secret=bool(row["secret"]),
    )


def rule_name(slug: str) -> str:
    return f"console:{slug}"


def badge_rule(row: dict[str, Any]) -> Rule | None:
    """The rule awarding a console badge (``None``: awarded by hand only, or archived)."""
    if row["archived"]:
        return None
    name, slug, role = rule_name(row["slug"]), row["slug"], row["subject_role"]
    criterion = row["criterion"]
    if criterion == "count":
        return BadgeRule(name, slug, Count(row["activity_type"], role), tuple(row["thresholds"]))
    if criterion == "points":
        return BadgeRule(name, slug, PointsTotal(row["point_type"]), tuple(row["thresholds"]))
    if criterion == "each":
        return EventBadgeRule(name, slug, row["activity_type"], to=role)
    return None


def role_def(row: dict[str, Any]) -> RoleDef:
    return RoleDef(row["slug"], row["name"], row["description"] or "", permissions=tuple(row["permissions"]))


def _snapshot(gk: GuildKit, fresh: bool) -> Snapshot:
    previewed = _PREVIEW.get()
    if previewed is not None:
        return previewed
    cache = gk.state.cache
    if fresh or _SNAPSHOT_KEY not in cache:
        with gk.store.engine.connect() as conn:
            cache[_SNAPSHOT_KEY] = load_snapshot(conn)
    snapshot: Snapshot = cache[_SNAPSHOT_KEY]
    return snapshot


# The registry calls the badge hooks first and the rule hooks last (see Registry.build): the
# first reads the rows, the others reuse them, and the last lets them go.


def badges(gk: GuildKit) -> list[BadgeDef]:
    return [badge_def(row) for row in _snapshot(gk, fresh=True).badges]


def roles(gk: GuildKit) -> list[RoleDef]:
    return [role_def(row) for row in _snapshot(gk, fresh=False).roles]


def rules(gk: GuildKit) -> list[Rule]:
    snapshot = _snapshot(gk, fresh=False)
    gk.state.cache.pop(_SNAPSHOT_KEY, None)
    return [rule for rule in (badge_rule(row) for row in snapshot.badges) if rule is not None]
