"""The package: found through the ``guildkit`` entry point, inert when unconfigured, and documented
(the README names every config key and every activity type)."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from guildkit.testing import make_app

import guildkit_github
from github_support import SECRET
from guildkit_github.config import DEFAULTS

README = Path(__file__).parents[1] / "README.md"


def test_entry_point_is_declared() -> None:
    found = {ep.name: ep for ep in entry_points(group="guildkit")}
    assert "github" in found, "pip install -e plugins/guildkit-github first"
    ep = found["github"]
    assert ep.value == "guildkit_github"
    assert ep.dist is not None and ep.dist.metadata["Name"] == "guildkit-github"
    assert ep.load() is guildkit_github


def test_loaded_from_the_entry_point_and_inert_without_a_secret(tmp_path: Path) -> None:
    config = {"GUILDKIT_LOAD_ENTRY_POINTS": True, "GUILDKIT_PLUGINS_ALLOW": ["github"]}
    with make_app("sqlite", tmp_path, config=config) as (app, gk):
        assert gk.pm.get_plugin("github") is guildkit_github
        assert not [r for r in app.url_map.iter_rules() if r.endpoint.startswith("guildkit_github.")]
        assert "contribution" not in gk.registry.point_types
        assert "github" in app.cli.commands


def test_loaded_from_the_entry_point_with_a_secret(tmp_path: Path) -> None:
    config = {
        "GUILDKIT_LOAD_ENTRY_POINTS": True,
        "GUILDKIT_PLUGINS_ALLOW": ["github"],
        "GUILDKIT_GITHUB_SECRET": SECRET,
    }
    with make_app("sqlite", tmp_path, config=config) as (app, gk):
        assert [r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("guildkit_github.")] == [
            "/hooks/github"
        ]
        assert gk.registry.origin[("point type", "contribution")] == "github"


def test_the_readme_documents_every_key_and_activity_type() -> None:
    text = README.read_text()
    for key in DEFAULTS:
        assert f"`{key}`" in text, f"{key} is not in the README's config table"
    for activity_type in guildkit_github.ACTIVITY_TYPES:
        assert f"`{activity_type}`" in text, f"{activity_type} is not in the README's mapping table"
