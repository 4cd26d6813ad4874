"""The README's quickstarts are code that really runs."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text()


def block(name: str) -> str:
    match = re.search(rf"<!-- quickstart:{name} .*?-->\n```python\n(.*?)```", README, re.S)
    assert match, f"README has no quickstart:{name} block"
    return match.group(1)


def test_embedding_quickstart_runs_and_prints_what_it_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = block("embed")
    monkeypatch.chdir(tmp_path)
    # As on a fresh install: the plugins installed in this checkout's venv are not found.
    monkeypatch.setattr("guildkit.plugins.entry_points", lambda group: [])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md:embed", "exec"), {"__name__": "__main__"})
    promised = [m.group(1).split(" (")[0].strip() for m in re.finditer(r"print\(.*\)  # (.*)", code)]
    assert out.getvalue().splitlines() == promised
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
