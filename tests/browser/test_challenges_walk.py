"""A challenge in a real browser, through the seeded example app (with its challenges seeded by
example_app/seed_challenges.py): a new member finds "Ask and answer" among the challenges, joins
it, asks a question and answers another through the app's own pages, and sees each step's
progress, then the challenge completed with its reward, also in their points history. The pages
are checked at 390 px too: nothing scrolls sideways on a phone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from example_app import create_app
from example_app.extensions import db, gk
from tests.browser.nav import follow_nav
from tests.browser.test_console_walk import log_in
from tests.browser.test_walk import sign_up

TITLE = "Ask and answer"


@pytest.fixture
def app_factory(tmp_path: Path) -> Callable[[], Any]:
    def build() -> Any:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'challenges.db'}", "TESTING": True})
        with app.app_context():
            db.create_all()
            gk.create_all()
        seeded = app.test_cli_runner().invoke(args=["seed", "--users", "12", "--days", "14"])
        assert seeded.exit_code == 0, seeded.output
        with app.app_context():
            now = datetime.now(UTC)
            # The seed made example_app/seed_challenges.py's two.
            assert len(gk.challenges.list()) == 2
            gk.challenges.create(
                None,
                title=TITLE,
                description="Ask a question of your own, then help someone else with an answer.",
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(days=6),
                steps=[
                    {"activity_type": "question.posted", "count": 1},
                    {"activity_type": "answer.posted", "count": 1},
                ],
                ordered=True,
                reward_points=20,
                reward_point_type="reputation",
                award_badge=True,
            )
            db.session.remove()
        return app

    return build


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]


def test_a_member_joins_does_each_step_and_earns_the_reward(
    page: Page, live_server: str, screenshot: Callable[..., Path]
) -> None:
    page.goto("/")
    page.locator("a[href^='/questions/']").first.wait_for()
    someone_elses = page.locator("a[href^='/questions/']").first.get_attribute("href")
    sign_up(page, "Cleo Challenger")
    page.goto("/community/")
    follow_nav(page, "Challenges")
    expect(page.get_by_role("heading", name="Challenges", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Helping hands")).to_be_visible()  # seeded, running
    expect(page.get_by_role("link", name="Weekly regular")).to_be_visible()  # seeded, coming up
    screenshot(page, "challenges-list")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("Ask a question", exact=True)).to_be_visible()  # the steps, in words
    page.get_by_role("button", name="Join this challenge").click()
    expect(page.get_by_role("status").filter(has_text="You are taking part")).to_be_visible()
    expect(page.get_by_text("0 of 2 steps done.")).to_be_visible()
    screenshot(page, "challenge-joined")
    challenge_url = page.url.split("?")[0]

    page.goto("/ask")
    page.get_by_label("Title").fill("What does a challenge count, exactly?")
    page.get_by_label("What are you trying to do, and what have you tried?").fill(
        "I joined a challenge and want to know which of my posts count toward its steps."
    )
    page.get_by_role("button", name="Post your question").click()
    page.goto(challenge_url)
    expect(page.get_by_text("1 of 2 steps done.")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Ask a question: 1 of 1")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Answer a question: 0 of 1")).to_be_visible()
    screenshot(page, "challenge-halfway")

    page.goto(someone_elses or "/")
    page.get_by_label("Write your answer (at least 20 characters)").fill(
        "Only what you do after joining counts, and each step in its turn when they are in order."
    )
    page.get_by_role("button", name="Post your answer").click()
    page.goto(challenge_url)
    done = page.get_by_role("status").filter(has_text="Completed on")
    expect(done).to_contain_text(f"You earned: 20 Reputation and the badge {TITLE}")
    taking_part = page.get_by_role("region", name="Taking part")
    expect(taking_part.get_by_role("listitem").filter(has_text="Cleo Challenger")).to_contain_text("Completed")
    screenshot(page, "challenge-completed")

    page.goto("/community/notifications")
    expect(page.get_by_text(f"You completed the challenge {TITLE}: +20 Reputation.")).to_be_visible()
    page.goto("/community/")
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_text(TITLE).first).to_be_visible()  # the badge
    expect(page.get_by_role("link", name=TITLE).first).to_be_visible()
    expect(page.get_by_text(f"You completed the challenge {TITLE}")).to_be_visible()  # the points history
    screenshot(page, "profile-with-challenge")


def test_the_pages_fit_a_phone(
    page: Page, mobile_page: Page, live_server: str, screenshot: Callable[..., Path]
) -> None:
    log_in(page, "ada")  # the admin's form, on a desktop first
    page.goto("/community/challenges/new")
    page.get_by_label("Title").fill("Weekend helper")
    page.get_by_label("Step 1: activity").select_option(label="Answer")
    page.get_by_label("Step 1: how many").fill("0")
    page.get_by_role("button", name="Create challenge").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Weekend helper")  # what was typed is kept
    screenshot(page, "challenge-form-errors")
    log_in(mobile_page, "ada")
    mobile_page.goto("/community/challenges")
    expect(mobile_page.get_by_role("link", name="New challenge")).to_be_visible()
    no_sideways_scroll(mobile_page)
    screenshot(mobile_page, "challenges-list-phone")
    mobile_page.get_by_role("link", name="Helping hands").click()
    expect(mobile_page.get_by_role("heading", name="Taking part")).to_be_visible()
    no_sideways_scroll(mobile_page)
    screenshot(mobile_page, "challenge-phone", full_page=True)
    mobile_page.goto("/community/challenges/new")
    mobile_page.get_by_role("button", name="Create challenge").click()  # everything empty
    expect(mobile_page.get_by_role("heading", name="There is a problem")).to_be_visible()
    no_sideways_scroll(mobile_page)
    screenshot(mobile_page, "challenge-form-errors-phone", full_page=True)
