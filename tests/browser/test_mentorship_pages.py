"""The mentorship pages in a real browser, signed in as a mentor: each fits a 390 px phone without
sideways scrolling, every form field has a label, a request can be accepted with the keyboard, and
the action forms name every bad field at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask, request
from playwright.sync_api import Page, expect

from guildkit.testing import make_app
from guildkit.web import make_blueprint

LONG = "A very long pitch without spaces: " + "x" * 120
PAGES = [
    "/community/mentors?topics=python&language=en&timezone=Europe/Paris",
    "/community/mentors/ada",
    "/community/mentors/bob",
    "/community/mentorships",
    "/community/mentorships/inbox",
    "/community/mentorships/1",
]


@pytest.fixture
def app_factory(tmp_path: Path) -> Iterator[Callable[[], Flask]]:
    with make_app("sqlite", tmp_path) as (app, gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")

        @gk.current_user_loader
        def who() -> str | None:  # the host's identity: a cookie the test sets
            return request.cookies.get("user")

        gk.join("ada", name="Ada Lovelace")
        gk.join("bob", name="Bob")
        ms = gk.mentorship
        ms.offer(
            "ada", topics=["python", "testing"], languages=["en"], timezone="Europe/London", capacity=3, pitch=LONG
        )
        ms.offer("bob", topics=["rust"], languages=["de"], timezone="Asia/Tokyo", capacity=1)
        active = ms.request("bob", "ada", goals="Ship " + "y" * 100, topics=["python"], timezone="Europe/Paris")
        ms.accept(active.id, "ada")
        ms.check_in(active.id, "bob", on=date(2026, 1, 5), notes="Long notes " + "z" * 150)
        ms.request("eve", "ada", goals="Learn testing", message="Hello!")
        yield lambda: app


def sign_in(page: Page, base_url: str, user: str) -> None:
    page.context.add_cookies([{"name": "user", "value": user, "url": base_url}])


@pytest.mark.parametrize("path", PAGES)
def test_fits_a_phone_and_fields_are_labelled(mobile_page: Page, live_server: str, path: str) -> None:
    sign_in(mobile_page, live_server, "ada")
    response = mobile_page.goto(path)
    assert response is not None and response.status == 200
    width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    unlabelled = mobile_page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(el => !(el.labels && el.labels.length)).map(el => el.name || el.id)"""
    )
    assert unlabelled == []


def test_accept_a_request_with_the_keyboard(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "ada")
    page.goto("/community/mentorships/inbox")
    accept = page.get_by_role("button", name="Accept")
    accept.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("You accepted the request.")
    expect(page.get_by_text("No requests are waiting for you.")).to_be_visible()
    page.goto("/community/mentors/ada")
    expect(page.get_by_text("1 of 3")).to_be_visible()


def test_decline_without_a_reason_is_named_on_the_page(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "ada")
    page.goto("/community/mentorships/inbox")
    page.get_by_role("button", name="Decline").click()
    # The server names the field (the form is novalidate): the summary is focused, the field marked.
    summary = page.locator("#gk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Reason for declining must not be empty"])
    expect(page.get_by_label("Reason for declining")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Decline")).to_be_visible()


def test_a_check_in_with_two_bad_fields_names_both_and_keeps_them(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "bob")
    page.goto("/community/mentorships/1")
    page.get_by_label("Meeting date").fill("2099-01-01")
    page.get_by_role("button", name="Add check-in").click()
    summary = page.locator("#gk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Meeting date cannot be in the future", "Notes must not be empty"]
    )
    expect(page.get_by_label("Meeting date")).to_have_value("2099-01-01")
    assert page.title().startswith("Error: ")
