"""Every page of the seeded example app passes axe-core (no serious or critical violation) and does
not scroll sideways on a phone (WCAG 1.4.10 reflow), as each role, at 1280px and at 390px.

The pages are the crawl of :mod:`tests.site_pages` (the same the HTML check reads); axe-core comes
from scripts/webcheck.sh. One context per role and width, one axe run per page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.harness import in_ci
from tests.browser.test_console_walk import log_in
from tests.site_pages import AXE_JS, ROLES, Site, page_checker_file
from tests.site_pages import Page as SitePage

WIDTHS: dict[int, dict[str, Any]] = {
    1280: {"viewport": {"width": 1280, "height": 900}},
    390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
IMPACTS = ["serious", "critical"]
#: Starts axe over the whole document without waiting for it, so that the pages of both widths are
#: checked at once (each in its own renderer process: two cores). Text in exactly the colour of its
#: background (1:1) is only "incomplete" to axe (it might be hidden on purpose); here it is serious.
START_AXE = """(impacts) => {
  const brief = (v, nodes, help) => ({
    id: v.id, impact: v.impact, help: help || v.help, count: nodes.length,
    targets: nodes.slice(0, 5).map(n => n.target.join(" ")),
  });
  const invisible = n => n.any.some(c => c.data && c.data.messageKey === "equalRatio");
  window.__gkAxe = axe.run(document, {resultTypes: ["violations", "incomplete"]}).then(result => [
    ...result.violations.filter(v => impacts.includes(v.impact)).map(v => brief(v, v.nodes)),
    ...result.incomplete.filter(v => v.id === "color-contrast" && v.nodes.some(invisible))
      .map(v => brief(v, v.nodes.filter(invisible), "Text the same colour as its background")),
  ]);
}"""
AXE_RESULT = "() => window.__gkAxe"
SIDEWAYS = "[document.scrollingElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def app_factory(site: Site) -> Callable[[], Any]:
    return site.app


@pytest.fixture(scope="module")
def axe_js() -> Path:
    path = page_checker_file(AXE_JS)
    if path is None:
        reason = f"axe-core not found at {AXE_JS[1]}: run ./scripts/webcheck.sh"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(reason)
    return path


def check(pages: dict[int, Page], url: str) -> list[str]:
    """What is wrong with the page at ``url`` at each width: axe's serious and critical findings,
    and scrolling sideways."""
    for page in pages.values():
        page.goto(url)
        page.evaluate(START_AXE, IMPACTS)
    found = []
    for width, page in pages.items():
        found += [
            f"{width}px: {v['impact']} {v['id']} ({v['help']}) x{v['count']}: {', '.join(v['targets'])}"
            for v in page.evaluate(AXE_RESULT)
        ]
        scroll_width, inner_width = page.evaluate(SIDEWAYS)
        if scroll_width > min(inner_width, width):  # a phone may widen its viewport to fit a page
            found.append(f"{width}px: the page scrolls sideways, {scroll_width}px wide (WCAG 1.4.10 reflow)")
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_reflows(
    browser: Browser,
    live_server: str,
    site: Site,
    pages_by_role: dict[str, list[SitePage]],
    axe_js: Path,
    role: str,
) -> None:
    contexts = [
        browser.new_context(base_url=live_server, locale="en-US", timezone_id="UTC", **options)
        for options in WIDTHS.values()
    ]
    try:
        pages = {}
        for width, context in zip(WIDTHS, contexts, strict=True):
            context.add_init_script(path=axe_js)  # in every page, before the page's own scripts
            pages[width] = context.new_page()
            name = site.logins[role]
            if name is not None:
                log_in(pages[width], name)
        started = time.perf_counter()
        problems = []
        for visited in pages_by_role[role]:
            problems += [f"{visited.url} ({visited.endpoint}) {found}" for found in check(pages, visited.url)]
        elapsed = time.perf_counter() - started
    finally:
        for context in contexts:
            context.close()
    count = len(pages_by_role[role])
    print(f"axe: {count} pages as {role} at {' and '.join(map(str, WIDTHS))}px in {elapsed:.1f} s")
    assert count >= 20, f"the crawl found only {count} pages as {role}"
    assert not problems, f"{len(problems)} problems as {role}:\n" + "\n".join(problems)


def test_a_long_unbroken_word_wraps_on_a_phone(browser: Browser, live_server: str, site: Site) -> None:
    """A file path (a badge's origin, as CI's checkout had it) or a URL wraps instead of widening the page."""
    context = browser.new_context(base_url=live_server, **WIDTHS[390])
    try:
        page = context.new_page()
        admin = site.logins["admin"]
        assert admin is not None
        log_in(page, admin)
        page.goto("/community/admin/badges/answerer")
        origin = page.locator("p", has_text="read-only").locator("strong")
        long_path = "file: /check/work/main/example_app/" + "x" * 80 + ".toml"
        origin.evaluate("(node, text) => { node.textContent = text; }", long_path)
        scroll_width, inner_width = page.evaluate(SIDEWAYS)
        assert (scroll_width, inner_width) == (390, 390)
        box = origin.bounding_box()
        assert box is not None and box["height"] > 40  # it wrapped onto more lines, not hidden
    finally:
        context.close()
