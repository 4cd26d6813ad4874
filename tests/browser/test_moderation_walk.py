"""Moderation people can use, in a real browser, through the seeded example app, at 1280 and 390 px.

Ada (the seeded admin, so a moderator too) reports someone's answer from its "Report" link: the
form shows the question's title and asks for a reason; sent without one, it says so and keeps the
comment. Then she finds the case in the queue by the question's title, opens it, and reads who
wrote it, their record and the actions in words, with the raw keys folded away under "Details for
developers". The same pages on a phone never scroll sideways.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from example_app import create_app
from example_app.extensions import db, gk
from example_app.models import Answer, Question, User
from tests.browser.test_console_walk import log_in

COMMENT = "Mocks the asker instead of answering the question."


@pytest.fixture
def apps() -> list[Any]:
    return []


@pytest.fixture
def app_factory(tmp_path: Path, apps: list[Any]) -> Callable[[], Any]:
    def build() -> Any:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'moderation.db'}", "TESTING": True})
        with app.app_context():
            db.create_all()
            gk.create_all()
        seeded = app.test_cli_runner().invoke(args=["seed", "--users", "20", "--days", "30"])
        assert seeded.exit_code == 0, seeded.output
        apps.append(app)
        return app

    return build


def someone_elses_answer(app: Any) -> tuple[int, int, str]:
    """An answer Ada did not write: its id, its question's id and the question's title."""
    with app.app_context():
        ada = db.session.scalar(sa.select(User.id).where(sa.func.lower(User.name) == "ada"))
        assert ada is not None
        row = db.session.execute(
            sa.select(Answer.id, Question.id, Question.title)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.author_id != ada, Question.author_id != ada)
            .order_by(Answer.id)
        ).first()
    assert row is not None
    return int(row[0]), int(row[1]), str(row[2])


def fits_the_screen(page: Page) -> None:
    """The page never scrolls sideways (wide tables scroll inside their own box)."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    seen = page.evaluate("document.documentElement.clientWidth")
    assert wide <= seen, f"{page.url} is {wide}px wide on a {seen}px screen"


def no_raw_keys(page: Page) -> None:
    text = page.locator("main").inner_text()
    raw = re.search(r"\b(answer|member|question):\d|\brevoke_badge\b|\bdismiss\b", text)
    assert raw is None, f"{raw.group(0)!r} on {page.url}"


def test_report_then_moderate_in_words(
    page: Page, mobile_page: Page, live_server: str, apps: list[Any], screenshot: Callable[..., Path]
) -> None:
    answer, question, title = someone_elses_answer(apps[0])
    log_in(page, "ada")
    page.goto(f"/questions/{question}")
    page.locator(f"#answer-{answer}-by").get_by_role("link", name="Report this answer").click()
    expect(page.get_by_role("heading", name="Report this to the moderators")).to_be_visible()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    no_raw_keys(page)
    page.get_by_label("Comment").fill(COMMENT)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("alert")).to_contain_text("Pick the reason that fits best.")
    expect(page.get_by_label("Comment")).to_have_value(COMMENT)
    screenshot(page, "report-form-errors")
    page.get_by_label("Harassment").check()
    screenshot(page, "report-form")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    page.goto("/community/moderation")
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("Open")
    no_raw_keys(page)
    fits_the_screen(page)
    screenshot(page, "queue")
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_text(COMMENT)).to_be_visible()
    expect(page.get_by_role("heading", name="Resolve the case")).to_be_visible()
    expect(page.get_by_role("button", name="Dismiss the report")).to_be_visible()
    expect(page.get_by_text("Subject key")).to_be_hidden()  # folded away until asked for
    no_raw_keys(page)
    fits_the_screen(page)
    screenshot(page, "case")
    case_url = page.url
    page.get_by_text("Details for developers").click()
    expect(page.get_by_text(f"answer:{answer}")).to_be_visible()

    log_in(mobile_page, "ada")
    for path, name in (("/community/moderation", "queue-phone"), (case_url, "case-phone")):
        mobile_page.goto(path)
        fits_the_screen(mobile_page)
        screenshot(mobile_page, name)
    mobile_page.goto(f"/questions/{question}")
    report_link = mobile_page.locator("a.report-link").first
    report_link.click()
    fits_the_screen(mobile_page)
    screenshot(mobile_page, "report-form-phone")
