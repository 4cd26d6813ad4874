"""Which badges members may nominate each other for: the config (``GUILDKIT_NOMINATIONS_BADGES``)
checked against the registry, and the badge the feature defines itself.

A configured badge or role the registry does not have (a typo, a console badge since deleted) is
left out, with a warning in the log, rather than failing every page: ``flask guildkit
nominations check`` lists such problems (and fails) for a deploy to catch them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

from guildkit.definitions import BadgeDef, shown
from guildkit.i18n import N_
from guildkit.i18n import gettext as _
from guildkit.nominations.config import CHAMPION, parse

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

log = logging.getLogger("guildkit")

#: Contributed to the registry while it is nominatable (it is, by default).
CHAMPION_BADGE = BadgeDef(
    CHAMPION,
    N_("Community Champion"),
    N_("Nominated by a fellow member for what they do for the community, and approved by its moderators."),
    criteria=N_("Be nominated by a member, and approved"),
)
_WARNED = "nominations.warned"


@dataclass(frozen=True)
class Nominatable:
    """One badge level members may nominate each other for, and what approving it takes."""

    badge: str
    level: int
    #: The badge level's name, in the reader's language ("Gold Helper").
    name: str
    approvals: int
    role: str
    #: The role's name, in the reader's language.
    role_name: str

    @property
    def value(self) -> str:
        """How a form's option names it: ``slug:level``."""
        return f"{self.badge}:{self.level}"


def defined() -> list[BadgeDef]:
    """The badges the feature itself defines: its own, while it is configured as nominatable."""
    return [CHAMPION_BADGE] if CHAMPION in current_app.config["GUILDKIT_NOMINATIONS_BADGES"] else []


def rules(gk: GuildKit) -> dict[str, tuple[int, str]]:
    """``{slug: (approvals, role)}`` of the configured badges whose badge and role the registry has."""
    registry = gk.registry
    configured = parse(current_app.config)
    usable = {slug: rule for slug, rule in configured.items() if slug in registry.badges and rule[1] in registry.roles}
    if len(usable) < len(configured) and gk.state.cache.get(_WARNED) is not registry:
        gk.state.cache[_WARNED] = registry  # once per registry build
        for problem in problems(gk):
            log.warning("guildkit nominations: %s", problem)
    return usable


def problems(gk: GuildKit) -> list[str]:
    """What in ``GUILDKIT_NOMINATIONS_BADGES`` does not match the registry, in words."""
    registry = gk.registry
    found = []
    for slug, (_approvals, role) in parse(current_app.config).items():
        if slug not in registry.badges:
            found.append(f"GUILDKIT_NOMINATIONS_BADGES names the badge {slug!r}, which does not exist")
        if role not in registry.roles:
            found.append(
                f"GUILDKIT_NOMINATIONS_BADGES[{slug!r}]: approvers hold the role {role!r}, which does not exist"
            )
    return found


def options(gk: GuildKit) -> list[Nominatable]:
    """Every nominatable badge level, in the order configured, levels in order."""
    registry = gk.registry
    found = []
    for slug, (approvals, role) in rules(gk).items():
        definition = registry.badges[slug]
        role_name = shown(registry.roles[role].name)
        for level in range(1, len(definition.levels) + 1):
            found.append(Nominatable(slug, level, definition.level_title(level), approvals, role, role_name))
    return found


def find(gk: GuildKit, badge: object, level: object) -> Nominatable | None:
    """The nominatable badge level ``badge``/``level`` names, or ``None``."""
    return next((o for o in options(gk) if o.badge == badge and o.level == level), None)


def badge_name(gk: GuildKit, slug: str, level: int) -> str:
    """A badge level's name for pages, even when the badge is gone (its slug, then)."""
    definition = gk.registry.badges.get(slug)
    if definition is None or not 0 < level <= len(definition.levels):
        return _("a badge that no longer exists")
    return definition.level_title(level)
