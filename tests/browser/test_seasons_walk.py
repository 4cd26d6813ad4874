"""A season in a real browser, through the seeded example app: Ada (the admin) makes "Spring" with
its own badge for the top three, the seeded members' reputation of the season ranks them, and the
season page shows the board and, to a member, where they stand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.test_console_walk import app_factory, log_in

__all__ = ["app_factory"]


def test_an_admin_makes_a_season_and_members_see_its_board(
    page: Page, live_server: str, screenshot: Callable[..., Path], app_factory: Any
) -> None:
    log_in(page, "ada")
    page.goto("/community/seasons")
    expect(page.get_by_role("heading", name="Seasons")).to_be_visible()
    page.get_by_role("link", name="New season").click()
    page.locator("#gk-slug").fill("spring")
    page.locator("#gk-name").fill("Spring")
    page.get_by_label("Points ranked").select_option(label="Reputation")
    start = (datetime.now() - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    end = (datetime.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#gk-starts_at").fill(start)
    page.locator("#gk-ends_at").fill(end)
    page.locator("#gk-top_n").fill("3")
    page.locator("#gk-define_badge").check()
    screenshot(page, "season-form")
    page.get_by_role("button", name="Create season").click()
    expect(page.get_by_role("heading", name="Spring")).to_be_visible()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    board = page.get_by_role("table")
    expect(board.get_by_role("row").nth(1)).to_be_visible()  # the seeded month counts
    screenshot(page, "season-board")
    page.goto("/community/seasons")
    expect(page.get_by_role("link", name="Spring")).to_be_visible()
    screenshot(page, "season-list")
