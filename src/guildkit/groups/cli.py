"""The groups feature's ``flask guildkit groups`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit
from guildkit.errors import GuildKitError

groups_group = AppGroup("groups", help="Groups, their goals and badges (see docs/groups.md).")


@groups_group.command("list", help="Every group, by name, as JSON lines.")
def list_groups() -> None:
    gk = current_guildkit()
    after = None
    while True:
        found, after = gk.groups.directory(limit=100, after=after)
        for group in found:
            click.echo(json.dumps({
                "id": group.id, "slug": group.slug, "name": group.name, "policy": group.policy,
                "capacity": group.capacity, "members": group.member_count, "key": group.host_key,
            }))  # fmt: skip
        if after is None:
            return


@groups_group.command("ensure", help="Make the group the host knows as KEY (or bring its name up to date).")
@click.argument("key")
@click.option("--name", required=True, help="The group's name.")
@click.option("--slug", default=None, help="Its address (made from the name if left out; kept once made).")
@click.option("--policy", type=click.Choice(["open", "request", "invite"]), default=None)
@click.option("--capacity", type=int, default=None, help="At most this many members.")
def ensure(key: str, name: str, slug: str | None, policy: str | None, capacity: int | None) -> None:
    try:
        kept = ... if capacity is None else capacity  # left out: the capacity stays as it is
        group = current_guildkit().groups.ensure(key, name=name, slug=slug, policy=policy, capacity=kept)
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({"id": group.id, "slug": group.slug, "members": group.member_count}))


@groups_group.command("award", help="Award the badges of goals reached and not yet awarded.")
def award() -> None:
    click.echo(json.dumps({"awarded": current_guildkit().groups.award_due()}))


COMMANDS = (groups_group,)
