"""The README's quickstarts are code that really runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text()


def block(name: str) -> str:
    match = re.search(rf"<!-- quickstart:{name} .*?-->\n```python\n(.*?)```", README, re.S)
    assert match, f"README has no quickstart:{name} block"
    return match.group(1)


def run_python(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the venv's Python in ``tmp_path`` as a user would, with this checkout's plugins hidden."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(tmp_path)
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_embedding_quickstart_runs_and_prints_what_it_says(tmp_path: Path) -> None:
    code = block("embed")
    # As on a fresh install, where no other guildkit plugin is installed.
    (tmp_path / "sitecustomize.py").write_text(
        "import guildkit.plugins\nguildkit.plugins.entry_points = lambda group: []\n"
    )
    (tmp_path / "app.py").write_text(code)
    result = run_python(tmp_path, "app.py")
    assert result.returncode == 0, result.stderr
    promised = [m.group(1).split(" (")[0].strip() for m in re.finditer(r"^\s*print\(.*\)  # (.*)$", code, re.M)]
    assert result.stdout.splitlines() == promised
    assert (tmp_path / "instance" / "community.db").exists()


def test_plugin_quickstart_and_its_test_pass(tmp_path: Path) -> None:
    (tmp_path / "my_plugin.py").write_text(block("plugin"))
    (tmp_path / "test_my_plugin.py").write_text(block("plugin-test"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    expected = "3 passed" if os.environ.get("GUILDKIT_TEST_POSTGRES_URL") else "2 passed, 1 skipped"
    assert expected in result.stdout
