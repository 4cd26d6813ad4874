"""The host site in guildkit's layout: its name, home, navigation, sign-in, sign-up and sign-out from
the ``GUILDKIT_HOST_*`` keys and the host's loader; the 401 page; checks on bad values."""

from __future__ import annotations

import html as htmlib
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request

from guildkit import GuildKit
from guildkit.errors import ConfigurationError
from guildkit.web.host import next_target, safe_next, with_next
from tests.webclient import API_PREFIX, PREFIX, Site, mount

HOST: dict[str, Any] = {
    "GUILDKIT_HOST_NAME": "Acme Q&A",
    "GUILDKIT_HOST_HOME_URL": "home",
    "GUILDKIT_HOST_SIGN_IN_URL": "login",
    "GUILDKIT_HOST_SIGN_UP_URL": "https://id.acme.example/join",
    "GUILDKIT_HOST_SIGN_OUT_URL": "/logout",
    "GUILDKIT_HOST_CSRF_TOKEN": lambda: "host-token",
    "GUILDKIT_HOST_NAV": [
        {"label": "Questions", "endpoint": "questions"},
        {"label": "Blog", "url": "https://blog.acme.example/"},
    ],
}


@pytest.fixture
def gk_backend() -> str:
    return "sqlite"  # the layout reads no table the backends differ on


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return dict(HOST)


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    for rule, endpoint in (("/", "home"), ("/login", "login"), ("/questions", "questions")):
        gk_app.add_url_rule(rule, endpoint, lambda: "a host page")
    gk.join("ann", name="Ann")
    return Site(mount(gk_app, gk), gk)


