"""The moderation feature's ``flask guildkit`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup, with_appcontext

from guildkit.current import current_guildkit as _gk


@click.group("moderation", help="Moderation upkeep (see docs/moderation.md).", cls=AppGroup)
def moderation_group() -> None:
    pass


@moderation_group.command("sweep", help="Lift suspensions whose period ended (run hourly); prints user ids as JSON.")
def moderation_sweep() -> None:
    click.echo(json.dumps({"lifted": _gk().moderation.sweep()}))


@click.command(
    "detect-abuse",
    help="Find serial voting, reverse those votes and flag the voters (run hourly or daily); prints JSON.",
)
@click.option("--dry-run", is_flag=True, help="Only report what would be reversed.")
@with_appcontext
def detect_abuse(dry_run: bool) -> None:
    findings = _gk().abuse.detect(dry_run=dry_run)
    click.echo(json.dumps({"dry_run": dry_run, "findings": [f.as_dict() for f in findings]}))


COMMANDS = (moderation_group, detect_abuse)
