"""The plugin is found through the ``guildkit`` entry-point group, as an installed package."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from guildkit.testing import make_app

import guildkit_stackexchange


def test_entry_point_is_declared() -> None:
    found = {ep.name: ep for ep in entry_points(group="guildkit")}
    assert "stackexchange" in found, "pip install -e plugins/guildkit-stackexchange first"
    ep = found["stackexchange"]
    assert ep.value == "guildkit_stackexchange"
    assert ep.dist is not None and ep.dist.metadata["Name"] == "guildkit-stackexchange"
    assert ep.load() is guildkit_stackexchange


def test_guildkit_loads_it_from_the_entry_point(gk_backend: str, tmp_path: Path) -> None:
    # The allow list keeps other installed guildkit plugins (which may define their own
    # "reputation") out of this test; the plugin is still found through its entry point.
    config = {"GUILDKIT_LOAD_ENTRY_POINTS": True, "GUILDKIT_PLUGINS_ALLOW": ["stackexchange"]}
    with make_app(gk_backend, tmp_path, config=config) as (_, gk):
        assert gk.pm.get_plugin("stackexchange") is guildkit_stackexchange
        reputation = gk.registry.point_types["reputation"]
        assert (reputation.floor, reputation.daily_cap) == (1, 200)
        assert gk.registry.origin[("point type", "reputation")] == "stackexchange"
        gk.join("author")
        gk.record("answer.upvoted", actor="voter", target="author", key="vote:1")
        assert gk.balance("author", "reputation") == 11


def test_not_loaded_when_entry_points_are_off(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, config={"GUILDKIT_LOAD_ENTRY_POINTS": False}) as (_, gk):
        assert gk.pm.get_plugin("stackexchange") is None
        assert "reputation" not in gk.registry.point_types
