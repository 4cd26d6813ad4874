"""The ``flask guildkit`` command group."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask.cli import AppGroup

from guildkit.current import current_guildkit
from guildkit.errors import GuildKitError
from guildkit.plugins import describe_plugins

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

guildkit_cli = AppGroup("guildkit", help="Manage guildkit: database, plugins, awards, members.")


def make_cli() -> AppGroup:
    """A ``guildkit`` group of this app's own, holding the built-in commands.

    Each app gets its own group, so a plugin adding commands to ``app.cli.commands["guildkit"]``
    in ``guildkit_init_app`` changes that app only.
    """
    group = AppGroup(guildkit_cli.name, help=guildkit_cli.help)
    for name, command in guildkit_cli.commands.items():
        group.add_command(command, name)
    return group


def sweep_group(name: str, help: str, sweep_help: str, sweep: Callable[[GuildKit], Any]) -> click.Group:
    """``flask guildkit <name> sweep``: a feature's periodic upkeep, printing what it did as JSON."""
    group = AppGroup(name, help=help)

    @group.command("sweep", help=sweep_help)
    def run() -> None:
        click.echo(json.dumps(sweep(_gk())))

    return group


def _gk() -> GuildKit:
    return current_guildkit()


def _fail(exc: GuildKitError) -> None:
    raise click.ClickException(str(exc)) from exc


@guildkit_cli.group("db", help="guildkit's database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply guildkit's migrations (its own Alembic history).")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    from guildkit.migrate import current, upgrade

    gk = _gk()
    before = current(gk.store.engine)
    upgrade(gk.store.engine, revision, gk=gk)
    gk.create_plugin_tables(migrated=True)
    gk._sync(force=True)
    after = current(gk.store.engine) or ""
    if (before is None or before < PERIODS_REVISION) and after >= PERIODS_REVISION:
        # That revision added week and month points, which need the community's time zone.
        _rebuild_leaderboards(gk)
    click.echo(f"guildkit database upgraded to {revision}")


#: The revision that added leaderboard periods (filled by ``leaderboards rebuild``).
PERIODS_REVISION = "core_0005"


def _rebuild_leaderboards(gk: GuildKit) -> dict[str, int]:
    from guildkit import leaderboards

    now = gk.clock()
    return gk.store.run_write(lambda conn: leaderboards.rebuild(conn, now, gk.state.zone))  # type: ignore[no-any-return]


@guildkit_cli.group("leaderboards", help="The leaderboards' stored points and rank counts.")
def leaderboards_group() -> None:
    pass


@leaderboards_group.command(
    "rebuild",
    help="Recompute this week's and month's points from the ledger and the rank counts from the "
    "balances (after upgrading, or if the database was edited by hand); prints what it wrote as JSON.",
)
def leaderboards_rebuild() -> None:
    click.echo(json.dumps(_rebuild_leaderboards(_gk())))


@db_group.command("current", help="Show the applied guildkit migration.")
@click.option("--all", "every", is_flag=True, help="Every branch's revision, as JSON (core and features).")
def db_current(every: bool) -> None:
    from guildkit.migrate import current, currents

    gk = _gk()
    if every:
        click.echo(json.dumps(currents(gk.store.engine, gk), indent=2))
    else:
        click.echo(current(gk.store.engine) or "(none)")


@guildkit_cli.command("plugins", help="List registered plugins as JSON: name, version, hooks.")
def plugins_command() -> None:
    click.echo(json.dumps(describe_plugins(_gk().pm), indent=2))


@guildkit_cli.command("award", help="Award points, a badge and/or a role to a member by hand.")
@click.argument("user_id")
@click.option("--reason", required=True)
@click.option("--points", type=int)
@click.option("--point-type")
@click.option("--badge")
@click.option("--level", type=int, default=1, show_default=True)
@click.option("--role")
@click.option("--key", help="Idempotency key (default: a new one).")
def award_command(
    user_id: str,
    reason: str,
    points: int | None,
    point_type: str | None,
    badge: str | None,
    level: int,
    role: str | None,
    key: str | None,
) -> None:
    try:
        result = _gk().award(
            user_id,
            reason=reason,
            points=points,
            point_type=point_type,
            badge=badge,
            level=level,
            role=role,
            key=key,
            by="cli",
        )
    except GuildKitError as exc:
        _fail(exc)
        return
    click.echo(
        json.dumps(
            {
                "key": result.key,
                "points": result.points_for(user_id),
                "badges": [b.badge for b in result.badges],
                "roles": [r.role for r in result.roles],
            }
        )
    )


