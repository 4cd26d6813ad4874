"""A nomination in a real browser, through the example app: Ann nominates Bob for "Community
Champion" (picking him and the badge from lists), two moderators approve it from their queue,
and Bob sees the badge, and that it came from a nomination. The pages are looked at on a phone
too (390 px): nothing scrolls sideways."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from example_app import create_app, seed_nominations
from example_app.extensions import db, gk
from example_app.models import User
from tests.browser.nav import follow_nav
from tests.browser.test_walk import sign_up

PEOPLE = ("Ann Nominator", "Bob Helper", "Mo Moderator", "Max Moderator")
REASON = "Bob answered every one of my first questions, patiently and with sources."


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    built = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'nominations.db'}", "TESTING": True})
    with built.app_context():
        db.create_all()
        gk.create_all()
    return built


@pytest.fixture
def app_factory(app: Flask) -> Callable[[], Any]:
    return lambda: app


def user_id(app: Flask, name: str) -> int:
    with app.app_context():
        found = db.session.scalar(sa.select(User.id).where(User.name == name))
        db.session.remove()
    assert found is not None
    return int(found)


def person(browser: Browser, live_server: str, name: str, **options: Any) -> Page:
    viewport = options.pop("viewport", {"width": 1280, "height": 900})
    page = browser.new_context(base_url=live_server, viewport=viewport, locale="en-US", **options).new_page()
    sign_up(page, name)
    return page


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_member_nominates_another_and_two_moderators_approve(
    browser: Browser, app: Flask, live_server: str, screenshot: Callable[..., Path]
) -> None:
    ann, bob, mo, maxi = (person(browser, live_server, name) for name in PEOPLE)
    try:
        with app.app_context():
            for name in ("Mo Moderator", "Max Moderator"):
                gk.award(user_id(app, name), role="moderator", reason="moderates the walk")

        # Ann nominates Bob: the member and the badge are picked from lists, never typed.
        ann.goto("/community/")
        follow_nav(ann, "Nominations")
        expect(ann.get_by_role("heading", name="Nominations", level=1)).to_be_visible()
        ann.get_by_role("link", name="Nominate a member").click()
        ann.get_by_label("Find a member by name").fill("Bob")
        ann.get_by_role("button", name="Search").click()
        ann.get_by_label("Member", exact=True).select_option(label="Bob Helper")
        ann.get_by_label("Badge", exact=True).select_option(index=1)
        screenshot(ann, "nominate-form")
        ann.get_by_role("button", name="Nominate").click()
        expect(ann.get_by_role("alert")).to_contain_text("Why they deserve it must not be empty")  # every field named
        ann.get_by_label("Why they deserve it").fill(REASON)
        ann.get_by_role("button", name="Nominate").click()
        expect(ann.get_by_role("status")).to_contain_text("Nomination made")
        expect(ann.get_by_text("0 of 2 approvals so far.")).to_be_visible()
        screenshot(ann, "nomination-made")

        # Two moderators approve it from their queue, each with a reason.
        for moderator, reason in ((mo, "Seen it: patient and precise."), (maxi, "Agreed, well deserved.")):
            moderator.goto("/community/nominations")
            moderator.get_by_role("link", name="1 nomination waits for your decision").click()
            card = moderator.get_by_role("article").filter(has_text="Bob Helper for Community Champion")
            expect(card).to_contain_text(REASON)
            card.get_by_label("Your reason for Bob Helper").fill(reason)
            screenshot(moderator, "queue")
            card.get_by_role("button", name="Approve").click()
            expect(moderator.get_by_role("status")).to_contain_text("Approval saved.")
            expect(moderator.get_by_text("Nothing waits for your decision.")).to_be_visible()

        # Bob hears of it, holds the badge, and sees where it came from.
        bob.goto("/community/notifications")
        expect(bob.get_by_text("Ann Nominator nominated you for Community Champion")).to_be_visible()
        bob.goto(f"/community/members/{user_id(app, 'Bob Helper')}")
        expect(bob.get_by_role("link", name="Community Champion").first).to_be_visible()
        section = bob.locator("section").filter(has=bob.get_by_role("heading", name="Recognised by nomination"))
        expect(section).to_contain_text("nominated by Ann Nominator")
        screenshot(bob, "profile")
        section.get_by_role("link", name="Community Champion").click()
        expect(bob.get_by_text("You hold the badge Community Champion thanks to this nomination.")).to_be_visible()
        expect(bob.get_by_text("Mo Moderator approved")).to_be_visible()
        expect(bob.get_by_text("Max Moderator approved")).to_be_visible()
        screenshot(bob, "nomination-approved")
    finally:
        for page in (ann, bob, mo, maxi):
            page.context.close()


def test_the_pages_fit_a_phone(browser: Browser, app: Flask, live_server: str, screenshot: Callable[..., Path]) -> None:
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    users = [person(browser, live_server, name, **phone) for name in PEOPLE]
    ann, mo = users[0], users[2]
    try:
        with app.app_context():
            gk.award(user_id(app, "Mo Moderator"), role="moderator", reason="moderates the walk")
            gk.award(user_id(app, "Max Moderator"), role="moderator", reason="moderates the walk")
            # The seed's places: [1] a moderator approves, [4] nominates [5].
            names = ("Ann Nominator", "Max Moderator", "Ann Nominator", "Ann Nominator", "Ann Nominator", "Bob Helper")
            people = [db.session.get(User, user_id(app, name)) for name in names]
            nomination_id = seed_nominations.seed(gk, people, datetime.now(UTC))  # type: ignore[arg-type]
            db.session.remove()
        assert nomination_id is not None
        for page, path, name in (
            (ann, "/community/nominations/new", "phone-nominate"),
            (ann, "/community/nominations", "phone-mine"),
            (mo, "/community/nominations/queue", "phone-queue"),
            (ann, f"/community/nominations/{nomination_id}", "phone-nomination"),
        ):
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            no_sideways_scroll(page)
            screenshot(page, name)
        expect(mo.get_by_text("1 of 2 approvals so far.")).to_be_visible()  # the seed's, one of two
    finally:
        for page in users:
            page.context.close()
