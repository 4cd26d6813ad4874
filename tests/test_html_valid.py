"""Every page of the seeded example app, as each role sees it, is valid HTML to the Nu Html Checker
(vnu, installed by scripts/webcheck.sh and run with Java).

The pages come from the crawl in :mod:`tests.site_pages` (the same pages the axe test visits in a
browser); each is written to a file and vnu checks them all in one run (one JVM start).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.harness import in_ci
from tests.site_pages import ROLES, VNU_JAR, Page, Site, crawl, guildkit_pages, page_checker_file, seed_site

VNU_TIMEOUT = 300


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return seed_site(tmp_path_factory.mktemp("html-valid"))


def vnu_command() -> list[str]:
    """``java -jar vnu.jar``; skipped when either is missing (failed in CI)."""
    jar, java = page_checker_file(VNU_JAR), shutil.which("java")
    if jar is None or java is None:
        reason = f"vnu needs {'java' if java is None else VNU_JAR[1]}: run ./scripts/webcheck.sh"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(reason)
    return [java, "-jar", str(jar)]


def file_name(n: int, role: str, page: Page) -> str:
    return f"{n:03d}-{role}-{re.sub(r'[^A-Za-z0-9._-]+', '-', page.url).strip('-')[:80]}.html"


def test_every_page_is_valid_html(site: Site, tmp_path: Path) -> None:
    vnu = vnu_command()
    written: dict[str, tuple[str, Page]] = {}
    for role in ROLES:
        for page in crawl(site, role):
            path = tmp_path / file_name(len(written), role, page)
            path.write_text(page.html, encoding="utf-8")
            written[path.name] = (role, page)
    unchecked = guildkit_pages(site.app()) - {page.endpoint for _, page in written.values()}
    assert not unchecked, (
        f"no role reaches these pages: link them, or seed or list them in tests/site_pages.py: {unchecked}"
    )
    # --errors-only: warnings (say, a redundant role) are advice, not invalid markup.
    result = subprocess.run(
        [*vnu, "--errors-only", "--format", "json", *sorted(str(tmp_path / name) for name in written)],
        capture_output=True,
        text=True,
        timeout=VNU_TIMEOUT,
        check=False,
    )
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu said no JSON (exit code {result.returncode}):\n{result.stderr[-2000:]}", pytrace=False)
    errors = []
    for message in messages:
        found = written.get(message.get("url", "").rpartition("/")[2])
        line = message.get("lastLine", "?")
        if found is None:
            where, source = message.get("url", "?"), ""
        else:
            role, page = found
            where = f"{role} {page.url} ({page.endpoint})"
            source = page.html.splitlines()[line - 1].strip()[:160] if isinstance(line, int) else ""
        errors.append(f"{where} line {line}: {message['message']}\n    {source}")
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
    assert result.returncode == 0, result.stderr[-2000:]
