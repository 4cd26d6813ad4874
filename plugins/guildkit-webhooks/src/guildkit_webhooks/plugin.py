"""Setting the plugin up on an app: config, tables, the admin blueprint and the CLI.

Inert until configured: ``init_app`` starts no thread and opens no connection; the admin API
answers admins only; deliveries are jobs (:mod:`.jobs`), queued as rows are written.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask
from guildkit import GuildKit, hookimpl

from . import settings as settings_module
from .api import blueprint
from .cli import webhooks_cli
from .tables import metadata


@hookimpl
def guildkit_init_app(gk: GuildKit, app: Flask) -> None:
    settings = settings_module.apply_defaults(app)
    if settings.url_prefix is not None:
        app.register_blueprint(blueprint, url_prefix=settings.url_prefix)
    app.cli.add_command(webhooks_cli)


@hookimpl
def guildkit_register_tables(gk: GuildKit) -> Iterable[sa.MetaData]:
    return [metadata]
