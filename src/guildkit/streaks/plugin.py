"""The ``guildkit.streaks`` plugin: freezes and absences that keep a member's streaks going.

Besides the parts :class:`~guildkit.feature.Feature` hands over (tables, service
``gk.streaks``, config, routes, the CLI, the permission to grant freezes, a section on the
member's own profile, a member's data rights), it answers the core's
``guildkit_streak_gap_bridged`` (:func:`guildkit.streaks.freezes.bridge`) and gives earned
freezes as runs grow (``guildkit_activities_applied``), and links the member's settings page
(slot ``settings``) to their streaks page.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.streaks"]``: streaks are then counted as
before, a missed day breaking them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.feature import Feature
from guildkit.i18n import lazy_gettext
from guildkit.markers import hookimpl
from guildkit.streaks import freezes
from guildkit.streaks.models import Absence, FreezeLogEntry, StreakFreezes
from guildkit.streaks.service import PERMISSION

if TYPE_CHECKING:
    from guildkit.activity import ActivityView
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction


class StreaksFeature(Feature):
    name = "streaks"
    models = (StreakFreezes, FreezeLogEntry, Absence)
    services = {"streaks": "guildkit.streaks.service:Streaks"}
    commands = "guildkit.streaks.cli:COMMANDS"
    permissions = {PERMISSION: lazy_gettext("grant members streak freezes")}
    includes = {"member": "guildkit/streaks/_member.html", "settings": "guildkit/streaks/_settings.html"}

    @hookimpl
    def guildkit_streak_gap_bridged(
        self,
        gk: GuildKit,
        conn: sa.Connection,
        member_id: int,
        activity_type: str,
        role: str,
        first_missed: date,
        last_missed: date,
        recount: bool,
        announce: Callable[..., None],
    ) -> bool | None:
        # No opinion rather than "no": another plugin may still bridge the gap.
        bridged = freezes.bridge(gk, conn, member_id, activity_type, role, first_missed, last_missed, recount, announce)
        return True if bridged else None

    @hookimpl
    def guildkit_activities_applied(self, gk: GuildKit, tx: Transaction, activities: Sequence[ActivityView]) -> None:
        freezes.earn(gk, tx, activities)


plugin = StreaksFeature()
