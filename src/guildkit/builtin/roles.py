"""The staff roles the blueprint's permissions refer to: ``moderator`` and ``admin``.

Grant them like any role (``flask guildkit award USER --role admin --reason ...``). A host that
wants different staff roles can unregister this plugin (``gk.pm.unregister(name=
"guildkit.builtin.roles")``) and register its own roles carrying the same permission names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildkit.definitions import RoleDef
from guildkit.plugins import hookimpl

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

STAFF_ROLES = (
    RoleDef(
        "moderator",
        "Moderator",
        "Keeps the community healthy: reads members' histories, manages member status.",
        permissions=("members.read_private", "members.manage"),
    ),
    RoleDef("admin", "Administrator", "Runs the community: every permission.", permissions=("admin",)),
)


@hookimpl
def guildkit_register_roles(gk: GuildKit) -> tuple[RoleDef, ...]:
    return STAFF_ROLES
