"""``flask webhooks ...``: manage endpoints, read and replay the log, and deliver from cron.

::

    flask webhooks add https://example.org/hook --event badge_awarded --event role_granted
    flask webhooks add https://old.example.org/hook --event '*' --signing guildkit-v1
    flask webhooks list
    flask webhooks remove 3
    flask webhooks log --status failed
    flask webhooks replay 42
    flask webhooks deliver --once     # send what is due now and exit (cron)
    flask webhooks deliver            # keep delivering until interrupted (a worker process)
"""

from __future__ import annotations

import json
import threading
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from guildkit import GuildKit, GuildKitError

from . import admin
from . import settings as settings_module
from .delivery import deliver_due
from .outbox import replay
from .signing import SCHEMES, STANDARD_WEBHOOKS
from .tables import STATUSES

webhooks_cli = AppGroup("webhooks", help="guildkit webhooks: endpoints, the delivery log, delivering.")


def _gk() -> GuildKit:
    gk: GuildKit = current_app.extensions["guildkit"].gk
    return gk


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _guarded(call: Any) -> Any:
    try:
        return call()
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc


@webhooks_cli.command("add", help="Register an endpoint; prints it with its secret (shown only now).")
@click.argument("url")
@click.option("--event", "events", multiple=True, required=True, help="An event to send ('*' for all); repeat.")
@click.option(
    "--signing",
    type=click.Choice(SCHEMES),
    default=STANDARD_WEBHOOKS,
    show_default=True,
    help="How deliveries are signed: Standard Webhooks, or guildkit 0.1's scheme for receivers built for it.",
)
@click.option(
    "--secret",
    default=None,
    help="The signing secret ('whsec_' + base64 of 24-64 bytes; guildkit-v1: 32+ characters); generated if left out.",
)
@click.option("--description", default="", help="A note for other admins.")
def add_command(url: str, events: tuple[str, ...], signing: str, secret: str | None, description: str) -> None:
    _echo(
        _guarded(
            lambda: admin.create_endpoint(
                _gk(), url, list(events), secret=secret, description=description, signing=signing
            )
        )
    )


@webhooks_cli.command("list", help="List endpoints as JSON (without secrets).")
def list_command() -> None:
    _echo(admin.list_endpoints(_gk()))


@webhooks_cli.command("remove", help="Remove an endpoint (its delivery log stays).")
@click.argument("endpoint_id", type=int)
def remove_command(endpoint_id: int) -> None:
    _guarded(lambda: admin.delete_endpoint(_gk(), endpoint_id))
    click.echo(f"removed endpoint {endpoint_id}")


@webhooks_cli.command("log", help="Show deliveries, newest first, as JSON.")
@click.option("--status", type=click.Choice(STATUSES), default=None)
@click.option("--endpoint", "endpoint_id", type=int, default=None)
@click.option("--limit", type=click.IntRange(1, admin.MAX_PAGE), default=20, show_default=True)
def log_command(status: str | None, endpoint_id: int | None, limit: int) -> None:
    items, _ = admin.list_deliveries(_gk(), status=status, endpoint_id=endpoint_id, limit=limit)
    _echo(items)


@webhooks_cli.command("replay", help="Queue a copy of a delivery (a new delivery id, the same event).")
@click.argument("delivery", type=int)
def replay_command(delivery: int) -> None:
    copy = _guarded(lambda: replay(_gk(), delivery))
    copy.pop("_url")
    _echo(copy)


@webhooks_cli.command("deliver", help="Send due deliveries: with --once until none is due, else until Ctrl-C.")
@click.option("--once", is_flag=True, help="Drain what is due now and exit (for cron).")
def deliver_command(once: bool) -> None:
    gk = _gk()
    if once:
        click.echo(f"{deliver_due(gk)} attempts made")
        return
    poll = settings_module.current().poll_seconds
    idle = threading.Event()  # never set: waiting on it is an interruptible sleep
    try:
        while True:
            made = deliver_due(gk)
            if made:
                click.echo(f"{made} attempts made")
            idle.wait(poll)
    except KeyboardInterrupt:
        click.echo("stopped")
