"""A second plugin module, for entry-point allow/deny tests."""

from __future__ import annotations

from guildkit import GuildKit, PointTypeDef, hookimpl


@hookimpl
def guildkit_register_point_types(gk: GuildKit) -> list[PointTypeDef]:
    return [PointTypeDef("karma", "Karma")]
