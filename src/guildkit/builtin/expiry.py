"""Point expiry (:mod:`guildkit.expiry`): the rule that writes expiries, the daily sweep as a job,
and ``flask guildkit expiry``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click
from flask.cli import AppGroup

from guildkit import expiry
from guildkit.current import current_guildkit
from guildkit.jobs import Job, PeriodicJob
from guildkit.markers import hookimpl

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.rules.base import Rule

SWEEP_JOB = "guildkit.expiry.sweep"

expiry_group = AppGroup("expiry", help="Points that expire (point types with expires_after_days).")


@expiry_group.command("run", help="Expire what is due today; prints what was (or, with --dry-run, would be) expired.")
@click.option("--dry-run", is_flag=True, help="Only say what is due.")
def run(dry_run: bool) -> None:
    done = expiry.sweep(current_guildkit(), dry_run=dry_run)
    click.echo(json.dumps([{**vars(s), "day": s.day.isoformat()} for s in done], indent=2))


@expiry_group.command("show", help="What of USER's points expires when.")
@click.argument("user")
def show(user: str) -> None:
    gk = current_guildkit()
    found = gk.expiring(user)
    click.echo(json.dumps([{"point_type": e.point_type, "points": e.points, "on": e.on.isoformat()} for e in found]))


def _sweep(gk: GuildKit) -> list[dict[str, Any]]:
    # Idempotent: one activity per member, type and day (its key); a rerun finds nothing due.
    return [{**vars(s), "day": s.day.isoformat()} for s in expiry.sweep(gk)]


@hookimpl
def guildkit_register_rules(gk: GuildKit) -> list[Rule]:
    return [expiry.ExpiryRule()]


@hookimpl
def guildkit_register_jobs(gk: GuildKit) -> list[Job]:
    return [Job(SWEEP_JOB, _sweep, "Expire the points that are due today (point types with expires_after_days).")]


@hookimpl
def guildkit_register_periodic_jobs(gk: GuildKit) -> list[PeriodicJob]:
    # Hourly: the first run after local midnight does the day's work, the others find nothing due.
    return [PeriodicJob(SWEEP_JOB, timedelta(hours=1))]


@hookimpl
def guildkit_register_commands(gk: GuildKit) -> Iterable[click.Command]:
    return (expiry_group,)
