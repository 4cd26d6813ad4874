"""The trust feature's ``flask guildkit`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit as _gk


@click.group("trust", help="Trust levels (see docs/trust.md).", cls=AppGroup)
def trust_group() -> None:
    pass


@trust_group.command(
    "sweep", help="Promote and demote members by their criteria (run daily); prints the counts as JSON."
)
def trust_sweep() -> None:
    click.echo(json.dumps(_gk().trust.sweep()))


COMMANDS = (trust_group,)
