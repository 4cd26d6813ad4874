"""The ``guildkit.nominations`` plugin: nominations, their pages, API, commands and expiry job.

Besides the parts :class:`~guildkit.feature.Feature` hands over, it contributes the badge the
feature defines ("Community Champion", while ``GUILDKIT_NOMINATIONS_BADGES`` names it), its
links (the navigation for signed-in members, "Nominate" on a member's profile and on a
nominatable badge's page), and the ``guildkit.nominations.expire`` job.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.nominations"]``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import url_for

from guildkit.definitions import PageLink
from guildkit.errors import UnknownMember
from guildkit.feature import Feature
from guildkit.i18n import gettext, lazy_gettext
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl
from guildkit.nominations import badges
from guildkit.nominations.models import Nomination, NominationVote
from guildkit.nominations.service import PERMISSION

if TYPE_CHECKING:
    from guildkit.definitions import BadgeDef
    from guildkit.extension import GuildKit

EXPIRE = "guildkit.nominations.expire"
NAV_LABEL = lazy_gettext("Nominations")


def _expire(gk: GuildKit) -> dict[str, Any]:
    return {"expired": gk.nominations.expire(via="job")}


class NominationsFeature(Feature):
    name = "nominations"
    models = (Nomination, NominationVote)
    services = {"nominations": "guildkit.nominations:Nominations"}
    commands = "guildkit.nominations.cli:COMMANDS"
    permissions = {PERMISSION: "see every nomination, pending ones and their votes too"}
    includes = {"member": "guildkit/nominations/_member.html"}

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        return badges.defined()

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(EXPIRE, _expire, "Expire the nominations that waited too long for their approvals.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        return [PeriodicJob(EXPIRE, timedelta(hours=1))]

    @hookimpl
    def guildkit_page_links(
        self, gk: GuildKit, page: str, subject: dict[str, Any], viewer: str | None
    ) -> list[PageLink] | None:
        """The navigation link for active members; "Nominate" where a nomination can start."""
        if viewer is None or not _may_take_part(gk, viewer):
            return None
        if page == "nav":
            also = (url_for(".nomination_new"), url_for(".nominations_queue"))
            return [PageLink(str(NAV_LABEL), url_for(".my_nominations"), also_current=also)]
        if page == "member" and subject.get("user_id") not in (None, viewer) and gk.nominations.badges():
            user_id = str(subject["user_id"])
            label = gettext("Nominate %(name)s for a badge", name=_name(gk, user_id)[:60])
            return [PageLink(label, url_for(".nomination_new", nominee=user_id))]
        if page == "badge" and any(o.badge == subject.get("badge") for o in gk.nominations.badges()):
            return [PageLink(gettext("Nominate someone for this badge"), url_for(".nomination_new",
                                                                                  badge=subject["badge"]))]  # fmt: skip
        return None


def _may_take_part(gk: GuildKit, user_id: str) -> bool:
    """Active, or not a member yet (they join with their first nomination)."""
    try:
        return bool(gk.member(user_id).status == "active")
    except UnknownMember:
        return True


def _name(gk: GuildKit, user_id: str) -> str:
    return gk.member(user_id).display_name or gk.user_info(user_id).name


plugin = NominationsFeature()
