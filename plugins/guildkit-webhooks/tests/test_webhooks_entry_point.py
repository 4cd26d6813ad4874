"""Installed, the plugin is found through the ``guildkit`` entry-point group; bad config fails at start-up;
``flask guildkit db upgrade`` brings a 0.1 database up to date."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from guildkit import ConfigurationError, GuildKit
from guildkit.testing import make_app

import guildkit_webhooks
from guildkit_webhooks.admin import list_endpoints
from guildkit_webhooks.tables import ENDPOINTS, SIGNING


def test_entry_point_is_declared() -> None:
    found = {ep.name: ep for ep in entry_points(group="guildkit")}
    assert "webhooks" in found, "pip install -e plugins/guildkit-webhooks first"
    assert found["webhooks"].value == "guildkit_webhooks"
    assert found["webhooks"].load() is guildkit_webhooks


def test_loaded_from_the_entry_point_with_its_tables_routes_and_commands(tmp_path: Path) -> None:
    config = {"GUILDKIT_LOAD_ENTRY_POINTS": True, "GUILDKIT_PLUGINS_ALLOW": ["webhooks"]}
    with make_app("sqlite", tmp_path, config=config) as (app, gk):
        assert gk.pm.get_plugin("webhooks") is guildkit_webhooks
        tables = set(sa.inspect(gk.store.engine).get_table_names())
        assert {"guildkit_webhooks_endpoints", "guildkit_webhooks_deliveries", "guildkit_webhooks_signing"} <= tables
        assert "webhooks" in app.cli.commands
        assert any(rule.rule == "/guildkit/webhooks/endpoints" for rule in app.url_map.iter_rules())


def test_the_api_can_be_left_unmounted(tmp_path: Path) -> None:
    config = {"GUILDKIT_WEBHOOKS_URL_PREFIX": None}
    with make_app("sqlite", tmp_path, config=config, plugins=(guildkit_webhooks,)) as (app, _):
        assert not any(rule.rule.startswith("/guildkit/webhooks") for rule in app.url_map.iter_rules())


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("GUILDKIT_WEBHOOKS_WORKER", "yes"),
        ("GUILDKIT_WEBHOOKS_TIMEOUT", 0),
        ("GUILDKIT_WEBHOOKS_MAX_ATTEMPTS", 1.5),
        ("GUILDKIT_WEBHOOKS_LEASE_SECONDS", 1.0),  # shorter than the timeout
        ("GUILDKIT_WEBHOOKS_URL_PREFIX", "hooks"),
        ("GUILDKIT_WEBHOOKS_ROTATION_OVERLAP", -1),
    ],
)
def test_bad_config_fails_at_start_up(tmp_path: Path, key: str, value: object) -> None:
    with (
        pytest.raises(ConfigurationError, match=key),
        make_app("sqlite", tmp_path, config={key: value}, plugins=(guildkit_webhooks,)),
    ):
        pass


def test_db_upgrade_gives_a_0_1_database_the_signing_table(tmp_path: Path) -> None:
    app = Flask("upgraded", instance_path=str(tmp_path / "instance"))
    app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, GUILDKIT_DATABASE_URI=f"sqlite:///{tmp_path / 'gk.db'}")
    gk = GuildKit(app, plugins=(guildkit_webhooks,))
    upgrade = app.test_cli_runner()
    assert upgrade.invoke(args=["guildkit", "db", "upgrade"]).exit_code == 0
    with app.app_context():
        engine = gk.store.engine
        # What 0.1 left: the endpoints and deliveries tables, an endpoint, no signing table.
        with engine.begin() as conn:
            SIGNING.drop(conn)
            conn.execute(
                sa.insert(ENDPOINTS).values(
                    url="https://old.example.org/", events=["*"], secret="s" * 43, created_at=gk.clock()
                )
            )
        assert "guildkit_webhooks_signing" not in sa.inspect(engine).get_table_names()
        result = upgrade.invoke(args=["guildkit", "db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "guildkit_webhooks_signing" in sa.inspect(engine).get_table_names()
        [endpoint] = list_endpoints(gk)
        assert endpoint["signing"] == "guildkit-v1"
        gk.store.remove_session()
        engine.dispose()
