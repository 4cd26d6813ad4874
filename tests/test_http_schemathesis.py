"""schemathesis' own command line, every check (``--checks all``), over real HTTP: a WSGI server in
a thread serves a seeded community, and three runs go at it at once, as nobody, as a signed-in
member and as a signed-in admin (their session cookies).

What must hold: no server error, no response outside what the document promises (status, content
type, headers, schema), no method or missing credential handled wrongly. The one kind of failure
left, schema-valid input refused on purpose (``ST202``), is explained in docs/api.md; any other
failure code fails this test.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, session

from guildkit import GuildKit
from guildkit.web import make_blueprint
from tests.browser.harness import LiveServer
from tests.security_world import ADMIN, MEMBER, seed

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: Cases per operation in the fuzzing phase; the coverage phase adds its own (thousands in all).
MAX_EXAMPLES = 3
#: Failures that are not about the server keeping its promises (server errors, schema violations …).
BROKEN_PROMISES = {"ServerError", "JsonSchemaError", "UndefinedStatusCode", "UndefinedContentType", "IgnoredAuth"}


@pytest.fixture
def gk_backend() -> str:
    return "sqlite"


@pytest.fixture
def server(gk_app: Flask, gk: GuildKit) -> Any:
    gk_app.register_blueprint(make_blueprint(), url_prefix="/community")

    @gk.current_user_loader
    def who() -> str | None:
        return session.get("user")

    @gk_app.get("/sign-in/<user>")
    def sign_in(user: str) -> str:
        session["user"] = user
        return "signed in"

    seed(gk)
    # Thousands of requests: the server's access log would only slow the run down.
    access_log = logging.getLogger("werkzeug")
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    try:
        with LiveServer(gk_app) as live:
            yield live
    finally:
        access_log.setLevel(level)
    assert not live.errors, live.errors[0]


def documented_failures() -> set[str]:
    """The failure codes docs/api.md explains (its "Schemathesis" section)."""
    text = (ROOT / "docs" / "api.md").read_text()
    section = text.split("## What schemathesis still reports", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(ST\d{3})`", section))


def test_every_check_over_http(server: LiveServer, tmp_path: Path) -> None:
    explained = documented_failures()
    assert "ST202" in explained
    with contextlib.ExitStack() as stack:
        runs = {
            caller: stack.enter_context(run(server, caller, tmp_path)) for caller in ("anonymous", "member", "admin")
        }
        for caller, (process, report, output) in runs.items():
            # Generous: three runs share the machine with the server, and CI machines are shared too.
            assert process.wait(timeout=900) in (0, 1), output.read_text()[-3000:]
            result = json.loads(report.read_text())
            assert result["complete"] and result["stop_reason"] == "completed", caller
            assert not result["errors"], (caller, result["errors"])
            assert result["operations"]["tested"] == result["operations"]["total"] >= 100
            assert result["test_cases"]["generated"] > 2000
            broken = [f for f in result["failures"] if f["type"] in BROKEN_PROMISES]
            assert not broken, (caller, broken, output.read_text()[-5000:])
            unexplained = [f for f in result["failures"] if f["code"] not in explained]
            assert not unexplained, (caller, unexplained, output.read_text()[-5000:])


@contextlib.contextmanager
def run(server: LiveServer, caller: str, folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    """``schemathesis run`` as ``caller``, in the background: its process, JSON report and output file."""
    headers = []
    if caller != "anonymous":
        signed_in = requests.get(f"{server.url}/sign-in/{ADMIN if caller == 'admin' else MEMBER}", timeout=10)
        headers = ["-H", f"Cookie: session={signed_in.cookies['session']}"]
    report, output = folder / f"{caller}.json", folder / f"{caller}.txt"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/community/api/openapi.json",
        "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", "1", "--workers", "1",
        "--request-timeout", "30", "--report", "json", "--report-json-path", str(report), "--no-color",
        *headers,
    ]  # fmt: skip
    with output.open("wb") as out:
        # In the test's folder: schemathesis keeps a cache of past failures in its working directory.
        process = subprocess.Popen(command, cwd=folder, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process, report, output
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
