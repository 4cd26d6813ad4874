"""``flask guildkit plugin new``: the package it writes installs nothing by itself, lints clean,
type-checks, and its own tests pass against guildkit's pytest fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from guildkit.errors import ValidationError
from guildkit.scaffold import new_plugin

VENV_BIN = Path(sys.executable).parent


@pytest.fixture(params=["sqlite"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_command_writes_a_plugin_whose_tests_pass(gk_app: Flask, tmp_path: Path) -> None:
    result = gk_app.test_cli_runner().invoke(args=["guildkit", "plugin", "new", "thanks", "--into", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "guildkit-thanks"
    assert f"Next: cd {root} && pip install -e . && pytest" in result.output
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "pyproject.toml",
        "src/guildkit_thanks/__init__.py",
        "src/guildkit_thanks/plugin.py",
        "src/guildkit_thanks/py.typed",
        "tests/conftest.py",
        "tests/test_plugin.py",
    ]
    assert 'thanks = "guildkit_thanks.plugin"' in (root / "pyproject.toml").read_text()

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(root / "src")}
        return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)

    tests = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "passed" in tests.stdout and "failed" not in tests.stdout
    lint = run(str(VENV_BIN / "ruff"), "check", "--no-cache", "--select", "E,F,I,UP,B", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    types = run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "src")
    assert types.returncode == 0, types.stdout + types.stderr


def test_it_refuses_bad_names_and_never_overwrites(tmp_path: Path) -> None:
    for bad in ("Kudos", "2fast", "a--b", "with space", "x" * 41):
        with pytest.raises(ValidationError) as info:
            new_plugin(bad, tmp_path)
        assert info.value.field == "name"
    new_plugin("thanks", tmp_path)
    with pytest.raises(ValidationError, match="already exists"):
        new_plugin("thanks", tmp_path)
    assert not list(tmp_path.glob("guildkit-*/**/*.orig"))
