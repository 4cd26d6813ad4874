"""Kudos in a real browser, through the example app.

Cleo, Dev and Eve (on a phone) sign up. Dev gives Cleo kudos from the wall's form (choosing her
by name from the form's list of members), then sees the kudos on the wall and his budget go
down. Cleo sees it on the wall with the points it earned her, in her notifications and on her
profile, and follows the profile's link to her kudos. The wall and the member's kudos page are
screenshotted at 1280 and 390 px (Eve's refused form too); axe-core finds nothing serious on the
wall, the member's kudos, one kudos and the profile at either width, and none scrolls sideways on
the phone.
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
from tests.browser.test_axe import WIDTHS, axe_js, check
from tests.browser.test_walk import sign_up

__all__ = ["axe_js"]

MESSAGE = "Thanks for walking me through <EXPLAIN ANALYZE>, the slow join is gone!"


@pytest.fixture
def app_factory(tmp_path: Path) -> Callable[[], Any]:
    def build() -> Any:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'kudos.db'}", "TESTING": True})
        with app.app_context():
            db.create_all()
            gk.create_all()
        return app

    return build


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_a_member_gives_kudos_and_the_receiver_sees_it_with_its_points(
    browser: Browser, page: Page, live_server: str, screenshot: Callable[..., Path], axe_js: Path
) -> None:
    cleo = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    phone = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    try:
        sign_up(cleo, "Cleo Receiver")
        sign_up(page, "Dev Giver")
        sign_up(phone, "Eve Phone")

        # Dev gives Cleo kudos from the wall.
        page.goto("/community/")
        follow_nav(page, "Kudos")
        expect(page.get_by_role("heading", name="Kudos", exact=True)).to_be_visible()
        expect(page.locator(".gk-kudos-budget")).to_have_text("5 of 5 kudos left this week, refills Monday.")
        page.get_by_role("combobox", name="To (a member's name)").fill("cleo receiver")  # a name, in any case
        page.get_by_label("Message").fill(MESSAGE)
        screenshot(page, "kudos-wall-form")
        page.get_by_role("button", name="Give kudos").click()
        expect(page.get_by_role("status")).to_have_text("Your kudos to Cleo Receiver are on the wall.")
        expect(page.locator(".gk-kudos-budget")).to_have_text("4 of 5 kudos left this week, refills Monday.")
        entry = page.locator(".gk-kudos").first
        # As read aloud: the pictures beside the names are decorative.
        expect(entry.locator(".gk-kudos-who")).to_match_aria_snapshot(
            '- paragraph:\n  - link "Dev Giver"\n  - text: gave\n  - link "Cleo Receiver"\n  - text: kudos'
        )
        expect(entry.locator("blockquote")).to_have_text(MESSAGE)  # as typed: escaped, not markup
        expect(entry.get_by_text("Earned")).to_have_count(0)  # the points are Cleo's to see
        screenshot(page, "kudos-wall-given")

        # Cleo sees it, with the points it earned her.
        cleo.goto("/community/kudos")
        mine = cleo.locator(".gk-kudos").first
        expect(mine.locator("blockquote")).to_have_text(MESSAGE)
        expect(mine.get_by_text("Earned 10 Kudos")).to_be_visible()
        cleo.get_by_role("link", name="Notifications").click()
        expect(cleo.get_by_text("Dev Giver gave you kudos:")).to_be_visible()
        cleo.get_by_role("link", name="My profile").click()
        expect(cleo.get_by_role("heading", name="Kudos", exact=True)).to_be_visible()
        expect(cleo.get_by_text("1 received · 0 given")).to_be_visible()
        expect(cleo.locator(".gk-stat").filter(has_text="Kudos")).to_contain_text("10")
        screenshot(cleo, "kudos-profile")
        cleo.get_by_role("link", name="1 kudos received").click()
        expect(cleo.get_by_role("heading", name="Kudos for Cleo Receiver")).to_be_visible()
        expect(cleo.locator(".gk-kudos blockquote")).to_have_text(MESSAGE)
        expect(cleo.get_by_text("These are your kudos")).to_be_visible()

        # Dev thanks her again from her kudos page; then both pages on a phone.
        page.goto(cleo.url)
        page.get_by_label("Message").fill("And for the index tip.")
        page.get_by_role("button", name="Give kudos").click()
        expect(page.locator(".gk-kudos blockquote").first).to_have_text("And for the index tip.")
        screenshot(page, "kudos-member")
        for path in ("/community/kudos", cleo.url.replace(live_server, "")):
            phone.goto(path)
            no_sideways_scroll(phone)
        phone.goto("/community/kudos")
        phone.get_by_label("Message").fill("Both of you: thanks for the great thread!")
        phone.get_by_role("button", name="Give kudos").click()  # no one named: the form says so
        expect(phone.locator("#gk-error-summary")).to_contain_text("To must not be empty")
        no_sideways_scroll(phone)
        screenshot(phone, "kudos-wall-phone")
        phone.goto(cleo.url.replace(live_server, ""))
        screenshot(phone, "kudos-member-phone")
        kudos_page = page.locator(".gk-kudos a[href*='/community/kudos/']").first.get_attribute("href") or ""
        profile = cleo.url.replace(live_server, "").replace("/kudos/members/", "/members/")
        passes_axe(browser, live_server, axe_js, ["/community/kudos", cleo.url, kudos_page, profile])
    finally:
        cleo.context.close()
        phone.context.close()


def passes_axe(browser: Browser, live_server: str, axe_js: Path, urls: list[str]) -> None:
    """axe-core finds nothing serious on the pages, for a member who can give, at 1280 and 390 px,
    and none scrolls sideways (tests/browser/test_axe.py's check)."""
    contexts = [
        browser.new_context(base_url=live_server, locale="en-US", timezone_id="UTC", **o) for o in WIDTHS.values()
    ]
    try:
        pages = {}
        for (width, context), first in zip(zip(WIDTHS, contexts, strict=True), (True, False), strict=True):
            context.add_init_script(path=axe_js)
            pages[width] = context.new_page()
            if first:
                sign_up(pages[width], "Fay Checker")
            else:
                pages[width].goto("/login")
                pages[width].get_by_label("Display name").fill("Fay Checker")
                pages[width].get_by_label("Password").fill("secret-pw")
                pages[width].get_by_role("button", name="Log in").click()
                expect(pages[width].get_by_role("button", name="Log out")).to_be_visible()
        problems = [f"{url}: {found}" for url in urls for found in check(pages, url.replace(live_server, ""))]
    finally:
        for context in contexts:
            context.close()
    assert not problems, "\n".join(problems)
