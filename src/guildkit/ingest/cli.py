"""The ingest feature's ``flask guildkit ingest`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit

ingest_group = AppGroup("ingest", help="Activities accepted for later (see docs/ingest.md).")


@ingest_group.command("status", help="How many accepted activities are pending and failed, as JSON.")
def status() -> None:
    click.echo(json.dumps(current_guildkit().ingest.counts()))


@ingest_group.command("drain", help="Record the pending activities now, in this process; prints what it did.")
@click.option("--budget", type=float, default=None, help="Stop after this many seconds (default: the config's).")
def drain(budget: float | None) -> None:
    click.echo(json.dumps(current_guildkit().ingest.drain(budget=budget).out()))


@ingest_group.command("retry", help="Put failed activities (these keys, or with --all every one) back in line.")
@click.argument("keys", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every failed activity.")
def retry(keys: tuple[str, ...], everything: bool) -> None:
    if not keys and not everything:
        raise click.UsageError("name the keys to retry, or pass --all")
    count = current_guildkit().ingest.retry(None if everything else list(keys))
    click.echo(json.dumps({"retried": count}))


COMMANDS = (ingest_group,)
