"""The analytics feature's ``flask guildkit`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit

analytics_group = AppGroup("analytics", help="Community health analytics (see docs/analytics.md).")


@analytics_group.command(
    "rollup",
    help="Bring the KPI rollups up to date (idempotent; run it from cron or a job, and after "
    "upgrading or changing the analytics settings); prints what it did as JSON.",
)
@click.option("--rebuild", is_flag=True, help="Rebuild the rollups from scratch.")
def rollup(rebuild: bool) -> None:
    done = current_guildkit().analytics.refresh(rebuild=rebuild)
    click.echo(json.dumps(done.out()))
    if not done.current:
        raise click.ClickException(done.note)


COMMANDS = (analytics_group,)
