"""The ``guildkit.notifications`` plugin: members' notification preferences, and email.

Besides the parts :class:`~guildkit.feature.Feature` hands over (its tables, config keys, the
``gk.notifier`` service, the preferences and unsubscribe pages, the preferences API and its
commands), it registers two jobs: ``guildkit.notifications.send`` (the immediate emails, every
minute, and woken after each recorded activity when the app sends email: :mod:`.wakeup`) and
``guildkit.notifications.digest`` (last week's digests, every hour; the first run after Monday
00:00 sends them). It links the preferences page from a member's own profile.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.notifications"]``: in-app notifications
stay as they are (every kind shown), and nothing is emailed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import url_for

from guildkit.definitions import PageLink
from guildkit.feature import Feature
from guildkit.i18n import gettext as _
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl
from guildkit.notifications.models import (
    NotificationDelivery,
    NotificationDigest,
    NotificationPreference,
    NotificationWatermark,
)
from guildkit.notifications.wakeup import SEND, listen

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit
    from guildkit.notifications.service import Notifier

DIGEST = "guildkit.notifications.digest"


def _send(gk: GuildKit) -> dict[str, Any]:
    report: dict[str, Any] = gk.notifier.send_due()
    if report.get("more"):
        gk.jobs.enqueue(SEND)  # a backlog: hand the thread or worker back, and carry on in another run
    return report


def _digest(gk: GuildKit) -> dict[str, Any]:
    report: dict[str, Any] = gk.notifier.send_digests()
    if report.get("more"):
        gk.jobs.enqueue(DIGEST)
    return report


class NotificationsFeature(Feature):
    name = "notifications"
    models = (NotificationPreference, NotificationWatermark, NotificationDigest, NotificationDelivery)
    services = {"notifier": "guildkit.notifications.service:Notifier"}
    commands = "guildkit.notifications.cli:COMMANDS"

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [
            Job(SEND, _send, "Email the notifications members want by email, once each.", max_retries=5),
            Job(DIGEST, _digest, "Email last week's digests, one per member and week.", max_retries=5),
        ]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # Each recorded activity wakes the send job; this run catches the rest (features that
        # tell members without recording an activity, a lost wake-up).
        return [PeriodicJob(SEND, timedelta(minutes=1)), PeriodicJob(DIGEST, timedelta(hours=1))]

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        super().guildkit_init_app(gk, app)  # the config's checks
        listen(gk, app)

    @hookimpl
    def guildkit_hidden_notification_kinds(self, gk: GuildKit, member_id: int) -> list[str]:
        notifier: Notifier = gk.notifier
        return notifier.hidden_kinds(member_id)

    @hookimpl
    def guildkit_page_links(
        self, gk: GuildKit, page: str, subject: dict[str, Any], viewer: str | None
    ) -> list[PageLink] | None:
        if page != "member" or viewer is None or subject.get("user_id") != viewer:
            return None
        return [PageLink(_("Notification settings"), url_for(".notification_settings"))]


plugin = NotificationsFeature()
