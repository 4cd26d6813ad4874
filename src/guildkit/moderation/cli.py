"""The moderation feature's ``flask guildkit`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from guildkit.cli import sweep_group
from guildkit.current import current_guildkit


@click.command(
    "detect-abuse",
    help="Find serial voting, reverse those votes and flag the voters (run hourly or daily); prints JSON.",
)
@click.option("--dry-run", is_flag=True, help="Only report what would be reversed.")
@with_appcontext
def detect_abuse(dry_run: bool) -> None:
    findings = current_guildkit().abuse.detect(dry_run=dry_run)
    click.echo(json.dumps({"dry_run": dry_run, "findings": [f.as_dict() for f in findings]}))


COMMANDS = (
    sweep_group(
        "moderation",
        "Moderation upkeep (see docs/moderation.md).",
        "Lift suspensions whose period ended (run hourly); prints user ids as JSON.",
        lambda gk: {"lifted": gk.moderation.sweep()},
    ),
    detect_abuse,
)
