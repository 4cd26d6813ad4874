"""Members read words, never internals: no activity type, subject key, permission name or slug
appears on any page of the seeded demo, as a visitor or as a member, in Chromium.

The pages are the crawl of :mod:`tests.site_pages`; what counts as internal is read from the
seeded app itself: the activity types and subject keys in its database, the permissions of its
roles, and the slugs of its badges, point types and roles that are not plain words (a slug such
as ``reputation`` is also the English word a sentence may use).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser

from tests.browser.test_console_walk import log_in
from tests.site_pages import Page as SitePage
from tests.site_pages import Site

#: "answer:384", "member:8", "question:162": a subject key as stored.
SUBJECT_KEY = re.compile(r"\b[a-z][a-z_]*:\d+\b")
MEMBER_ROLES = ("anonymous", "member")


@pytest.fixture
def app_factory(site: Site) -> Callable[[], Any]:
    return site.app


def internals(site: Site) -> set[str]:
    app = site.app()
    gk = app.extensions["guildkit"].gk
    with app.app_context():
        session = gk.session
        types = set(session.scalars(sa.text("SELECT DISTINCT type FROM guildkit_activities")))
        registry = gk.registry
        names = set(types) | set(registry.activity_types)
        for role in registry.roles.values():
            names.update(role.permissions)
        names.update(registry.badges)
        names.update(registry.point_types)
        names.update(registry.roles)
    # A plain word ("reputation", "answerer") may be said in a sentence; a dotted, underscored or
    # hyphenated name never is.
    return {name for name in names if re.search(r"[._-]", name)}


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_no_internal_name_is_shown_to_members(
    browser: Browser, live_server: str, site: Site, pages_by_role: dict[str, list[SitePage]], role: str
) -> None:
    raw = internals(site)
    assert any("." in name for name in raw), "the seeded demo should have dotted activity types to look for"
    pattern = re.compile(
        "|".join(rf"(?<![\w.-]){re.escape(name)}(?![\w-])" for name in sorted(raw, key=len, reverse=True))
    )
    context = browser.new_context(base_url=live_server, locale="en-US", timezone_id="UTC")
    problems = []
    try:
        page = context.new_page()
        name = site.logins[role]
        if name is not None:
            log_in(page, name)
        pages = [p for p in pages_by_role[role] if "/api/" not in p.url]
        for visited in pages:
            page.goto(visited.url)
            text = page.inner_text("body")
            found = sorted({m.group(0) for m in pattern.finditer(text)} | set(SUBJECT_KEY.findall(text)))
            if found:
                problems.append(f"{visited.url} ({visited.endpoint}): {', '.join(found[:8])}")
    finally:
        context.close()
    assert len(pages) >= 20, f"the crawl found only {len(pages)} pages as {role}"
    assert not problems, f"internal names on {len(problems)} pages as {role}:\n" + "\n".join(problems)
