"""The setting-up hooks: guildkit_init_app (historic) and guildkit_register_tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
import sqlalchemy as sa
from flask import Blueprint, Flask

from guildkit import GuildKit, hookimpl
from guildkit.testing import make_app

SHOUTS = sa.MetaData()
shouts = sa.Table(
    "guildkit_shout_messages",
    SHOUTS,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String(200), nullable=False),
)


class ShoutPlugin:
    """Sets itself up like a real integration: a config default, a command, a route and a table."""

    def __init__(self) -> None:
        self.apps: list[Flask] = []

    @hookimpl
    def guildkit_init_app(self, gk: GuildKit, app: Flask) -> None:
        self.apps.append(app)
        app.config.setdefault("GUILDKIT_SHOUT_PREFIX", "/shout")
        routes = Blueprint("shout", __name__)
        routes.add_url_rule(
            "/",
            "count",
            lambda: {"shouts": gk.session.execute(sa.select(sa.func.count()).select_from(shouts)).scalar()},
        )
        app.register_blueprint(routes, url_prefix=app.config["GUILDKIT_SHOUT_PREFIX"])

        @app.cli.command("shout")
        @click.argument("text")
        def shout(text: str) -> None:
            gk.transaction(lambda tx: tx.conn.execute(shouts.insert().values(text=text)))
            click.echo(text.upper())

    @hookimpl
    def guildkit_register_tables(self, gk: GuildKit) -> list[sa.MetaData]:
        return [SHOUTS]


def test_guildkit_init_app_sets_up_routes_commands_and_config(tmp_path: Path) -> None:
    plugin = ShoutPlugin()
    with make_app("sqlite", tmp_path, plugins=(plugin,), config={"GUILDKIT_SHOUT_PREFIX": "/loud"}) as (app, _):
        assert plugin.apps == [app]
        result = app.test_cli_runner().invoke(args=["shout", "hello"])
        assert result.exit_code == 0 and result.output == "HELLO\n"
        assert app.test_client().get("/loud/").get_json() == {"shouts": 1}


def test_guildkit_init_app_is_historic_for_plugins_registered_later(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path) as (app, gk):
        late = ShoutPlugin()
        gk.register(late)
        assert late.apps == [app]  # called at once, for the app already set up
        assert app.config["GUILDKIT_SHOUT_PREFIX"] == "/shout"
        assert "shout" in app.cli.commands


def test_guildkit_register_tables_are_created_by_create_all_and_db_upgrade(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path / "made", plugins=(ShoutPlugin(),)) as (app, gk):
        assert "guildkit_shout_messages" in sa.inspect(gk.store.engine).get_table_names()
    app = Flask("migrated", instance_path=str(tmp_path / "instance"))
    app.config.update(GUILDKIT_DATABASE_URI=f"sqlite:///{tmp_path / 'migrated.db'}", GUILDKIT_LOAD_ENTRY_POINTS=False)
    gk = GuildKit(app, plugins=[ShoutPlugin()])
    result = app.test_cli_runner().invoke(args=["guildkit", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = sa.inspect(gk.store.engine).get_table_names()
        gk.store.engine.dispose()
    assert "guildkit_shout_messages" in tables and "guildkit_members" in tables


def test_a_plugin_row_commits_with_the_activity_or_not_at_all(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(ShoutPlugin(),)) as (_, gk):

        def shout_and_fail(tx: Any) -> None:
            tx.conn.execute(shouts.insert().values(text="lost"))
            tx.record("shout.made", key="shout:1", actor="ann")
            raise RuntimeError("the plugin's own check failed")

        with pytest.raises(RuntimeError, match="own check failed"):
            gk.transaction(shout_and_fail)
        count = gk.session.execute(sa.select(sa.func.count()).select_from(shouts)).scalar()
        assert count == 0
        assert gk.session.execute(sa.text("select count(*) from guildkit_activities")).scalar() == 0


def test_each_app_has_its_own_guildkit_command_group(tmp_path: Path) -> None:
    @click.command("extra")
    def extra() -> None:
        click.echo("only here")

    with make_app("sqlite", tmp_path / "one") as (one, _), make_app("sqlite", tmp_path / "two") as (two, _):
        group = one.cli.commands["guildkit"]
        assert isinstance(group, click.Group)
        group.add_command(extra)
        assert one.test_cli_runner().invoke(args=["guildkit", "extra"]).output == "only here\n"
        other = two.cli.commands["guildkit"]
        assert isinstance(other, click.Group) and "extra" not in other.commands and "db" in other.commands
