"""guildkit's Content-Security-Policy breaks nothing: Chromium walks the pages (signed out, then as
the seeded admin, through the admin console, moderation, analytics, the API docs) and reports no
violation, and every page still gets its stylesheet and its badge images."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from example_app import create_app
from example_app.extensions import db, gk
from tests.browser.test_console_walk import log_in

PUBLIC = [
    "/community/",
    "/community/members",
    "/community/members/1",
    "/community/badges",
    "/community/badges/answerer",
    "/community/leaderboards/reputation",
    "/community/mentors",
    "/community/events",
    "/community/guidelines",
    "/community/moderation/log",
    "/community/api/docs",
]
STAFF = [
    "/community/notifications",
    "/community/admin",
    "/community/admin/badges",
    "/community/admin/badges/new",
    "/community/admin/roles",
    "/community/admin/tokens",
    "/community/admin/audit",
    "/community/moderation",
    "/community/analytics",
    "/community/analytics/retention",
    "/community/analytics/surveys",
    "/community/events/new",
]


@pytest.fixture
def app_factory(tmp_path: Path) -> Callable[[], Any]:
    def build() -> Any:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csp.db'}", "TESTING": True})
        with app.app_context():
            db.create_all()
            gk.create_all()
        seeded = app.test_cli_runner().invoke(args=["seed", "--users", "12", "--days", "12"])
        assert seeded.exit_code == 0, seeded.output
        return app

    return build


def walk(page: Page, paths: list[str]) -> list[str]:
    """Visit each page; the CSP violations Chromium reported on the way."""
    violations: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", heard)
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert "frame-ancestors 'none'" in (response.headers.get("content-security-policy") or ""), path
        # The stylesheet applied: guildkit's pages have a styled header, the docs page its own sheet.
        styled = page.evaluate("getComputedStyle(document.body).margin")
        assert styled == "0px", f"{path}: the stylesheet did not load"
        broken = page.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)")
        assert broken == [], f"{path}: images did not load: {broken}"
    page.remove_listener("console", heard)
    return violations


def test_no_page_breaks_the_policy(page: Page, live_server: str) -> None:
    assert walk(page, PUBLIC) == []
    log_in(page, "ada")
    assert walk(page, STAFF) == []
    # A form still posts back under form-action 'self' (the seeded admin has notifications to read).
    page.goto("/community/notifications")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Mark all as read").click()
    assert posted.value.status in (302, 303)
    expect(page.locator(".gk-count")).to_have_count(0)


def test_the_pages_cannot_be_framed(page: Page, live_server: str) -> None:
    """A page of another origin that frames guildkit's gets nothing: frame-ancestors 'none'."""
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "frame-ancestors" in m.text else None)
    page.set_content(f'<iframe src="{live_server}/community/members" title="framed"></iframe>')
    page.wait_for_timeout(500)
    frame = page.frames[-1]
    assert frame.url == "chrome-error://chromewebdata/", frame.url
    assert any("frame-ancestors 'none'" in text for text in blocked), blocked
