"""The host site in guildkit's layout, in a real browser, on the seeded example app: the header
fits (one row of links for a staff member at 1280px, nothing sideways on a phone), a 401 page
signs in and comes back, and sign-out is the host's own POST form with its CSRF token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from example_app import create_app
from tests.browser.test_console_walk import log_in

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('host') / 'seeded.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    result = app.test_cli_runner().invoke(args=["seed", "--users", "12", "--days", "12"])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def app_factory(seeded_db: str) -> Callable[[], Any]:
    return lambda: create_app({"SQLALCHEMY_DATABASE_URI": seeded_db, "TESTING": True})


@pytest.fixture
def sized(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """``sized(viewport, phone=False)``: a page in a fresh context of that size."""
    contexts = []

    def open_page(viewport: ViewportSize, *, phone: bool = False) -> Page:
        context = browser.new_context(
            viewport=viewport, base_url=live_server, is_mobile=phone, has_touch=phone, locale="en-US", timezone_id="UTC"
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def tops(page: Page, selector: str) -> set[int]:
    """The distinct top edges (rounded px) of the elements ``selector`` matches."""
    return {round(box["y"]) for box in (el.bounding_box() for el in page.locator(selector).all()) if box}


def overflows(page: Page, selector: str) -> bool:
    return bool(page.locator(selector).evaluate("el => el.scrollWidth > el.clientWidth + 1"))


def test_staff_header_is_one_row_at_1280(sized: Callable[..., Page], screenshot: Callable[..., Path]) -> None:
    page = sized(DESKTOP)
    log_in(page, "ada")
    page.goto("/community/")
    community = page.get_by_role("navigation", name="Community")
    for label in ("Members", "Mentoring", "Events"):
        expect(community.get_by_role("link", name=label)).to_be_visible()
    account = page.get_by_role("navigation", name="Your account")
    for label in ("Notifications", "My profile"):
        expect(account.get_by_role("link", name=label)).to_be_visible()
    assert len(tops(page, ".gk-nav > ul > li")) == 1, "the community links wrap"
    assert not overflows(page, ".gk-nav > ul"), "some community links are scrolled out of sight"
    screenshot(page, "staff-1280")
    # The links beyond the row's first eight are under "More"; the staff's tools under "Staff".
    expect(community.get_by_role("link", name="Challenges")).to_be_hidden()
    community.get_by_text("More", exact=True).click()
    for label in ("Groups", "Kudos", "Nominations", "Challenges"):
        expect(community.get_by_role("link", name=label)).to_be_visible()
    screenshot(page, "staff-1280-more")
    community.get_by_role("link", name="Challenges").click()
    expect(page.locator(".gk-nav summary.gk-current")).to_have_text("More")  # where the current page is
    account.get_by_text("Staff", exact=True).click()
    for label in ("Moderation", "Analytics", "Admin"):
        expect(account.get_by_role("link", name=label)).to_be_visible()
    screenshot(page, "staff-1280-staff")
    account.get_by_role("link", name="Moderation").click()
    expect(page.locator(".gk-account summary.gk-current")).to_have_text("Staff")
    host = page.locator(".gk-hostbar")
    expect(host.get_by_role("link", name="Q&A Guild")).to_have_attribute("href", "/")
    expect(page.get_by_role("navigation", name="Q&A Guild").get_by_role("link", name="Ask")).to_be_visible()
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    assert len(tops(page, ".gk-hostbar > *")) == 1 and len(tops(page, ".gk-host-nav li")) == 1


@pytest.mark.parametrize("who", ["ada", None], ids=["staff", "visitor"])
def test_phone_header_scrolls_no_page_sideways(
    sized: Callable[..., Page], screenshot: Callable[..., Path], who: str | None
) -> None:
    page = sized(PHONE, phone=True)
    if who:
        log_in(page, who)
    page.goto("/community/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    assert len(tops(page, ".gk-nav > ul > li")) == 1, "the community links wrap"
    account = page.locator(".gk-account")
    if who:
        expect(account.get_by_role("button", name="Sign out")).to_be_in_viewport()
    else:
        expect(account.get_by_role("link", name="Sign in")).to_be_in_viewport()
        expect(account.get_by_role("link", name="Sign up")).to_be_in_viewport()
    screenshot(page, f"phone-{who or 'visitor'}")
    # The row scrolls to its last link, and the page still does not.
    last = page.locator(".gk-nav > ul > li").last.get_by_role("link")
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"phone-{who or 'visitor'}-scrolled")


def test_a_401_page_signs_in_and_comes_back(sized: Callable[..., Page], screenshot: Callable[..., Path]) -> None:
    page = sized(PHONE, phone=True)
    response = page.goto("/community/notifications?x=1")
    assert response is not None and response.status == 401
    screenshot(page, "401")
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Display name").fill("ada")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/community/notifications?x=1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")


def test_sign_out_is_the_hosts_post_form(sized: Callable[..., Page]) -> None:
    page = sized(DESKTOP)
    log_in(page, "ada")
    page.goto("/community/members")
    page.locator(".gk-account").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()  # the host's CSRF check passed
    page.goto("/community/members")
    expect(page.locator(".gk-account").get_by_role("link", name="Sign in")).to_be_visible()
