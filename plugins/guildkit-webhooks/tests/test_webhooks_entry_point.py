"""Installed, the plugin is found through the ``guildkit`` entry-point group; bad config fails at start-up."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
import sqlalchemy as sa
from guildkit import ConfigurationError
from guildkit.testing import make_app

import guildkit_webhooks


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
        assert {"guildkit_webhooks_endpoints", "guildkit_webhooks_deliveries"} <= tables
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
        ("GUILDKIT_WEBHOOKS_WORKER_THREADS", 0),
        ("GUILDKIT_WEBHOOKS_URL_PREFIX", "hooks"),
    ],
)
def test_bad_config_fails_at_start_up(tmp_path: Path, key: str, value: object) -> None:
    with (
        pytest.raises(ConfigurationError, match=key),
        make_app("sqlite", tmp_path, config={key: value}, plugins=(guildkit_webhooks,)),
    ):
        pass
