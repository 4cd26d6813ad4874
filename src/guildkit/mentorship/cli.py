"""The mentorship feature's ``flask guildkit`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit as _gk


@click.group("mentorship", help="Mentorship upkeep.", cls=AppGroup)
def mentorship_group() -> None:
    pass


@mentorship_group.command(
    "sweep", help="Expire unanswered requests and recognise retained mentees; prints the counts as JSON."
)
def mentorship_sweep() -> None:
    click.echo(json.dumps(_gk().mentorship.sweep()))


COMMANDS = (mentorship_group,)
