"""Groups in a real browser, through the seeded example app and its groups (example_app/seed_groups.py).

Ada (an admin: she manages every group) sets the Backend team a small goal; a member who is in
no team finds it in the directory, joins it, answers two questions through the app, and sees on
the team's page the goal reached and the badge the team earned together, and the same badge on
their own profile. Then every group page passes axe-core at 1280px and 390px, without scrolling
sideways.
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
from example_app.models import Question, User
from tests.browser.nav import follow_nav
from tests.browser.test_axe import WIDTHS, check
from tests.browser.test_console_walk import log_in
from tests.site_pages import AXE_JS, page_checker_file


@pytest.fixture
def apps() -> list[Any]:
    return []


@pytest.fixture
def app_factory(tmp_path: Path, apps: list[Any]) -> Callable[[], Any]:
    def build() -> Any:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'groups.db'}", "TESTING": True})
        with app.app_context():
            db.create_all()
            gk.create_all()
        seeded = app.test_cli_runner().invoke(args=["seed", "--users", "20", "--days", "30"])
        assert seeded.exit_code == 0, seeded.output  # with the teams of example_app/seed_groups.py
        apps.append(app)
        return app

    return build


def loner(app: Any) -> tuple[str, int, list[int]]:
    """A seeded user in no group (the last such), their id, and two questions they did not ask."""
    with app.app_context():
        users = db.session.scalars(sa.select(User).order_by(User.id.desc()))
        user = next((u for u in users if not gk.groups.groups_of(u.id)), None)
        assert user is not None
        questions = db.session.scalars(
            sa.select(Question.id).where(Question.author_id != user.id).order_by(Question.id.desc()).limit(2)
        ).all()
        return user.name, user.id, list(questions)


def test_a_member_joins_a_team_contributes_and_sees_the_goal_reached_and_the_badges(
    page: Page, live_server: str, apps: list[Any], screenshot: Callable[..., Path]
) -> None:
    name, user_id, questions = loner(apps[0])
    log_in(page, "ada")
    page.goto("/community/groups/backend")
    expect(page.get_by_role("heading", name="Backend", exact=True)).to_be_visible()
    expect(page.get_by_text("6 of 12 (50%)").first).to_be_visible()  # the seeded monthly goal, half-way
    page.get_by_role("link", name="Set a goal").click()
    page.locator("#gk-name").fill("Answer sprint")
    page.get_by_label("What counts").select_option(value="answer.posted")
    page.locator("#gk-target").fill("2")
    screenshot(page, "goal-form")
    page.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("The goal is set.")).to_be_visible()
    page.goto("/")
    page.get_by_role("button", name="Log out").click()

    log_in(page, name)
    page.goto("/community/")
    follow_nav(page, "Groups")
    expect(page.get_by_role("heading", name="Groups", exact=True)).to_be_visible()
    page.get_by_label("Name or about contains").fill("backend")
    page.get_by_role("button", name="Search").click()
    screenshot(page, "directory")
    page.get_by_role("link", name="Backend", exact=True).click()
    page.get_by_role("button", name="Join Backend").click()
    expect(page.get_by_text("Welcome: you are a member now.")).to_be_visible()
    sprint = page.locator("li.gk-goal").filter(has=page.get_by_role("heading", name="Answer sprint"))
    expect(sprint.get_by_text("0 of 2 (0%)").first).to_be_visible()
    screenshot(page, "joined")

    for n, question_id in enumerate(questions):
        page.goto(f"/questions/{question_id}")
        page.get_by_label("Write your answer (at least 20 characters)").fill(
            f"Here is how I would do it, take {n + 1}: keep the query small and add an index on the filter."
        )
        page.get_by_role("button", name="Post your answer").click()

    page.goto("/community/groups/backend")
    sprint = page.locator("li.gk-goal").filter(has=page.get_by_role("heading", name="Answer sprint"))
    expect(sprint.get_by_text("2 of 2 (100%)").first).to_be_visible()
    expect(sprint.get_by_text("Reached on")).to_be_visible()
    expect(sprint.get_by_role("progressbar")).to_have_attribute("value", "2")
    expect(page.locator("#gk-badges").get_by_role("link", name="Answer sprint")).to_be_visible()
    screenshot(page, "goal-reached")

    page.goto(f"/community/members/{user_id}")
    expect(page.get_by_role("link", name="Answer sprint").first).to_be_visible()
    screenshot(page, "my-badge")


def test_the_group_pages_pass_axe_and_fit_a_phone(
    browser: Browser, live_server: str, screenshot: Callable[..., Path], apps: list[Any]
) -> None:
    """Each group page, as an admin (who sees the managers' parts too) and as the member without a
    group: axe-core finds nothing serious at 1280px or 390px, and no page scrolls sideways."""
    axe_js = page_checker_file(AXE_JS)
    if axe_js is None:
        pytest.skip(f"axe-core not found at {AXE_JS[1]}: run ./scripts/webcheck.sh")
    name, _user_id, _questions = loner(apps[0])
    groups = "/community/groups"
    paths = (groups, f"{groups}/backend", f"{groups}/frontend", f"{groups}/berlin-chapter", f"{groups}/board",
             f"{groups}/backend/leaderboard", f"{groups}/backend/goals/new", f"{groups}/backend/edit",
             f"{groups}/new")  # fmt: skip
    problems: list[str] = []
    for who in ("ada", name):
        contexts = [browser.new_context(base_url=live_server, locale="en-US", timezone_id="UTC", **options)
                    for options in WIDTHS.values()]  # fmt: skip
        try:
            pages = {}
            for width, context in zip(WIDTHS, contexts, strict=True):
                context.add_init_script(path=axe_js)
                pages[width] = context.new_page()
                log_in(pages[width], who)
            for path in paths if who == "ada" else paths[:5]:
                problems += [f"{who} {path} {found}" for found in check(pages, path)]
                if who == "ada":
                    screenshot(pages[390], f"390-{path.rsplit('/', 1)[-1]}")
        finally:
            for context in contexts:
                context.close()
    assert not problems, "\n".join(problems)
