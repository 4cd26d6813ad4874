"""``flask guildkit retention policy|compact`` (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit
from guildkit.errors import GuildKitError

retention_group = AppGroup("retention", help="Compacting old activities (see docs/retention.md).")


@retention_group.command("policy", help="The retention policy in force, as JSON.")
def policy_command() -> None:
    try:
        policy = current_guildkit().retention.policy()
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(policy.out()))


@retention_group.command(
    "compact",
    help="Compact the activities older than GUILDKIT_RETENTION_DAYS now (idempotent; the daily "
    "job guildkit.retention.compact does the same); prints what it did as JSON.",
)
@click.option("--dry-run", is_flag=True, help="Count what would be compacted; change nothing.")
def compact_command(dry_run: bool) -> None:
    try:
        done = current_guildkit().retention.compact(dry_run=dry_run)
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(done.out()))


COMMANDS = (retention_group,)
