"""The community manager's walk, in a real browser, through the seeded example app.

Ada (the seeded admin) reads the community-health dashboard and the retention heat-map, fetches
a chart's numbers as CSV, then makes a badge in the admin console ("Helper": one answer), awards
it to the members who already qualify, and previews less XP for posting against the history. A new
member answers a question and earns it, which the audit log and the member's profile show.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from example_app import create_app
from example_app.extensions import db, gk
from tests.browser.nav import follow_nav
from tests.browser.test_walk import sign_up


@pytest.fixture
def app_factory(tmp_path: Path) -> Callable[[], Any]:
    def build() -> Any:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'console.db'}", "TESTING": True})
        with app.app_context():
            db.create_all()
            gk.create_all()
        seeded = app.test_cli_runner().invoke(args=["seed", "--users", "20", "--days", "30"])
        assert seeded.exit_code == 0, seeded.output
        return app

    return build


def log_in(page: Page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_dashboard_and_a_badge_made_in_the_console(
    browser: Browser, page: Page, live_server: str, screenshot: Callable[..., Path]
) -> None:
    log_in(page, "ada")
    page.goto("/community/")
    follow_nav(page, "Analytics")
    expect(page.get_by_role("heading", name="Community health")).to_be_visible()
    growth = page.get_by_role("figure").filter(has=page.locator("svg")).first
    expect(growth).to_be_visible()
    screenshot(page, "dashboard")

    csv_link = page.get_by_role("link", name="Download as CSV").first
    csv = page.request.get(csv_link.get_attribute("href") or "")
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    header, *rows = csv.text().strip().splitlines()
    assert "," in header and rows

    page.get_by_role("link", name="Retention").first.click()
    expect(page.locator("svg").first).to_be_visible()
    screenshot(page, "retention")

    page.goto("/community/")
    follow_nav(page, "Admin")
    expect(page.get_by_role("heading", name="Admin console")).to_be_visible()
    page.get_by_role("navigation", name="Admin console").get_by_role("link", name="Badges").click()
    screenshot(page, "admin-badges")
    page.get_by_role("link", name="Make a badge").click()
    page.get_by_label("Slug").fill("helper")
    page.get_by_label("Name").fill("Helper")
    page.get_by_label("Description").fill("Answered a question")
    page.get_by_label("Tiers, one per level").fill("bronze")
    page.get_by_label("How it is earned").select_option("count")
    page.get_by_label("Activity type").fill("answer.posted")
    page.get_by_label("Thresholds, one per tier").fill("1")
    screenshot(page, "admin-new-badge")
    page.get_by_role("button", name="Make the badge").click()
    expect(page.get_by_role("heading", name="Helper")).to_be_visible()
    # Seeded members have answered already: the page offers them the badge, and waits for Ada.
    expect(page.get_by_role("heading", name="members already qualify")).to_be_visible()
    screenshot(page, "admin-badge-backfill")
    page.get_by_role("button", name="Award it to them").click()
    expect(page.get_by_role("status")).to_contain_text("awarding it to the members who qualify started")
    # The new badge made a new rule-set version: the rules page says what it changed.
    page.get_by_role("navigation", name="Admin console").get_by_role("link", name="Rules").click()
    expect(page.get_by_role("heading", name="Versions")).to_be_visible()
    expect(page.get_by_text("badge helper added")).to_be_visible()
    screenshot(page, "admin-rule-versions")
    # A dry run of less XP for posting: counts first, then the members, and nothing changes.
    page.get_by_label("Proposed definitions").fill(
        "[[points]]\nname = 'posting-xp'\non = ['question.posted', 'answer.posted']\nto = 'actor'\n"
        "points = 2\npoint_type = 'xp'\n"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="In all")).to_be_visible()
    expect(page.get_by_text("Experience:").first).to_contain_text("points lost")
    expect(page.get_by_role("heading", name="Members affected")).to_be_visible()
    screenshot(page, "admin-rule-preview")
    page.get_by_role("navigation", name="Admin console").get_by_role("link", name="Rules").click()

    newcomer = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_up(newcomer, "Nia Newcomer")
        newcomer.goto("/")
        newcomer.get_by_role("link", name="Ask").first.wait_for()
        newcomer.locator("a[href^='/questions/']").first.click()
        newcomer.get_by_label("Write your answer (at least 20 characters)").fill(
            "An index on the filtered column makes this a lookup instead of a scan."
        )
        newcomer.get_by_role("button", name="Post your answer").click()
        newcomer.goto("/community/")
        newcomer.get_by_role("link", name="My profile").click()
        expect(newcomer.get_by_text("Helper").first).to_be_visible()
        expect(newcomer.get_by_role("link", name="Admin")).to_have_count(0)  # not for members
    finally:
        newcomer.context.close()

    page.get_by_role("navigation", name="Admin console").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("row").filter(has_text="helper").first).to_be_visible()
    screenshot(page, "admin-audit")
