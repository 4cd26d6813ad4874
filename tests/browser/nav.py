"""Following the header's links as a person does: in the members' row, or in a menu."""

from __future__ import annotations

from playwright.sync_api import Page


def follow_nav(page: Page, label: str) -> None:
    """Click the header's link ``label``, opening the "More" or "Staff" menu first when it is there."""
    header = page.locator("header")
    link = header.get_by_role("link", name=label, exact=True).first
    if not link.is_visible():
        for menu in header.locator("details.gk-menu").all():
            # A closed menu's links are hidden, so not found by role: look for them by their text.
            if menu.locator("a").filter(has_text=label).count():
                menu.locator("summary").click()
                break
    link.click()
