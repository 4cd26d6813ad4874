"""The issue's walk through the example app, in a real browser, by two people.

Ada signs up and answers Bob's question; Bob upvotes the answer. Ada then sees her points and
the "First Answer" badge on her profile, the notification in the community pages, and herself
climbing the reputation leaderboard. Screenshots of each step go to the session's folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from example_app import create_app
from example_app.extensions import db, gk


@pytest.fixture
def app_factory(tmp_path: Path) -> Callable[[], Any]:
    def build() -> Any:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'walk.db'}", "TESTING": True})
        with app.app_context():
            db.create_all()
            gk.create_all()
        return app

    return build


def sign_up(page: Page, name: str) -> None:
    page.goto("/signup")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password (at least 4 characters)").fill("secret-pw")
    page.get_by_label("Password again").fill("secret-pw")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_earning_points_a_badge_and_a_place_on_the_leaderboard(
    browser: Browser, page: Page, live_server: str, screenshot: Callable[..., Path]
) -> None:
    bob = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_up(bob, "Bob Asker")
        bob.goto("/ask")
        bob.get_by_label("Title").fill("How do I keep a running total in SQL?")
        bob.get_by_label("What are you trying to do, and what have you tried?").fill(
            "I tried a self join but it is slow on large tables. What is the idiomatic way?"
        )
        bob.get_by_role("button", name="Post your question").click()
        question_url = bob.url

        sign_up(page, "Ada Walker")
        page.goto(question_url)
        page.get_by_label("Write your answer (at least 20 characters)").fill(
            "Use a window function: SUM(amount) OVER (ORDER BY id). It is a single pass."
        )
        page.get_by_role("button", name="Post your answer").click()
        screenshot(page, "answer-posted")

        bob.goto(question_url)
        bob.get_by_role("button", name="Upvote this answer").click()
        expect(bob.get_by_role("button", name="Withdraw upvote on this answer")).to_be_visible()

        page.get_by_role("link", name="Ada Walker").first.click()
        expect(page.get_by_text("First Answer").first).to_be_visible()
        reputation = page.locator("dt", has_text="Reputation").locator("xpath=following-sibling::dd[1]")
        expect(reputation).to_have_text("11")  # 1 for joining, 10 for the upvote
        screenshot(page, "profile")

        page.goto("/community/notifications")
        expect(page.get_by_text("You earned First Answer")).to_be_visible()
        screenshot(page, "notifications")

        page.goto("/community/leaderboards/reputation")
        leader = page.get_by_role("row").filter(has_text="Ada Walker")
        expect(leader).to_contain_text("11")
        expect(page.get_by_role("main")).to_contain_text("Your rank")
        screenshot(page, "leaderboard")
    finally:
        bob.context.close()
