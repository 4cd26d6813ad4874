"""``flask guildkit ob``: verify a credential file, export a member's credentials.

The group is added to guildkit's own ``guildkit`` command group by ``guildkit_init_app``.
``verify`` exits 0 for a valid credential and 1 otherwise, printing each problem.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from .issuer import openbadges

ob_group = AppGroup("ob", help="Open Badges 3.0: verify and export signed credentials.")


@ob_group.command("verify", help="Verify a credential file (VC-JWT or JSON) against this community's key and data.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify_command(file: str, as_json: bool) -> None:
    with click.open_file(file, encoding="utf-8") as handle:
        text = handle.read()
    result = openbadges().verify(text)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
    elif result.valid:
        name = (result.achievement or {}).get("name", "?")
        click.echo(f"valid: {name!r} issued by {result.issuer} (revoked: no)")
    else:
        click.echo("INVALID", err=True)
        for error in result.errors:
            click.echo(f"  - {error}", err=True)
    raise SystemExit(0 if result.valid else 1)


@ob_group.command("export", help="Write every live badge award of USER as a signed .jwt file.")
@click.argument("user")
@click.option("--out", "out", type=click.Path(file_okay=False), default=".", show_default=True)
def export_command(user: str, out: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    exported = openbadges().credentials_of(user)
    for award, token in exported:
        path = folder / f"{award.badge_slug}-level-{award.level}-{award.id}.jwt"
        path.write_text(token + "\n", encoding="utf-8")
        click.echo(str(path))
    click.echo(f"{len(exported)} credential(s) exported for {user}", err=True)
