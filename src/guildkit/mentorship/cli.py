"""The mentorship feature's ``flask guildkit`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

from guildkit.cli import sweep_group

COMMANDS = (
    sweep_group(
        "mentorship",
        "Mentorship upkeep.",
        "Expire unanswered requests and recognise retained mentees; prints the counts as JSON.",
        lambda gk: gk.mentorship.sweep(),
    ),
)
