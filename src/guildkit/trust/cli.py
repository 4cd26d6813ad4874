"""The trust feature's ``flask guildkit`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

from guildkit.cli import sweep_group

COMMANDS = (
    sweep_group(
        "trust",
        "Trust levels (see docs/trust.md).",
        "Promote and demote members by their criteria (run daily); prints the counts as JSON.",
        lambda gk: gk.trust.sweep(),
    ),
)
