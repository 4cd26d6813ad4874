"""The ``guildkit.moderation`` plugin: reports, moderation cases, sanctions, mediation, appeals and
serial-voting detection (``gk.moderation``, ``gk.abuse``). It builds on trust levels.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.moderation"]``. Sanctions and hiding have
teeth through ``gk.can``:

* A muted member has no privileges until the mute ends, except ``content.visible``: a mute stops
  a member from taking part, it does not hide what they already wrote.
* ``content.visible`` (:data:`guildkit.moderation.VISIBLE`) is denied while the member has an
  open case that trusted members' spam reports hid (see ``docs/moderation.md``). guildkit adds
  the privilege to ``GUILDKIT_PRIVILEGES`` (for everyone: trust level 0) unless the host defines it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from guildkit.errors import ConfigurationError
from guildkit.feature import Feature, NavLink
from guildkit.i18n import lazy_gettext
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl
from guildkit.moderation.config import check
from guildkit.moderation.hiding import VISIBLE
from guildkit.moderation.models import MODELS

if TYPE_CHECKING:
    from flask import Flask

    from guildkit.extension import GuildKit

#: The periodic jobs, as ``flask guildkit moderation sweep`` and ``… detect-abuse`` run them.
SWEEP = "guildkit.moderation.sweep"
DETECT_ABUSE = "guildkit.moderation.detect_abuse"


def _sweep(gk: GuildKit) -> dict[str, list[str]]:
    return {"lifted": gk.moderation.sweep()}


def _detect_abuse(gk: GuildKit) -> dict[str, Any]:
    return {"findings": [finding.as_dict() for finding in gk.abuse.detect()]}


class ModerationFeature(Feature):
    name = "moderation"
    models = MODELS
    services = {"moderation": "guildkit.moderation:Moderation", "abuse": "guildkit.moderation.abuse:AbuseDetection"}
    commands = "guildkit.moderation.cli:COMMANDS"
    nav = NavLink(lazy_gettext("Moderation"), ".moderation_queue", permission="members.manage", staff=True)
    measures = "guildkit.moderation.measures:MEASURES"

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        if gk.pm.get_plugin("guildkit.trust") is None:
            raise ConfigurationError("guildkit.moderation needs guildkit.trust: switch both off, or neither")
        check(app.config)
        privileges = app.config["GUILDKIT_PRIVILEGES"]
        if VISIBLE not in privileges:
            # A new mapping: the host's own dict (maybe shared between apps) stays as they wrote it.
            app.config["GUILDKIT_PRIVILEGES"] = {**privileges, VISIBLE: {"trust_level": 0}}

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [
            Job(SWEEP, _sweep, "Lift suspensions whose period ended."),
            Job(DETECT_ABUSE, _detect_abuse, "Find serial voting, reverse those votes and flag the voters."),
        ]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # Hourly: a suspension ends within the hour, and serial votes are reversed before they
        # add up. Both are idempotent (lifted sanctions are marked; detection locks and marks).
        return [PeriodicJob(SWEEP, timedelta(hours=1)), PeriodicJob(DETECT_ABUSE, timedelta(hours=1))]

    @hookimpl
    def guildkit_can(self, gk: GuildKit, user_id: str, privilege: str, granted: bool) -> bool | None:
        if privilege == VISIBLE:
            return False if granted and gk.moderation.member_hidden(user_id) else None
        if granted and gk.moderation.muted_until(user_id) is not None:
            return False
        return None


plugin = ModerationFeature()
