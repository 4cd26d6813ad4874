"""The trust-and-safety walk through the example app, in a real browser, by three people.

Bob asks a question and Ada answers it rudely. Bob reports the answer from its "Report" link.
Mo, a moderator, finds the case in the moderation queue and resolves it with a warning and a
reason. Ada is told, and sees the warning with its reason on her sanctions page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from example_app import create_app
from example_app.extensions import db, gk
from example_app.models import User
from tests.browser.test_walk import sign_up

WARNING = "Critique the code, never the person. Please keep answers kind."


@pytest.fixture
def apps() -> list[Any]:
    return []


@pytest.fixture
def app_factory(tmp_path: Path, apps: list[Any]) -> Callable[[], Any]:
    def build() -> Any:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'safety.db'}", "TESTING": True})
        with app.app_context():
            db.create_all()
            gk.create_all()
        apps.append(app)
        return app

    return build


def make_moderator(app: Any, name: str) -> None:
    """What the host's staff tooling does: grant the moderator role."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.name == name))
        assert user is not None
        gk.award(user.id, role="moderator", reason="Moderates the walk's community")


def test_a_report_a_warning_and_the_warned_member_sees_it(
    browser: Browser, page: Page, live_server: str, apps: list[Any], screenshot: Callable[..., Path]
) -> None:
    contexts = [browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}) for _ in "bm"]
    bob, mo = (context.new_page() for context in contexts)
    try:
        sign_up(bob, "Bob Asker")
        bob.goto("/ask")
        bob.get_by_label("Title").fill("Why is my query slow on a big table?")
        bob.get_by_label("What are you trying to do, and what have you tried?").fill(
            "SELECT * FROM orders WHERE customer = 42 takes seconds on ten million rows."
        )
        bob.get_by_role("button", name="Post your question").click()
        question_url = bob.url

        sign_up(page, "Ada Rude")
        page.goto(question_url)
        page.get_by_label("Write your answer (at least 20 characters)").fill(
            "Anyone who asks this should not be allowed near a database."
        )
        page.get_by_role("button", name="Post your answer").click()

        bob.goto(question_url)
        bob.get_by_role("link", name="Report this answer").click()
        expect(bob.get_by_role("link", name="Why is my query slow on a big table?")).to_be_visible()
        bob.get_by_label("Harassment").check()
        bob.get_by_label("Comment").fill("Insulting instead of answering.")
        screenshot(bob, "report-form")
        bob.get_by_role("button", name="Send the report").click()
        expect(bob.get_by_role("heading", name="Thank you")).to_be_visible()

        sign_up(mo, "Mo Moderator")
        make_moderator(apps[0], "Mo Moderator")
        mo.goto("/community/moderation")
        case_row = mo.get_by_role("row").filter(has_text="Why is my query slow on a big table?")
        expect(case_row).to_contain_text("Answer by Ada Rude")
        expect(case_row).to_contain_text("3")  # harassment weighs 3
        screenshot(mo, "moderation-queue")
        case_row.get_by_role("link").first.click()
        expect(mo.get_by_text("Insulting instead of answering.")).to_be_visible()
        mo.get_by_role("button", name="Assign to me").click()
        mo.get_by_label("Reason").fill(WARNING)
        screenshot(mo, "moderation-case")
        mo.get_by_role("button", name="Warn the member").click()
        expect(mo.get_by_role("status").first).to_have_text("The case is resolved.")

        page.goto("/community/notifications")
        expect(page.get_by_text(f"You received a warning: {WARNING}")).to_be_visible()
        page.goto("/community/sanctions")
        warning = page.get_by_role("listitem").filter(has_text=WARNING)
        expect(warning).to_contain_text("Warning")
        screenshot(page, "my-sanctions")

        bob.goto("/community/sanctions")  # Bob was not sanctioned, and sees nothing of Ada's
        expect(bob.get_by_text(WARNING)).to_have_count(0)
    finally:
        for context in contexts:
            context.close()
