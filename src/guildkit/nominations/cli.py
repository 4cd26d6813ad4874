"""The nominations feature's ``flask guildkit nominations`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit

nominations_group = AppGroup("nominations", help="Nominations for badges (see docs/nominations.md).")


@nominations_group.command("check", help="Check GUILDKIT_NOMINATIONS_BADGES against the badges and roles that exist.")
def check() -> None:
    gk = current_guildkit()
    problems = gk.nominations.problems()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in GUILDKIT_NOMINATIONS_BADGES")
    badges = [
        {"badge": o.badge, "level": o.level, "approvals": o.approvals, "role": o.role} for o in gk.nominations.badges()
    ]
    click.echo(json.dumps({"nominatable": badges}))


@nominations_group.command("expire", help="Expire the pending nominations past their time.")
def expire() -> None:
    click.echo(json.dumps({"expired": current_guildkit().nominations.expire(via="cli")}))


COMMANDS = (nominations_group,)
