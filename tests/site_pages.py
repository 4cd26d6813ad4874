"""The seeded example app, and every page each role reaches in it by following links, for the checks
that read every page: HTML validity (tests/test_html_valid.py, vnu) and accessibility
(tests/browser/test_axe.py, axe-core in Chromium).

:func:`seed_site` runs the demo's ``flask seed`` and then adds the few things that seed leaves out
(a season, a survey, an appeal, a mediation, a second guidelines version, a rule preview) so that
their pages can be reached too. :func:`crawl` signs in as one role with the Flask test client and
follows every same-site ``<a href>`` from the home pages, keeping one page per endpoint (a second
question or member page adds markup already checked, and time). :func:`page_checker_file` finds
the checkers ``scripts/webcheck.sh`` installs.
"""

from __future__ import annotations

import html
import os
import re
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Where scripts/webcheck.sh installs the checkers (it also exports the env vars named below).
WEBCHECK_DIR = REPO_ROOT / ".tmp" / "npm" / "node_modules"
AXE_JS = ("GUILDKIT_AXE_JS", WEBCHECK_DIR / "axe-core" / "axe.min.js")
VNU_JAR = ("GUILDKIT_VNU_JAR", WEBCHECK_DIR / "vnu-jar" / "build" / "dist" / "vnu.jar")

ROLES = ("anonymous", "member", "moderator", "admin")
#: Where the crawl starts: the two home pages and the API docs (linked from no page).
START = ("/", "/community/", "/community/api/docs")
HREF = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]*)\"")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "demo"  # every seeded user's


@dataclass(frozen=True)
class Site:
    """A seeded example-app database, who to sign in as for each role (``None``: nobody), and the
    pages no link leads to that are checked all the same (an error page, a link from an email, …)."""

    database_url: str
    logins: dict[str, str | None]
    unlinked: tuple[str, ...] = ()

    def app(self) -> Flask:
        from example_app import create_app

        return create_app({"SQLALCHEMY_DATABASE_URI": self.database_url, "TESTING": True})


@dataclass(frozen=True)
class Page:
    """A page the crawl reached: its URL, the endpoint that served it, its status and HTML."""

    url: str
    endpoint: str
    status: int
    html: str


def page_checker_file(checker: tuple[str, Path]) -> Path | None:
    """The file of an installed checker (``AXE_JS`` or ``VNU_JAR``): its env var, else the known path."""
    variable, default = checker
    path = Path(os.environ.get(variable) or default)
    return path if path.is_file() else None


