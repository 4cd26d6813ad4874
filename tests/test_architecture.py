"""The layers hold: the import-linter contracts in pyproject.toml cover every module, and break
when a core module imports a feature (docs/architecture.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from guildkit.plugins import CORE_PLUGINS, DEFAULT_PLUGINS

ROOT = Path(__file__).parent.parent
SRC = ROOT / "src" / "guildkit"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def top_level() -> set[str]:
    return {
        f"guildkit.{path.stem}"
        for path in SRC.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }


def test_the_core_contract_names_every_top_level_module_that_is_not_a_feature_or_web() -> None:
    features = set(contracts()["features"]["modules"])  # type: ignore[arg-type]
    public = {"guildkit.web", "guildkit.testing"}  # web: its own contract; testing: the pytest plugin, above all
    core = set(contracts()["core"]["source_modules"])  # type: ignore[arg-type]
    assert core == top_level() - features - public
    # Every feature folder is a default plugin, and every default plugin outside the core is a feature.
    assert features == {name for name, _ in DEFAULT_PLUGINS if name not in CORE_PLUGINS} | {
        "guildkit.community",
    }
    assert set(contracts()["core"]["forbidden_modules"]) == features | {"guildkit.web"}  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_core_module_importing_a_feature_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "src" / "guildkit"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    command = [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--contract", "core", "--no-cache"]
    kept = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert kept.returncode == 0, kept.stdout
    unit = copy / "unit.py"
    unit.write_text(unit.read_text() + "\nfrom guildkit.mentorship import models as _leak  # noqa: E402\n")
    broken = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert broken.returncode != 0
    assert "guildkit.unit is not allowed to import guildkit.mentorship" in broken.stdout
