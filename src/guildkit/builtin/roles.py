"""The staff roles the blueprint's permissions refer to, ``moderator`` and ``admin``, and the
permissions the core checks.

Grant them like any role (``flask guildkit award USER --role admin --reason ...``). A host that
wants different staff roles can unregister this plugin (``gk.pm.unregister(name=
"guildkit.builtin.roles")``) and register its own roles carrying the same permission names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildkit.definitions import RoleDef
from guildkit.markers import hookimpl

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


#: The permissions the core checks, with what each allows (features add theirs).
CORE_PERMISSIONS = {
    "admin": "everything below",
    "activities.write": "report activities (ingestion, single and batch)",
    "members.read_private": "read any member's ledger, progress and notifications",
    "members.manage": "change a member's status",
    "roles.manage": "grant and revoke roles",
    "awards.manage": "award and revoke points, badges and roles by hand",
}


@hookimpl
def guildkit_register_roles(gk: GuildKit) -> tuple[RoleDef, ...]:
    return STAFF_ROLES


@hookimpl
def guildkit_register_permissions(gk: GuildKit) -> dict[str, str]:
    return CORE_PERMISSIONS