@guildkit_cli.command("revoke", help="Revoke a badge or role, or retract an activity by key.")
@click.argument("user_id", required=False)
@click.option("--reason", required=True)
@click.option("--badge")
@click.option("--level", type=int)
@click.option("--role")
@click.option("--activity", "activity_key", help="Retract this activity (reverses its points).")
def revoke_command(
    user_id: str | None,
    reason: str,
    badge: str | None,
    level: int | None,
    role: str | None,
    activity_key: str | None,
) -> None:
    gk = _gk()
    try:
        if activity_key:
            result = gk.retract(activity_key, reason=reason)
        elif user_id:
            result = gk.revoke(user_id, reason=reason, badge=badge, level=level, role=role, by="cli")
        else:
            raise click.UsageError("give USER_ID with --badge/--role, or --activity KEY")
    except GuildKitError as exc:
        _fail(exc)
        return
    click.echo(
        json.dumps(
            {
                "key": result.key,
                "points": [
                    {"user_id": p.user_id, "point_type": p.point_type, "amount": p.amount} for p in result.points
                ],
                "badges_revoked": [b.badge for b in result.badges if not b.granted],
                "roles_revoked": [r.role for r in result.roles if not r.granted],
            }
        )
    )


@guildkit_cli.group("member", help="Inspect members; export or erase a member's data.")
def member_group() -> None:
    pass


@member_group.command("show", help="Show a member's status, balances, badges, roles and recent ledger.")
@click.argument("user_id")
@click.option("--ledger", "ledger_rows", type=int, default=10, show_default=True)
def member_show(user_id: str, ledger_rows: int) -> None:
    gk = _gk()
    try:
        member = gk.member(user_id)
    except GuildKitError as exc:
        _fail(exc)
        return
    click.echo(
        json.dumps(
            {
                "user_id": member.user_id,
                "status": member.status,
                "joined_at": member.joined_at.isoformat(),
                "balances": gk.balances(user_id),
                "badges": [{"badge": a.badge_slug, "level": a.level, "rule": a.rule} for a in gk.badges(user_id)],
                "roles": gk.roles(user_id),
                "ledger": [
                    {
                        "amount": e.amount,
                        "point_type": e.point_type,
                        "balance": e.balance_after,
                        "rule": e.rule,
                        "reason": e.reason,
                        "activity_id": e.activity_id,
                    }
                    for e in gk.ledger(user_id, limit=ledger_rows)
                ],
            },
            indent=2,
        )
    )


@member_group.command("export", help="Everything guildkit holds about a member, as JSON (docs/privacy.md).")
@click.argument("user_id")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write it to this file, not stdout."
)
def member_export(user_id: str, output: Path | None) -> None:
    try:
        document = _gk().privacy.export(user_id)
    except GuildKitError as exc:
        _fail(exc)
        return
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@member_group.command("erase", help="Erase a member for good: pseudonymised everywhere (docs/privacy.md).")
@click.argument("user_id")
@click.option("--reason", default="", help="Why, for the audit log (for example the request's reference).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def member_erase(user_id: str, reason: str, yes: bool) -> None:
    gk = _gk()
    try:
        gk.member(user_id)
    except GuildKitError as exc:
        _fail(exc)
        return
    if not yes:
        click.confirm(f"Erase member {user_id!r}? This cannot be undone", abort=True)
    try:
        erased = gk.privacy.erase(user_id, confirm=True, via="cli", reason=reason)
    except GuildKitError as exc:
        _fail(exc)
        return
    click.echo(
        json.dumps(
            {"tombstone": erased.tombstone, "erased_at": erased.erased_at.isoformat(), "plugins": erased.plugins}
        )
    )


@guildkit_cli.group("token", help="API tokens for servers (stored hashed; shown once).")
def token_group() -> None:
    pass


@token_group.command("create", help="Create a token; it is printed once and never again.")
@click.option("--name", required=True, help="What the token is for, e.g. 'forum sync'.")
@click.option("--scope", "scopes", multiple=True, required=True, help="A permission; repeat for several.")
def token_create(name: str, scopes: tuple[str, ...]) -> None:
    try:
        token, view = _gk().tokens.create(None, name, list(scopes), via="cli")
    except GuildKitError as exc:
        _fail(exc)
        return
    click.echo(json.dumps({"id": view.id, "name": view.name, "scopes": view.scopes, "token": token}))


@token_group.command("list", help="List tokens (never the tokens themselves).")
def token_list() -> None:
    click.echo(
        json.dumps(
            [
                {
                    "id": t.id,
                    "name": t.name,
                    "prefix": t.prefix,
                    "scopes": t.scopes,
                    "created_at": t.created_at.isoformat(),
                    "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                    "revoked": t.revoked,
                }
                for t in reversed(_gk().tokens.list())
            ],
            indent=2,
        )
    )


@token_group.command("revoke", help="Revoke a token by id; it stops working at once.")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    try:
        view = _gk().tokens.revoke(None, token_id, via="cli")
    except GuildKitError as exc:
        _fail(exc)
        return
    click.echo(f"token {view.id} ({view.name}) revoked")


@guildkit_cli.group("plugin", help="Write guildkit plugins.")
def plugin_group() -> None:
    pass


@plugin_group.command("new", with_appcontext=False, help="Write a minimal plugin package, guildkit-NAME.")
@click.argument("name")
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The folder to write the package in.",
)
def plugin_new(name: str, into: Path) -> None:
    from guildkit.scaffold import new_plugin

    try:
        written = new_plugin(name, into)
    except GuildKitError as exc:
        _fail(exc)
        return
    root = written[0].parent
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"Next: cd {root} && pip install -e . && pytest")