def seed_site(folder: Path) -> Site:
    """``flask seed`` a fresh database in ``folder``, add what the seed leaves out, and name the roles."""
    url = f"sqlite:///{folder / 'site.db'}"
    app = Site(url, {}).app()
    result = app.test_cli_runner().invoke(args=["seed", "--users", "12", "--days", "12"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return _add_the_rest(url)


def _add_the_rest(url: str) -> Site:
    from example_app.extensions import db, gk
    from example_app.models import User
    from guildkit.models import Member
    from guildkit.moderation.models import Sanction

    names = {user.id: user.name for user in db.session.scalars(sa.select(User))}
    admin = next(uid for uid in names if "admin" in gk.roles(uid))
    moderator = next(uid for uid in names if "moderator" in gk.roles(uid))
    # The member is the one the seed warned: their sanction, and the appeal below, have pages too.
    sanction = gk.session.scalars(sa.select(Sanction).order_by(Sanction.id)).first()
    assert sanction is not None, "the demo seed warns a member"
    warned = gk.session.get(Member, sanction.member_id)
    assert warned is not None
    member = int(warned.user_id)
    now = gk.clock()
    gk.moderation.appeal(member, sanction_id=sanction.id, statement="I was quoting someone else.")
    gk.moderation.start_mediation(moderator, _open_case(gk))
    gk.analytics.surveys.open(admin, kind="csat", question="How are we doing?", closes_at=now + timedelta(days=7))
    gk.guidelines.publish(admin, title="Community guidelines", body="Be kind. Stay on topic.", summary="Shorter.")
    gk.seasons.create(
        admin,
        slug="winter",
        name="Winter",
        point_type="reputation",
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=30),
    )
    gk.admin.preview_badge_backfill(admin, sorted(gk.registry.badges)[0])
    # The demo's teams need more people than this small seed has: one group the admin owns.
    writers = gk.groups.create(admin, name="Writers", description="We write the answers.", policy="open")
    gk.groups.choose_flair(admin, writers.id)  # shown after the admin's name (the seed gives titles)
    unsubscribe = f"/community/notifications/unsubscribe/{gk.notifier.unsubscribe_token(member)}"
    gk.session.commit()
    logins = {"anonymous": None, "member": names[member], "moderator": names[moderator], "admin": names[admin]}
    unlinked = ("/community/members/no-such-member", "/community/sanctions", "/community/settings", unsubscribe)
    return Site(url, logins, unlinked)


def _open_case(gk: Any) -> int:
    from guildkit.moderation.models import ModerationCase as Case

    case_id = gk.session.scalar(sa.select(Case.id).where(Case.status == "open").order_by(Case.id))
    assert case_id is not None, "the demo seed leaves a case in the queue"
    return int(case_id)


def sign_in(client: FlaskClient, name: str | None) -> None:
    """Log ``client`` in through the host's own form (``None``: stay anonymous)."""
    if name is None:
        return
    form = client.get("/login").get_data(as_text=True)
    token = CSRF.search(form)
    assert token is not None, "no CSRF token on /login"
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)})
    assert response.status_code == 302, f"could not log in as {name}: {response.status_code}"


def crawl(site: Site, role: str) -> list[Page]:
    """Every HTML document ``role`` reaches by links from :data:`START`, one per endpoint, in visit order,
    then the site's unlinked pages."""
    app = site.app()
    client = app.test_client()
    sign_in(client, site.logins[role])
    adapter = app.url_map.bind("localhost")
    queue = deque(START)
    endpoints_queued = {_endpoint(adapter, url) for url in START}
    pages: list[Page] = []
    while queue:
        url = queue.popleft()
        page = _fetch(client, adapter, url)
        if page is None:
            continue
        pages.append(page)
        for href in HREF.findall(page.html):
            target = urlsplit(urljoin(url, html.unescape(href)))
            if target.scheme not in ("", "http") or target.netloc not in ("", "localhost"):
                continue
            endpoint = _endpoint(adapter, target.path)
            if endpoint is None or endpoint in endpoints_queued or _not_a_page(endpoint):
                continue
            endpoints_queued.add(endpoint)
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    seen = {page.url for page in pages}
    pages += [page for url in site.unlinked if url not in seen and (page := _fetch(client, adapter, url))]
    return pages


def _fetch(client: FlaskClient, adapter: Any, url: str) -> Page | None:
    """The page at ``url``; None for a redirect, or what is not a whole HTML document (the showcase
    fragment, a CSV, …)."""
    response = client.get(url)
    body = response.get_data(as_text=True)
    if response.mimetype != "text/html" or 300 <= response.status_code < 400:
        return None
    if not body.lstrip().lower().startswith("<!doctype html"):
        return None
    return Page(url, _endpoint(adapter, url) or "?", response.status_code, body)


def guildkit_pages(app: Flask) -> set[str]:
    """The endpoints of guildkit's HTML pages (the showcase is a fragment for other pages, no page)."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("guildkit.")
        and "GET" in (rule.methods or ())
        and not _not_a_page(rule.endpoint)
        and rule.endpoint != "guildkit.pages.showcase"
    }


def _endpoint(adapter: Any, url: str) -> str | None:
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, "GET")
    except (RequestRedirect, HTTPException):
        return None
    return str(endpoint)


def _not_a_page(endpoint: str) -> bool:
    # Sign-out would end the crawl's session; the API, static files and downloads are no pages.
    return (
        endpoint.endswith(("static", "_csv", "_image", "_ics", "download", "openapi_json"))
        or ".api." in endpoint
        or "logout" in endpoint
    )
