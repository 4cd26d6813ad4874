"""The ``guildkit.mentorship`` plugin: mentor profiles, matching and the mentorship lifecycle.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.mentorship"]``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from guildkit.feature import Feature, NavLink
from guildkit.i18n import lazy_gettext
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl
from guildkit.mentorship.models import MentorProfile, Mentorship, MentorshipCheckIn, MentorshipFeedback

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: The periodic sweep (``flask guildkit mentorship sweep``), as a job.
SWEEP = "guildkit.mentorship.sweep"


class MentorshipFeature(Feature):
    name = "mentorship"
    models = (MentorProfile, Mentorship, MentorshipCheckIn, MentorshipFeedback)
    services = {"mentorship": "guildkit.mentorship:Mentorship"}
    commands = "guildkit.mentorship.cli:COMMANDS"
    nav = NavLink(lazy_gettext("Mentoring"), ".find_mentor", also=(".my_mentorships",))
    measures = "guildkit.mentorship.measures:MEASURES"

    @hookimpl
    def guildkit_register_jobs(self, gk: GuildKit) -> list[Job]:
        return [Job(SWEEP, lambda gk: gk.mentorship.sweep(), "Expire unanswered requests; recognise retained mentees.")]

    @hookimpl
    def guildkit_register_periodic_jobs(self, gk: GuildKit) -> list[PeriodicJob]:
        # Both halves count in days: a daily run is on time, and a second run finds nothing to do.
        return [PeriodicJob(SWEEP, timedelta(days=1))]


plugin = MentorshipFeature()
