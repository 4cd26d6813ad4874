"""The seasons feature's ``flask guildkit seasons`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit
from guildkit.errors import GuildKitError

seasons_group = AppGroup("seasons", help="Seasons and their leaderboards (see docs/seasons.md).")


@seasons_group.command("list", help="Every season, newest first, as JSON lines.")
def list_seasons() -> None:
    for season in current_guildkit().seasons.list():
        click.echo(json.dumps({
            "slug": season.slug, "name": season.name, "state": season.state, "point_type": season.point_type,
            "starts_at": season.starts_at.isoformat(), "ends_at": season.ends_at.isoformat(),
            "top_n": season.top_n, "badge": season.badge,
            "closed_at": season.closed_at.isoformat() if season.closed_at else None,
            "awarded_at": season.awarded_at.isoformat() if season.awarded_at else None,
        }))  # fmt: skip


@seasons_group.command("refresh", help="Bring the standings of SLUG (or of every open season) up to date.")
@click.argument("slug", required=False)
def refresh(slug: str | None) -> None:
    try:
        click.echo(json.dumps(current_guildkit().seasons.refresh(slug)))
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc


@seasons_group.command("close", help="Close SLUG now, or without it every season that has ended; award their badges.")
@click.argument("slug", required=False)
def close(slug: str | None) -> None:
    try:
        closed = current_guildkit().seasons.close(slug, via="cli")
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps([c.out() for c in closed]))


COMMANDS = (seasons_group,)
