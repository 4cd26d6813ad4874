"""Meta-tests that keep the docs and the tests honest (after datasette's test_docs.py)."""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

import pytest

from guildkit import GuildKit, config, hookdocs

ROOT = Path(__file__).parent.parent
HOOKS = [name for name, _ in hookdocs.hook_functions()]


def test_hook_reference_is_up_to_date() -> None:
    assert (ROOT / "docs" / "hooks.md").read_text() == hookdocs.render(), (
        "run: python -m guildkit.hookdocs > docs/hooks.md"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook: str) -> None:
    fn = dict(hookdocs.hook_functions())[hook]
    doc = inspect.getdoc(fn) or ""
    params = list(inspect.signature(fn).parameters)  # type: ignore[arg-type]
    assert doc.split("\n")[0].endswith("."), f"{hook} needs a one-line summary"
    for param in params:
        assert f":param {param}:" in doc, f"{hook} does not document {param}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook: str) -> None:
    own = Path(__file__).name
    tested = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != own and hook in p.read_text()]
    assert tested, f"no test mentions {hook}"


def test_every_config_key_is_documented() -> None:
    text = (ROOT / "docs" / "config.md").read_text()
    documented = set(re.findall(r"`(GUILDKIT_[A-Z_]+)`", text))
    # The core's keys and those guildkit's features contribute (guildkit_register_config).
    assert documented == set(GuildKit().config_defaults())
    assert set(config.DEFAULTS) < documented


def test_the_python_api_tour_runs_and_prints_what_it_says(tmp_path: Path) -> None:
    import subprocess
    import sys

    text = (ROOT / "docs" / "python-api.md").read_text()
    match = re.search(r"<!-- python-api:tour .*?-->\n```python\n(.*?)```", text, re.S)
    assert match, "docs/python-api.md has no python-api:tour block"
    code = match.group(1)
    (tmp_path / "tour.py").write_text(code)
    # As on a fresh install, where no other guildkit plugin is installed (as tests/test_readme.py does).
    (tmp_path / "sitecustomize.py").write_text(
        "import guildkit.plugins\nguildkit.plugins.entry_points = lambda group: []\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")} | {"PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "tour.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    promised = [m.group(1).strip() for m in re.finditer(r"^\s*print\(.*\)  # (.*)$", code, re.M)]
    assert result.stdout.splitlines() == promised
