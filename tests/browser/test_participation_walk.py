"""The mentorship and events walks through the example app, in a real browser, by three people.

Mentoring: Bob offers to mentor; Ada finds him among the suggestions (with the reasons), asks
him; Bob accepts and starts it; both confirm it is complete; Bob's profile shows the Mentor
badge ("First mentorship") and Ada's the Mentee badge.

Events: Carol creates an event that is on now; Ada and Bob say they are going; Carol makes a
check-in code; Ada checks in with it and earns the "First event" badge.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

# The same fresh example app as the Q&A walk.
from tests.browser.test_walk import app_factory, sign_up  # noqa: F401


def open_profile(page: Page) -> None:
    page.goto("/community/")
    page.get_by_role("link", name="My profile").click()


def test_a_mentorship_from_request_to_badges(
    browser: Browser, page: Page, live_server: str, screenshot: Callable[..., Path]
) -> None:
    bob = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_up(bob, "Bob Mentor")
        bob.goto("/community/mentors")
        bob.get_by_role("link", name="Offer to mentor").click()
        bob.get_by_label("Topics you can help with (separate with commas)").fill("sql, python, testing")
        bob.get_by_label("Languages you speak (codes such as en, pt-BR; separate with commas)").fill("en, de")
        bob.get_by_label("Time zone (such as Europe/Berlin)").fill("Europe/Berlin")
        bob.get_by_label("When you are available").fill("Tuesday evenings")
        bob.get_by_label("Mentees at once").fill("2")
        bob.get_by_label("A short pitch").fill("Ten years of SQL; I like slow queries.")
        bob.get_by_role("button", name="Save mentor profile").click()
        screenshot(bob, "mentor-profile")

        sign_up(page, "Ada Mentee")
        page.goto("/community/mentors")
        page.get_by_label("Topics (separate with commas)").fill("sql, css")
        page.get_by_label("Language code").fill("en")
        page.get_by_label("Your time zone").fill("Europe/Paris")
        page.get_by_role("button", name="Find mentors").click()
        suggestion = page.get_by_role("listitem").filter(has_text="Bob Mentor").first
        expect(suggestion).to_contain_text("1 shared topic")
        expect(suggestion).to_contain_text("same time zone")  # Paris and Berlin: same offset
        screenshot(page, "find-a-mentor")
        page.get_by_role("link", name="Ask Bob Mentor to mentor you").click()
        page.get_by_label("Your goals").fill("Write queries that stay fast on big tables.")
        page.get_by_role("button", name="Send request").click()
        mentorship_url = page.url

        bob.goto("/community/mentorships/inbox")
        expect(bob.get_by_text("Write queries that stay fast on big tables.")).to_be_visible()
        screenshot(bob, "request-inbox")
        bob.get_by_role("button", name="Accept").click()
        bob.goto(mentorship_url)
        bob.get_by_role("button", name="Start the mentorship").click()
        bob.get_by_role("button", name="Confirm it is complete").click()
        page.goto(mentorship_url)
        page.get_by_role("button", name="Confirm it is complete").click()
        expect(page.get_by_text("completed").first).to_be_visible()
        screenshot(page, "mentorship-completed")

        open_profile(bob)
        expect(bob.get_by_text("First mentorship").first).to_be_visible()
        screenshot(bob, "mentor-badge")
        open_profile(page)
        expect(page.get_by_text("Mentee", exact=True).first).to_be_visible()
    finally:
        bob.context.close()


def test_an_event_with_rsvps_and_a_check_in_code(
    browser: Browser, page: Page, live_server: str, screenshot: Callable[..., Path]
) -> None:
    carol = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    bob = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_up(carol, "Carol Organizer")
        carol.goto("/community/events/new")
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        carol.get_by_label("Title").fill("Query plan clinic")
        carol.get_by_label("Description (plain text)").fill("Bring a slow query.")
        carol.get_by_label("Starts").fill((now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
        carol.get_by_label("Ends").fill((now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        carol.get_by_label("Time zone (of the times above)").fill("UTC")
        carol.get_by_label("Location (needed unless online)").fill("Room 4, The Old Library")
        carol.get_by_label("Places (empty: no limit)").fill("10")
        carol.get_by_role("button", name="Create event").click()
        expect(carol.get_by_role("heading", name="Query plan clinic")).to_be_visible()
        event_url = carol.url

        for person, name in ((page, "Ada Walker"), (bob, "Bob Asker")):
            sign_up(person, name)
            person.goto(event_url)
            person.get_by_role("radio", name="Going", exact=True).check()
            person.get_by_role("button", name="Save my answer").click()
            expect(person.get_by_text("You answered: Going")).to_be_visible()
        carol.reload()
        expect(carol.get_by_text("Ada Walker").first).to_be_visible()
        screenshot(carol, "event-with-attendees")

        carol.get_by_role("button", name="Make a check-in code").click()
        code = carol.locator(".gk-code").inner_text()
        assert len(code) >= 6

        page.goto(event_url)
        page.get_by_label("Check-in code").fill(code.lower())
        page.get_by_role("button", name="Check in").click()
        expect(page.get_by_text("You checked in")).to_be_visible()
        screenshot(page, "checked-in")
        open_profile(page)
        expect(page.get_by_text("First event").first).to_be_visible()
        screenshot(page, "first-event-badge")
    finally:
        carol.context.close()
        bob.context.close()
