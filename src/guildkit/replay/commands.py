"""``flask guildkit rules``: the rule set's versions, and previewing and applying rule changes."""

from __future__ import annotations

import json
import time
from typing import Any

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit
from guildkit.errors import GuildKitError
from guildkit.replay.apply import ApplyResult
from guildkit.replay.preview import Preview
from guildkit.rules import versions

rules_group = AppGroup("rules", help="The rule set's versions; preview a change, apply the rules in force to history.")


@rules_group.command("versions", help="List the stored rule-set versions, oldest first.")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
def rules_versions(as_json: bool) -> None:
    gk = current_guildkit()
    with gk.store.engine.connect() as conn:
        entries = versions.history(conn)
    current = versions.in_force(gk.registry, [row for row, _ in entries])
    out = [
        {
            "version": row.id,
            "content_hash": row.content_hash,
            "first_seen_at": row.first_seen_at.isoformat(),
            "last_seen_at": row.last_seen_at.isoformat(),
            "in_force": row.id == current,
            "changes_from_previous": len(changes),
        }
        for row, changes in entries
    ]
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    for v in out:
        mark = "in force" if v["in_force"] else ""
        click.echo(
            f"v{v['version']:<4} {v['content_hash'][:12]}  first seen {v['first_seen_at'][:16]}  "
            f"{v['changes_from_previous']} changes  {mark}".rstrip()
        )


@rules_group.command(
    "diff", help="What changed between two versions (default: the one before the rules in force, and those)."
)
@click.argument("before", type=int, required=False)
@click.argument("after", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
def rules_diff(before: int | None, after: int | None, as_json: bool) -> None:
    gk = current_guildkit()
    with gk.store.engine.connect() as conn:
        rows = versions.stored(conn)
    snapshots = {row.id: row.snapshot for row in rows}
    after = versions.in_force(gk.registry, rows) if after is None else after
    before = max((v for v in snapshots if after is not None and v < after), default=None) if before is None else before
    for name, number in (("BEFORE", before), ("AFTER", after)):
        if number is None or number not in snapshots:
            raise click.BadParameter(f"there is no rule-set version {number}", param_hint=name)
    changes = versions.diff(snapshots[before], snapshots[after])
    if as_json:
        click.echo(json.dumps({"before": before, "after": after, "changes": [c.as_json() for c in changes]}, indent=2))
        return
    click.echo(f"v{before} → v{after}: {len(changes)} changes")
    for change in changes:
        click.echo("  " + versions.describe_change(change))


@rules_group.command(
    "preview",
    help="What the rules in force with FILE's definitions in place of theirs (and --remove'd ones left out) "
    "would change for every member, had they always been in force. Writes nothing.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--remove", multiple=True, metavar="NAME", help="Leave out this rule, badge, role or point type.")
@click.option("--json", "as_json", is_flag=True, help="Everything, as JSON.")
@click.option("--members", "shown", type=int, default=20, show_default=True, help="Members to list (text).")
def rules_preview(file: str | None, remove: tuple[str, ...], as_json: bool, shown: int) -> None:
    gk = current_guildkit()
    try:
        found = gk.rules.preview(file, remove=remove)
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(found.as_json(), indent=2))
        return
    for line in describe_preview(found, shown):
        click.echo(line)


def describe_preview(found: Preview, shown: int) -> list[str]:
    """The preview in words: totals first, then the first ``shown`` members."""
    totals = found.totals
    lines = [f"{found.activities} activities replayed; {totals.members} members would see a change."]
    for point_type in sorted(totals.points_gained.keys() | totals.points_lost.keys()):
        lines.append(f"  {point_type}: +{totals.points_gained[point_type]} / -{totals.points_lost[point_type]} points")
    for label, counts in (("awarded", totals.badges_awarded), ("taken back", totals.badges_revoked)):
        for (badge, level), count in sorted(counts.items()):
            lines.append(f"  badge {badge} level {level} {label}: {count}")
    for label, per_type in (("up", totals.levels_up), ("down", totals.levels_down)):
        for point_type, count in sorted(per_type.items()):
            lines.append(f"  {point_type} level {label}: {count} members")
    for label, roles in (("granted", totals.roles_granted), ("revoked", totals.roles_revoked)):
        for role, count in sorted(roles.items()):
            lines.append(f"  role {role} {label}: {count}")
    if found.counters_only:
        lines.append(f"  {found.counters_only} more members: counters only (nothing they see)")
    for change in found.members[:shown]:
        parts = [f"{t} {a}→{b}" for t, (a, b) in sorted(change.points.items())]
        parts += [f"{b} {lv} {'+' if n > 0 else ''}{n}" for (b, lv), n in sorted(change.badges.items())]
        parts += [f"{'+' if held else '-'}{role}" for role, held in sorted(change.roles.items())]
        lines.append(f"  {change.user_id}: {', '.join(parts)}")
    if len(found.members) > shown:
        lines.append(f"  … and {len(found.members) - shown} more (--json for all)")
    return lines


@rules_group.command(
    "apply",
    help="Bring every member to what the rules in force make of the whole history: the difference is "
    "written as new ledger rows, awards and revocations naming the version. Safe to run again.",
)
@click.option("--version", "version", type=int, default=None, help="Refuse unless this is the version in force.")
@click.option("--grandfather", is_flag=True, help="Keep badges and roles the rules no longer give.")
@click.option(
    "--notify", type=click.Choice(["gains", "nobody"]), default="gains", show_default=True, help="Who is told."
)
@click.option(
    "--dated",
    type=click.Choice(["earned", "today"]),
    default="earned",
    show_default=True,
    help="New awards' date: when earned, or today.",
)
@click.option("--by", default=None, help="Who asked (for the audit log).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def rules_apply(version: int | None, grandfather: bool, notify: Any, dated: Any, by: str | None, as_json: bool) -> None:
    gk = current_guildkit()
    started = time.monotonic()

    def progress(done: ApplyResult) -> None:
        if not as_json:
            click.echo(f"\r  {done.members} members changed so far …", nl=False, err=True)

    try:
        result = gk.rules.apply(
            version=version, grandfather=grandfather, notify=notify, dated=dated, by=by, after_chunk=progress
        )
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
        return
    click.echo("", err=True)
    click.echo(
        f"v{result.version}: {result.activities} activities replayed in {time.monotonic() - started:.1f} s; "
        f"{result.members} members changed: {result.ledger_rows} ledger rows, "
        f"{result.badges_awarded} badges awarded, {result.badges_revoked} taken back, "
        f"{result.roles_granted} roles granted, {result.roles_revoked} revoked, {result.kept} kept."
    )


COMMANDS = (rules_group,)
