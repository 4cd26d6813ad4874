"""The challenges feature's ``flask guildkit challenges`` commands (``guildkit_register_commands``)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit
from guildkit.errors import GuildKitError

challenges_group = AppGroup("challenges", help="Challenges and quests (see docs/challenges.md).")


@challenges_group.command("list", help="Challenges as JSON lines: STATE is running, upcoming, finished or all.")
@click.argument("state", required=False, default="all", type=click.Choice(["all", "running", "upcoming", "finished"]))
def list_challenges(state: str) -> None:
    service = current_guildkit().challenges
    after = None
    while True:
        found = service.list(state=None if state == "all" else state, limit=200, after=after)
        for c in found:
            click.echo(json.dumps({
                "id": c.id, "title": c.title, "state": c.state, "audience": c.audience, "group_id": c.group_id,
                "starts_at": c.starts_at.isoformat(), "ends_at": c.ends_at.isoformat(), "recurrence": c.recurrence,
                "steps": [[s.activity_type, s.count] for s in c.steps], "joined": c.joined, "completed": c.completed,
                "closed_at": c.closed_at.isoformat() if c.closed_at else None,
            }))  # fmt: skip
        if len(found) < 200:
            return
        after = (found[-1].ends_at, found[-1].id)


@challenges_group.command("close", help="End challenge ID now (a weekly series ends with it).")
@click.argument("challenge_id", type=int)
def close(challenge_id: int) -> None:
    try:
        closed = current_guildkit().challenges.close(challenge_id, via="cli")
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({"id": closed.id, "state": closed.state, "closed_at": closed.closed_at.isoformat()
                           if closed.closed_at else None}))  # fmt: skip


@challenges_group.command("upkeep", help="Open weekly challenges' next week, settle ended ones, reward what is due.")
def upkeep() -> None:
    click.echo(json.dumps(current_guildkit().challenges.upkeep()))


COMMANDS = (challenges_group,)
