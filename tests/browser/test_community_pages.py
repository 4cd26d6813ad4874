"""Every community page in a real browser: it fits a phone, the skip link comes first and works,
the keyboard reaches every link with a visible focus, and every form field has a label."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from example_app import create_app

PAGES = [
    "/community/",
    "/community/members",
    "/community/members/1",
    "/community/badges",
    "/community/badges/answerer",
    "/community/leaderboards/reputation?period=month",
    "/community/mentors?topics=sql",
    "/community/events",
    "/community/events/2",
    "/community/api/docs",
]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('community') / 'seeded.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    result = app.test_cli_runner().invoke(args=["seed", "--users", "12", "--days", "12"])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def app_factory(seeded_db: str) -> Callable[[], Any]:
    return lambda: create_app({"SQLALCHEMY_DATABASE_URI": seeded_db, "TESTING": True})


@pytest.mark.parametrize("path", PAGES)
def test_fits_a_phone(mobile_page: Page, live_server: str, path: str, screenshot: Callable[..., Path]) -> None:
    mobile_page.goto(path)
    width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    screenshot(mobile_page, path.strip("/").replace("/", "-").replace("?", "-"))


@pytest.mark.parametrize("path", [p for p in PAGES if "/api/" not in p])
def test_keyboard_and_labels(page: Page, live_server: str, path: str) -> None:
    page.goto(path)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#gk-main"
    expect(page.locator("#gk-main")).to_be_visible()
    # Every link and button is reachable by Tab, and shows where the focus is.
    reachable = page.locator("a[href], button, input, select, textarea").count()
    outlines = set()
    for _ in range(min(reachable, 25)):
        page.keyboard.press("Tab")
        outlines.add(page.evaluate("getComputedStyle(document.activeElement).outlineStyle"))
    assert outlines - {"none"}, f"{path}: focused elements show no outline"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
              .map(el => el.name || el.id)"""
    )
    assert unlabelled == []
    assert page.locator("main").count() == 1 and page.locator("header").count() >= 1
