"""``flask guildkit jobs list|run`` and ``flask guildkit worker|beat`` (``guildkit_register_commands``).

``jobs run`` is the cron line for hosts without Celery; ``worker`` and ``beat`` start Celery for
the app in hand, so a host needs no Celery module of its own (``celery -A`` works too, see
docs/jobs.md). Arguments after ``worker``/``beat`` go to Celery unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup, with_appcontext

from guildkit.current import current_guildkit
from guildkit.errors import GuildKitError

jobs_group = AppGroup("jobs", help="Background jobs: what is registered, and running one now (docs/jobs.md).")


@jobs_group.command("list", help="The registered jobs and the schedule, as JSON.")
def list_command() -> None:
    jobs = current_guildkit().jobs
    try:
        schedule = jobs.schedule()
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    document = {
        "backend": jobs.backend,
        "jobs": [
            {"name": job.name, "description": job.description, "max_retries": job.max_retries}
            for job in sorted(jobs.registered().values(), key=lambda job: job.name)
        ],
        "schedule": [
            {"job": entry.job, "every_seconds": entry.seconds, "arguments": dict(entry.arguments)} for entry in schedule
        ],
    }
    click.echo(json.dumps(document, indent=2))


def _argument(text: str) -> tuple[str, Any]:
    name, equals, raw = text.partition("=")
    if not equals or not name:
        raise click.BadParameter(f"{text!r} is not NAME=VALUE")
    try:
        return name, json.loads(raw)
    except ValueError:
        return name, raw  # a bare word is a string


@jobs_group.command("run", help="Run a job now, in this process; prints what it returned as JSON (for cron).")
@click.argument("name")
@click.option("--arg", "-a", "arguments", multiple=True, help="NAME=VALUE (VALUE as JSON, else a string); repeat.")
def run_command(name: str, arguments: tuple[str, ...]) -> None:
    try:
        result = current_guildkit().jobs.run(name, **dict(_argument(a) for a in arguments))
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result))


def _celery() -> Any:
    try:
        return current_guildkit().jobs.celery()
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc


PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@click.command("worker", context_settings=PASS_THROUGH, help="Start a Celery worker for this app (celery worker …).")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def worker_command(celery_args: tuple[str, ...]) -> None:
    _celery().worker_main(["worker", *celery_args])


@click.command("beat", context_settings=PASS_THROUGH, help="Start Celery beat for this app's periodic jobs.")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def beat_command(celery_args: tuple[str, ...]) -> None:
    celery = _celery()
    # Beat keeps when each entry last ran in this file (default: the app's instance folder).
    Path(celery.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)
    celery.start(["beat", *celery_args])


COMMANDS = (jobs_group, worker_command, beat_command)
