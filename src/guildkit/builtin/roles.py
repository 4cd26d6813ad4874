"""The staff roles the blueprint's permissions refer to, ``moderator`` and ``admin``, and the
permissions the core checks.

Grant them like any role (``flask guildkit award USER --role admin --reason ...``). A host that
wants different staff roles can unregister this plugin (``gk.pm.unregister(name=
"guildkit.builtin.roles")``) and register its own roles carrying the same permission names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guildkit.definitions import RoleDef, Text
from guildkit.i18n import N_, lazy_gettext
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

STAFF_ROLES = (
    RoleDef(
        "moderator",
        N_("Moderator"),
        N_("Keeps the community healthy: reads members' histories, manages member status."),
        permissions=("members.read_private", "members.manage"),
    ),
    RoleDef(
        "admin", N_("Administrator"), N_("Runs the community: every permission."),
        permissions=("admin",),
    ),
)  # fmt: skip


#: The permissions the core checks, with what each allows (features add theirs).
CORE_PERMISSIONS: dict[str, Text] = {
    "admin": lazy_gettext("everything below"),
    "activities.write": lazy_gettext("report activities (ingestion, single and batch)"),
    "members.read_private": lazy_gettext("read any member's ledger, progress and notifications"),
    "members.manage": lazy_gettext("change a member's status"),
    "roles.manage": lazy_gettext("grant and revoke roles"),
    "awards.manage": lazy_gettext("award and revoke points, badges and roles by hand"),
}


@hookimpl
def guildkit_register_roles(gk: GuildKit) -> tuple[RoleDef, ...]:
    return STAFF_ROLES


@hookimpl
def guildkit_register_permissions(gk: GuildKit) -> dict[str, Text]:
    return CORE_PERMISSIONS
