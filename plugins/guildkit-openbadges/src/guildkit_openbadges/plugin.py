"""The hook implementations guildkit calls: set up on the app, and add download links to badge pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, url_for
from guildkit import GuildKit, PageLink, hookimpl

from .cli import ob_group
from .issuer import DEFAULTS, EXTENSION, OpenBadges
from .web import blueprint


@hookimpl
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.extensions[EXTENSION] = OpenBadges(gk, app)
    prefix = app.config["GUILDKIT_OPENBADGES_URL_PREFIX"]
    if prefix and blueprint.name not in app.blueprints:
        app.register_blueprint(blueprint, url_prefix=prefix)
    group = app.cli.commands.get("guildkit")
    # guildkit's command group is one object shared by every app: add "ob" to it once.
    if group is not None and hasattr(group, "add_command") and "ob" not in getattr(group, "commands", {}):
        group.add_command(ob_group)


@hookimpl
def guildkit_page_links(gk: GuildKit, page: str, subject: dict[str, Any], viewer: str | None) -> Iterable[PageLink]:
    if page != "badge" or viewer is None or not subject.get("held_levels"):
        return []
    if "guildkit_openbadges" not in current_app.blueprints:
        return []
    slug = subject["badge"]
    awards = sorted((a for a in gk.badges(viewer) if a.badge_slug == slug), key=lambda a: (a.level, a.id))
    return [
        PageLink(
            f"Download as an Open Badge (level {a.level})",
            url_for("guildkit_openbadges.credential", award_id=a.id),
        )
        for a in awards
    ]
