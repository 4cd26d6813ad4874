"""A plugin object that contributes a fixed set of definitions.

``gk.define(...)`` and ``GUILDKIT_RULES_FILE`` both register one of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from guildkit.definitions import ActivityTypeDef, BadgeDef, PointTypeDef, RoleDef
from guildkit.markers import hookimpl
from guildkit.rules.base import Rule
from guildkit.rules.builtin import Levels

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass
class RuleSet:
    point_types: list[PointTypeDef] = field(default_factory=list)
    badges: list[BadgeDef] = field(default_factory=list)
    roles: list[RoleDef] = field(default_factory=list)
    rules: list[Rule | Levels] = field(default_factory=list)
    activity_types: list[ActivityTypeDef] = field(default_factory=list)

    @hookimpl
    def guildkit_register_point_types(self, gk: GuildKit) -> Iterable[PointTypeDef]:
        return self.point_types

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> Iterable[BadgeDef]:
        return self.badges

    @hookimpl
    def guildkit_register_roles(self, gk: GuildKit) -> Iterable[RoleDef]:
        return self.roles

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> Iterable[Rule | Levels]:
        return self.rules

    @hookimpl
    def guildkit_register_activity_types(self, gk: GuildKit) -> Iterable[ActivityTypeDef]:
        return self.activity_types
