"""Offers ``gk.rules`` (:class:`guildkit.replay.changes.RuleChanges`), the ``flask guildkit rules``
commands and the ``guildkit.rules.apply`` job: rule-set versions, previewing and applying rule changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from guildkit.jobs import Job
from guildkit.markers import hookimpl
from guildkit.replay.changes import RuleChanges

if TYPE_CHECKING:
    import click

    from guildkit.extension import GuildKit

APPLY_JOB = "guildkit.rules.apply"


@hookimpl
def guildkit_register_services(gk: GuildKit) -> dict[str, Callable[[GuildKit], object]]:
    return {"rules": RuleChanges}


@hookimpl
def guildkit_register_commands(gk: GuildKit) -> Iterable[click.Command]:
    from guildkit.replay.commands import COMMANDS

    return COMMANDS


def _apply(gk: GuildKit, **options: Any) -> dict[str, Any]:
    # Safe to run twice or to die midway: an apply compares again and writes what is left.
    return gk.rules.apply(**options).as_json()  # type: ignore[no-any-return]


@hookimpl
def guildkit_register_jobs(gk: GuildKit) -> list[Job]:
    return [Job(APPLY_JOB, _apply, "Bring every member to what the rules in force make of the whole history.")]
