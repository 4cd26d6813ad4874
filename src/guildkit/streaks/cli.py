"""The streaks feature's ``flask guildkit streaks`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit
from guildkit.errors import GuildKitError

streaks_group = AppGroup("streaks", help="Streak freezes and absences (see docs/streaks.md).")


@streaks_group.command("grant-freeze", help="Give the member USER streak freezes, with a reason they read.")
@click.argument("user")
@click.option("--count", type=int, default=1, show_default=True, help="How many freezes.")
@click.option("--reason", required=True, help="Why (the member reads it).")
def grant_freeze(user: str, count: int, reason: str) -> None:
    try:
        held = current_guildkit().streaks.grant_freezes(user, count, reason=reason)
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({"user": user, "granted": count, "held": held}))


COMMANDS = (streaks_group,)
