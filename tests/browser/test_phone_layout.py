"""Pages of the seeded example app laid out for a phone (390px) and a desktop (1280px), measured in
Chromium by the boxes the browser drew:

* a badge's levels: every level's number, name, tier and goal inside the table's box on a phone
  (no column cut off or scrolled away), and each row's cells on one middle line on a desktop;
* a leaderboard: each row's rank, movement, member and points on one middle line, a movement
  column no wider than it needs, and period tabs whose labels never break over two lines;
* the notifications: a date that wraps starts under the words, never under the "New" pill.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page

from tests.browser.test_console_walk import log_in
from tests.site_pages import Site

SIDEWAYS = "[document.scrollingElement.scrollWidth, window.innerWidth]"
#: How far apart two boxes' middles may be and still read as one line (px).
SAME_LINE = 3.0
#: A badge of the example app's rules (rules.toml) with three levels.
BADGE = "/community/badges/answerer"


@pytest.fixture
def app_factory(site: Site) -> Callable[[], Any]:
    return site.app


@pytest.fixture
def member(site: Site) -> str:
    name = site.logins["member"]
    assert name is not None
    return name


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


#: The middle of what a node holds (its text and pictures), not of its box: a table cell is as
#: tall as its row, whatever its contents do.
CONTENT_MIDDLE = """node => {
  const range = document.createRange();
  range.selectNodeContents(node);
  const found = range.getBoundingClientRect();
  return found.y + found.height / 2;
}"""


def middle(locator: Locator) -> float:
    return float(locator.evaluate(CONTENT_MIDDLE))


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    """Whether ``inner`` lies within ``outer`` from left to right (half a pixel for rounding)."""
    return inner["x"] >= outer["x"] - 0.5 and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5


def test_a_badges_levels_fit_a_phone(mobile_page: Page, live_server: str, member: str) -> None:
    page = mobile_page
    log_in(page, member)
    page.goto(BADGE)
    levels = page.get_by_role("region", name="Levels")
    rows = levels.locator("tbody tr")
    assert rows.count() == 3
    scroll_width, client_width = levels.evaluate("node => [node.scrollWidth, node.clientWidth]")
    assert scroll_width <= client_width, "the levels scroll sideways inside their box: a column is cut off"
    outer = box(levels)
    for n in range(rows.count()):
        row = rows.nth(n)
        number, name, tier, goal = (row.locator(":scope > *").nth(i) for i in range(4))
        for cell in (number, name, tier, goal):
            assert inside(box(cell), outer), f"level {n + 1}: {cell.inner_text()!r} sticks out of the table"
        assert number.inner_text() == str(n + 1)
        assert abs(middle(name) - middle(tier)) < 12, "the name and its tier share a line"
        assert box(goal)["y"] >= box(name)["y"] + box(name)["height"] - 1, "what it takes comes under the name"
        assert goal.evaluate("node => node.scrollWidth <= node.clientWidth")  # and all of it is shown
    assert page.evaluate(SIDEWAYS) == [390, 390]


def test_a_badges_levels_line_up_on_a_desktop(page: Page, live_server: str, member: str) -> None:
    log_in(page, member)
    page.goto(BADGE)
    levels = page.get_by_role("region", name="Levels")
    assert levels.locator("thead").is_visible()  # still a table with its headings
    for n in range(levels.locator("tbody tr").count()):
        cells = levels.locator("tbody tr").nth(n).locator(":scope > *")
        middles = [middle(cells.nth(i)) for i in range(4)]
        assert max(middles) - min(middles) < SAME_LINE, f"level {n + 1}'s cells sit on different lines: {middles}"


def leaderboard_rows_line_up(page: Page) -> None:
    board = page.get_by_role("region", name="Leaderboard")
    rows = board.locator("tbody tr:not(.gk-gap)")
    assert rows.count() >= 3
    for n in range(rows.count()):
        row = rows.nth(n)
        parts = [
            row.locator(":scope > td").nth(0),
            row.locator(".gk-move"),
            row.locator("th a").first,  # the name (a group chip may follow it)
            row.locator("td.gk-num"),
        ]
        middles = [middle(part) for part in parts]
        assert max(middles) - min(middles) < SAME_LINE, f"row {n + 1} is not on one line: {middles}"


def movement_share(page: Page) -> float:
    """The movement column's width, as a share of the board's."""
    board = page.get_by_role("region", name="Leaderboard")
    return box(board.locator("thead th").nth(1))["width"] / box(board.locator("table"))["width"]


def test_a_leaderboard_on_a_phone(mobile_page: Page, live_server: str, member: str) -> None:
    page = mobile_page
    log_in(page, member)
    page.goto("/community/leaderboards?period=week")
    leaderboard_rows_line_up(page)
    assert movement_share(page) < 0.18, "the movement column takes more than an arrow and a number"
    for name in ("Period", "Kind of points"):
        tabs = page.get_by_role("navigation", name=name).get_by_role("link")
        assert tabs.count() >= 3
        for n in range(tabs.count()):
            tab = tabs.nth(n)
            assert tab.evaluate("node => node.getClientRects().length") == 1, f"{tab.inner_text()!r} breaks"
            assert box(tab)["x"] + box(tab)["width"] <= 390, f"{tab.inner_text()!r} is off the screen"
    assert page.evaluate(SIDEWAYS) == [390, 390]


def test_a_leaderboard_on_a_desktop(page: Page, live_server: str, member: str) -> None:
    log_in(page, member)
    page.goto("/community/leaderboards?period=week")
    leaderboard_rows_line_up(page)
    assert movement_share(page) < 0.15, "the movement column takes more than an arrow and a number"


def test_a_notifications_date_never_wraps_under_the_new_pill(mobile_page: Page, live_server: str, member: str) -> None:
    page = mobile_page
    log_in(page, member)
    page.goto("/community/notifications")
    unread = page.locator("li").filter(has=page.locator(".gk-new"))
    assert unread.count() >= 5
    wrapped = 0
    for n in range(unread.count()):
        pill, when = box(unread.nth(n).locator(".gk-new")), box(unread.nth(n).locator("time"))
        assert when["x"] >= pill["x"] + pill["width"], f"notification {n + 1}: its date sits under the pill"
        wrapped += when["y"] >= pill["y"] + pill["height"]
    assert wrapped, "no date wrapped to a line of its own: the check above saw no wrapped line"
    assert page.evaluate(SIDEWAYS) == [390, 390]
