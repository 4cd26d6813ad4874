"""The ``guildkit.mentorship`` plugin: mentor profiles, matching and the mentorship lifecycle.

Switch it off with ``GUILDKIT_PLUGINS_DENY = ["guildkit.mentorship"]``.
"""

from __future__ import annotations

from guildkit.feature import Feature, NavLink
from guildkit.mentorship.models import MentorProfile, Mentorship, MentorshipCheckIn, MentorshipFeedback


class MentorshipFeature(Feature):
    name = "mentorship"
    models = (MentorProfile, Mentorship, MentorshipCheckIn, MentorshipFeedback)
    services = {"mentorship": "guildkit.mentorship:Mentorship"}
    commands = "guildkit.mentorship.cli:COMMANDS"
    nav = NavLink("Mentoring", ".find_mentor", also=(".my_mentorships",))
    measures = "guildkit.mentorship.measures:MEASURES"


plugin = MentorshipFeature()
