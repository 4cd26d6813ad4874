"""``flask github link | unlink | list``: manage which host user each GitHub account is.

``link octocat 42`` looks the numeric id of ``octocat`` up on GitHub's REST API
(``GUILDKIT_GITHUB_API_URL``; the only network call the plugin makes, and only here);
``link 583231 42`` or ``link octocat 42 --github-id 583231`` need no network.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from guildkit import GuildKit, GuildKitError

from . import accounts
from .config import settings_of

github_cli = AppGroup("github", help="Link GitHub accounts to members for the GitHub webhook receiver.")

_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
LOOKUP_TIMEOUT = 10


def _gk() -> GuildKit:
    return current_app.extensions["guildkit"].gk  # type: ignore[no-any-return]


def lookup_id(api_url: str, login: str) -> tuple[int, str]:
    """``(id, login)`` of the GitHub user ``login``, from ``GET {api_url}/users/{login}``."""
    url = f"{api_url}/users/{urllib.parse.quote(login)}"
    req = urllib.request.Request(
        url, headers={"Accept": "application/vnd.github+json", "User-Agent": "guildkit-github"}
    )
    try:
        with urllib.request.urlopen(req, timeout=LOOKUP_TIMEOUT) as response:
            data: Any = json.loads(response.read(1024 * 1024))
    except urllib.error.HTTPError as exc:
        exc.close()  # an HTTPError is also the open response
        if exc.code == 404:
            raise click.ClickException(f"GitHub has no user {login!r}") from None
        raise click.ClickException(f"GitHub answered {exc.code} for {url}; give --github-id instead") from None
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"could not look {login!r} up at {url} ({exc}); give --github-id instead") from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not isinstance(data.get("login"), str):
        raise click.ClickException(f"{url} did not answer with a GitHub user")
    return data["id"], data["login"]


@github_cli.command("link", help="Link a GitHub account (login or numeric id) to a host user id.")
@click.argument("login_or_id")
@click.argument("user_id")
@click.option("--github-id", type=click.IntRange(min=1), help="The account's numeric id (skips the lookup).")
def link_command(login_or_id: str, user_id: str, github_id: int | None) -> None:
    login: str | None
    if github_id is not None:
        login = login_or_id
    elif login_or_id.isdigit():
        github_id, login = int(login_or_id), None
    else:
        if not _LOGIN.match(login_or_id):
            raise click.BadParameter(f"{login_or_id!r} is not a GitHub login", param_hint="LOGIN_OR_ID")
        settings = settings_of(current_app)
        api_url = settings.api_url if settings else "https://api.github.com"
        github_id, login = lookup_id(api_url, login_or_id)
    try:
        account = accounts.link(_gk(), github_id=github_id, user_id=user_id, login=login)
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"linked GitHub {account.login or '(login unknown)'} (id {account.github_id}) to user {account.user_id}")


@github_cli.command("unlink", help="Remove the link of a GitHub account (login or numeric id), or of --user.")
@click.argument("login_or_id", required=False)
@click.option("--user", "user_id", help="Unlink whatever GitHub account this host user has.")
def unlink_command(login_or_id: str | None, user_id: str | None) -> None:
    if (login_or_id is None) == (user_id is None):
        raise click.UsageError("give either LOGIN_OR_ID or --user")
    gk = _gk()
    try:
        if user_id is not None:
            removed = accounts.unlink(gk, user_id=user_id)
        elif login_or_id is not None and login_or_id.isdigit():
            removed = accounts.unlink(gk, github_id=int(login_or_id))
        else:
            removed = accounts.unlink(gk, login=login_or_id)
    except GuildKitError as exc:
        raise click.ClickException(str(exc)) from exc
    if removed is None:
        raise click.ClickException(f"no link for {login_or_id or user_id!r}")
    click.echo(f"unlinked GitHub {removed.login or '(login unknown)'} (id {removed.github_id}) from {removed.user_id}")


@github_cli.command("list", help="List the links as JSON.")
def list_command() -> None:
    click.echo(json.dumps([account.as_json() for account in accounts.linked_accounts(_gk())], indent=2))
