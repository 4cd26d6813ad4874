"""The notifications feature's ``flask guildkit notifications`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit

notifications_group = AppGroup("notifications", help="Notification preferences and email (see docs/notifications.md).")


@notifications_group.command("kinds", help="Every kind members can choose about, with its default, as JSON lines.")
def kinds() -> None:
    for kind in current_guildkit().notifier.kinds().values():
        click.echo(json.dumps({
            "kind": kind.name, "label": str(kind.label), "section": str(kind.section), "default": kind.default,
            "required": kind.required,
        }))  # fmt: skip


@notifications_group.command("send", help="Send the emails that are due now, in this process; prints what it did.")
def send() -> None:
    click.echo(json.dumps(current_guildkit().notifier.send_due()))


@notifications_group.command("digest", help="Send last week's digests not sent yet, in this process.")
def digest() -> None:
    click.echo(json.dumps(current_guildkit().notifier.send_digests()))


COMMANDS = (notifications_group,)