def part(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def links(html: str) -> dict[str, str]:
    """Each link's text (tags stripped) and its ``href``, unescaped."""
    found = re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    return {
        htmlib.unescape(" ".join(re.sub(r"<[^>]+>", "", text).split())): htmlib.unescape(href) for href, text in found
    }


def per_user_host() -> dict[str, Any]:
    """A loader, named in config as ``"tests.test_host_integration:per_user_host"``."""
    user = request.headers.get("X-User")
    return {"name": "Acme for you", "nav": [{"label": "My answers", "url": f"/users/{user}"}]} if user else {}


def test_a_visitor_sees_the_host_and_sign_in_and_up(site: Site) -> None:
    page = site.get("/badges?sort=rare")
    header = part(page, "<header", "</header>")
    assert part(page, "<title>", "</title>") == "Badges · Community · Acme Q&amp;A"
    assert '<a class="gk-host-home" href="/">Acme Q&amp;A</a>' in header
    assert '<nav class="gk-host-nav" aria-label="Acme Q&amp;A">' in header
    here = "next=%2Fcommunity%2Fbadges%3Fsort%3Drare"
    assert links(header) == {
        "Acme Q&A": "/",
        "Questions": "/questions",
        "Blog": "https://blog.acme.example/",
        "Sign in": f"/login?{here}",
        "Sign up": f"https://id.acme.example/join?{here}",
        "Community": "/community/",
        "Home": "/community/",
        "Members": "/community/members",
        "Badges": "/community/badges",
        "Leaderboards": "/community/leaderboards/reputation",
        "Mentoring": "/community/mentors",
        "Events": "/community/events",
        "Guidelines": "/community/guidelines",
        "Seasons": "/community/seasons",
        "Groups": "/community/groups",  # under "More" (GUILDKIT_NAV_LINKS)
        "Kudos": "/community/kudos",
        "Challenges": "/community/challenges",
    }
    assert "Sign out" not in header and "<form" not in header


def test_a_member_signs_out_with_the_hosts_post_form(site: Site) -> None:
    header = part(site.get("/members", user="ann"), "<header", "</header>")
    account = part(header, '<nav class="gk-account" aria-label="Your account">', "</nav>")
    assert '<form class="gk-signout" method="post" action="/logout">' in account
    assert '<input type="hidden" name="csrf_token" value="host-token">' in account
    assert '<button class="gk-link-button" type="submit">Sign out</button>' in account
    assert set(links(account)) == {"Notifications", "My profile", "Settings"}
    assert "Sign in" not in header and "Sign up" not in header


def test_a_visitors_page_asks_for_no_csrf_token(site: Site, gk_app: Flask) -> None:
    """Making the host's token may start a session: only the sign-out form asks for it."""
    asked: list[str] = []

    def token() -> str:
        asked.append("token")
        return "t"

    gk_app.config["GUILDKIT_HOST_CSRF_TOKEN"] = token
    visitor = site.client.get(PREFIX + "/members")
    assert visitor.status_code == 200 and asked == []
    site.get("/members", user="ann")
    assert asked == ["token"]


def test_sign_out_by_get_is_a_link(site: Site, gk_app: Flask) -> None:
    gk_app.config.update(GUILDKIT_HOST_SIGN_OUT_METHOD="GET", GUILDKIT_HOST_CSRF_TOKEN=None)
    account = part(site.get("/", user="ann"), '<nav class="gk-account"', "</nav>")
    assert links(account)["Sign out"] == "/logout"
    assert "<form" not in account


def test_without_host_settings_the_layout_is_guildkits_own(site: Site, gk_app: Flask) -> None:
    for key in HOST:
        gk_app.config[key] = [] if key == "GUILDKIT_HOST_NAV" else None
    visitor = site.get("/")
    assert "gk-hostbar" not in visitor and "Sign in" not in visitor
    assert part(visitor, "<title>", "</title>") == "Home · Community"
    member = part(site.get("/", user="ann"), "<header", "</header>")  # their own links, and no sign-out
    account = part(member, '<nav class="gk-account"', "</nav>")
    assert set(links(account)) == {"Notifications", "My profile", "Settings"}
    assert "gk-host-home" not in member and "Sign out" not in member


def test_the_loader_replaces_settings_and_adds_links_per_user(site: Site, gk_app: Flask) -> None:
    gk_app.config["GUILDKIT_HOST_LOADER"] = "tests.test_host_integration:per_user_host"
    mine = part(site.get("/", user="ann"), "<header", "</header>")
    assert '<a class="gk-host-home" href="/">Acme for you</a>' in mine
    host_nav = part(mine, 'class="gk-host-nav"', "</nav>")
    assert list(links(host_nav).items()) == [
        ("Questions", "/questions"),
        ("Blog", "https://blog.acme.example/"),
        ("My answers", "/users/ann"),  # the loader's links come after the configured ones
    ]
    visitor = part(site.get("/"), "<header", "</header>")  # {}: the settings stand
    assert ">Acme Q&amp;A</a>" in visitor and "My answers" not in visitor
    gk_app.config["GUILDKIT_HOST_LOADER"] = lambda: {"sign_up_url": None, "sign_in_url": "/sso?next=/community/"}
    account = links(part(site.get("/members"), "<header", "</header>"))
    assert "Sign up" not in account  # None from the loader removes what config says
    assert account["Sign in"] == "/sso?next=/community/"  # a next of its own is kept


def test_a_401_page_offers_sign_in_back_to_the_page_and_sign_up(site: Site) -> None:
    response = site.client.get(PREFIX + "/notifications?cursor=&x=1")
    assert response.status_code == 401 and response.mimetype == "text/html"
    main = part(response.get_data(as_text=True), "<main", "</main>")
    assert links(main) == {
        "Sign in": "/login?next=%2Fcommunity%2Fnotifications%3Fcursor%3D%26x%3D1",
        "Sign up": "https://id.acme.example/join?next=%2Fcommunity%2Fnotifications%3Fcursor%3D%26x%3D1",
        "Back to the community": "/community/",
    }
    # A signed-in member refused a page (403) is not asked to sign in.
    assert "Sign in" not in part(site.get("/moderation", user="ann", status=403), "<main", "</main>")


def test_a_401_after_a_form_comes_back_to_the_form_page_on_this_site_only(site: Site) -> None:
    with site.client.session_transaction() as session:
        session["_guildkit_csrf"] = "token"
    for referrer, back in (
        ("http://localhost/community/badges?x=1", "next=%2Fcommunity%2Fbadges%3Fx%3D1"),
        ("https://evil.example/community/badges", None),
    ):
        sent = site.client.post(
            PREFIX + "/notifications/read", data={"csrf_token": "token"}, headers={"Referer": referrer}
        )
        assert sent.status_code == 401
        sign_in = links(part(sent.get_data(as_text=True), "<main", "</main>"))["Sign in"]
        assert sign_in == (f"/login?{back}" if back else "/login")


def test_next_is_never_another_sites_address(site: Site, gk_app: Flask) -> None:
    # The Host header names the site, never the page: next stays a path.
    page = site.client.get(PREFIX + "/notifications", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert links(part(page, "<main", "</main>"))["Sign in"] == "/login?next=%2Fcommunity%2Fnotifications"
    for path in ("//evil.example/community/notifications", "/%2F/evil.example", "/\\evil.example"):
        with gk_app.test_request_context(path):
            target = next_target()
            assert target is None or (target.startswith("/") and not target.startswith("//")), target
    for target in ("//evil.example", "/\\evil.example", "https://evil.example/", "/\t/evil.example", "evil", ""):
        assert safe_next(target) is None, target
    assert safe_next("/community/members?q=a") == "/community/members?q=a"
    assert with_next("/login?next=/x", "/community/") == "/login?next=/x"
    assert with_next("/login#top", "/c?a=1") == "/login?next=%2Fc%3Fa%3D1#top"


def test_api_401s_stay_problem_documents(site: Site) -> None:
    response = site.client.post(API_PREFIX + "/me/notifications/read", json={})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("GUILDKIT_HOST_NAME", 5),
        ("GUILDKIT_HOST_NAME", "two\nlines"),
        ("GUILDKIT_HOST_HOME_URL", "javascript:alert(1)"),
        ("GUILDKIT_HOST_SIGN_IN_URL", "//evil.example/login"),
        ("GUILDKIT_HOST_SIGN_UP_URL", "/\\evil.example"),
        ("GUILDKIT_HOST_SIGN_OUT_URL", ["/logout"]),
        ("GUILDKIT_HOST_SIGN_OUT_METHOD", "DELETE"),
        ("GUILDKIT_HOST_CSRF_FIELD", "two words"),
        ("GUILDKIT_HOST_CSRF_TOKEN", "not a callable"),
        ("GUILDKIT_HOST_NAV", "Questions"),
        ("GUILDKIT_HOST_NAV", [{"label": "Questions"}]),
        ("GUILDKIT_HOST_NAV", [{"label": "Q", "url": "/q", "endpoint": "q"}]),
        ("GUILDKIT_HOST_NAV", [{"label": "", "url": "/q"}]),
        ("GUILDKIT_HOST_NAV", [{"label": "Q", "url": "javascript:alert(1)"}]),
        ("GUILDKIT_HOST_NAV", [{"label": "Q", "href": "/q"}]),
        ("GUILDKIT_HOST_LOADER", 42),
    ],
)
def test_bad_settings_fail_start_up_naming_the_key(tmp_path: Path, key: str, value: Any) -> None:
    app = Flask("host", instance_path=str(tmp_path))
    app.config[key] = value
    with pytest.raises(ConfigurationError, match=re.escape(key)):
        GuildKit().init_app(app)


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("GUILDKIT_HOST_SIGN_IN_URL", "auth.login", "GUILDKIT_HOST_SIGN_IN_URL"),  # no such endpoint
        ("GUILDKIT_HOST_NAV", [{"label": "Q", "endpoint": "nowhere"}], "GUILDKIT_HOST_NAV[0]"),
        ("GUILDKIT_HOST_LOADER", "tests.test_host_integration:missing", "GUILDKIT_HOST_LOADER"),
        ("GUILDKIT_HOST_LOADER", lambda: ["not", "a", "dict"], "GUILDKIT_HOST_LOADER"),
        ("GUILDKIT_HOST_LOADER", lambda: {"colour": "red"}, "GUILDKIT_HOST_LOADER"),
        ("GUILDKIT_HOST_LOADER", lambda: {"home_url": "javascript:x"}, "GUILDKIT_HOST_LOADER 'home_url'"),
        ("GUILDKIT_HOST_LOADER", lambda: {"nav": [{"label": "x"}]}, "GUILDKIT_HOST_LOADER 'nav'[0]"),
    ],
)
def test_what_only_a_request_can_check_fails_naming_the_key(
    site: Site, gk_app: Flask, setting: str, value: Any, named: str
) -> None:
    gk_app.config[setting] = value
    with pytest.raises(ConfigurationError, match=re.escape(named)):
        site.client.get(PREFIX + "/")


def test_templates_are_overridable(site: Site, gk_app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "host-templates" / "guildkit"
    folder.mkdir(parents=True)
    (folder / "_host.html").write_text(
        '<p class="my-bar">{{ gk_host.name }}: {% for link in gk_host.nav %}{{ link.label }} {% endfor %}'
        '{% if gk_host.sign_in_url %}<a href="{{ gk_host.sign_in_url }}">Log in</a>{% endif %}</p>'
    )
    gk_app.template_folder = str(folder.parent)
    gk_app.__dict__.pop("jinja_loader", None)  # Flask caches the app's loader
    header = part(site.get("/members"), "<header", "</header>")
    assert '<p class="my-bar">Acme Q&amp;A: Questions Blog <a href="/login?next=%2Fcommunity%2Fmembers">' in header
    assert "gk-hostbar" not in header and 'class="gk-nav"' in header  # the rest of the layout stays
