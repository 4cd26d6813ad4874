"""A form with several mistakes, in a real browser, through the seeded example app: Ada sends a new
event with five bad fields and gets them all back at once. The summary has the focus when the page
loads (no script), each of its links moves the focus to its field, what she typed is still there,
and the page fits a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.test_console_walk import app_factory, log_in

__all__ = ["app_factory"]

BAD = {
    "#gk-title": "",
    "#gk-starts_at": "2027-02-01T12:00",
    "#gk-ends_at": "2027-02-01T11:00",
    "#gk-timezone": "Nowhere/Land",
    "#gk-url": "ftp://example.org",
    "#gk-capacity": "0",
}
MESSAGES = [
    "Title must not be empty",
    "The event must end after it starts",
    "Time zone must be a known IANA time zone name such as Europe/Paris",
    "An in-person event needs a location",
    "Link must start with http:// or https://",
    "Places must be a whole number from 1 to 1,000,000",
]


def send_a_bad_event(page: Page) -> None:
    page.goto("/community/events/new")
    for selector, value in BAD.items():
        page.locator(selector).fill(value)
    page.get_by_role("button", name="Create event").click()


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_every_mistake_at_once_with_the_summary_focused(
    page: Page, live_server: str, screenshot: Callable[..., Path], app_factory: Any
) -> None:
    log_in(page, "ada")
    send_a_bad_event(page)
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: New event"))
    # autofocus takes effect when the browser next renders, not at load: wait for it.
    expect(page.locator("#gk-error-summary")).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).to_have_text(MESSAGES)
    screenshot(page, "summary")

    page.keyboard.press("Tab")  # from the summary, the first link is next
    assert focused_id(page) == "" and page.evaluate("document.activeElement.textContent") == MESSAGES[0]
    links.nth(2).click()  # "Time zone …": the focus lands in the field
    assert focused_id(page) == "gk-timezone"
    expect(page.locator("#gk-timezone")).to_have_value("Nowhere/Land")
    expect(page.locator("#gk-timezone")).to_have_attribute("aria-invalid", "true")
    described = page.locator("#gk-timezone").get_attribute("aria-describedby") or ""
    expect(page.locator(f"#{described}")).to_contain_text(MESSAGES[2])
    for selector, value in BAD.items():
        expect(page.locator(selector)).to_have_value(value)
    screenshot(page, "at-the-time-zone")


def test_the_summary_fits_a_phone(
    mobile_page: Page, live_server: str, screenshot: Callable[..., Path], app_factory: Any
) -> None:
    log_in(mobile_page, "ada")
    send_a_bad_event(mobile_page)
    expect(mobile_page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide"
    screenshot(mobile_page, "summary-phone")
