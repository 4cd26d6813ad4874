"""The example app's own sign-in, as an outside review probed it: attempts are rate-limited, the
cookies carry their flags, and a log-out ends the sessions made before it, even copied cookies.

Everything goes through the HTTP client, as in test_example_app.py: forms with their CSRF tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from example_app import create_app, db, gk

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse"


def make_app(tmp_path: Path, **config: Any) -> Iterator[Flask]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'ex.db'}", "TESTING": True, **config})
    with app.app_context():
        db.create_all()
        gk.create_all()
    yield app
    with app.app_context():
        gk.store.remove_session()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from make_app(tmp_path)


class Visitor:
    """One browser, from one address: loads the page a form is on, then posts it with its token."""

    def __init__(self, app: Flask, address: str = "192.0.2.1", *, https: bool = False) -> None:
        self.client: FlaskClient = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.base_url = "https://localhost/" if https else "http://localhost/"

    def get(self, path: str) -> TestResponse:
        return self.client.get(path, base_url=self.base_url)

    def post(self, path: str, data: dict[str, str], form_page: str | None = None) -> TestResponse:
        page = self.get(form_page or path).get_data(as_text=True)
        tokens = TOKEN_RE.findall(page)
        assert tokens, f"no form with a CSRF token on {form_page or path}"
        return self.client.post(path, data={**data, "csrf_token": tokens[0]}, base_url=self.base_url)

    def log_in(self, name: str, password: str = PASSWORD, *, remember: bool = False) -> TestResponse:
        return self.post("/login", {"name": name, "password": password, **({"remember": "1"} if remember else {})})

    def log_out(self) -> None:
        assert self.post("/logout", {}, form_page="/").status_code == 302

    def signed_in(self) -> bool:
        home = self.get("/").get_data(as_text=True)
        assert ("Log out" in home) != ("Log in" in home)
        return "Log out" in home

    def cookie(self, name: str) -> str:
        cookie = self.client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        return cookie.value


def sign_up(app: Flask, name: str = "alice", *, https: bool = False) -> None:
    visitor = Visitor(app, "198.51.100.99", https=https)
    response = visitor.post("/signup", {"name": name, "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 302


def with_cookie(app: Flask, name: str, value: str) -> Visitor:
    """A fresh browser elsewhere, holding only a copy of one cookie."""
    visitor = Visitor(app, "203.0.113.7")
    visitor.client.set_cookie(name, value)
    return visitor


# -- rate limit ----------------------------------------------------------------------------------


def test_the_sixth_wrong_password_within_a_minute_gets_429(app: Flask) -> None:
    sign_up(app)
    guesser = Visitor(app)
    for n in range(5):
        assert guesser.log_in("alice", f"guess {n}").status_code == 400
    refused = guesser.log_in("alice", "guess 5")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert refused.mimetype == "text/html"
    assert "Q&amp;A Guild" in page and "<h1>429 · Too Many Requests</h1>" in page  # the app's own page
    assert "Too many log-in attempts" in page and "5 per minute" in page
    assert 'href="/login">Back to log in</a>' in page
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Even the right password waits now; the form itself still shows.
    assert guesser.log_in("alice", PASSWORD).status_code == 429
    assert guesser.client.get("/login").status_code == 200
    assert not guesser.signed_in()


def test_the_limit_counts_per_name_from_any_address_and_per_address_for_any_name(app: Flask) -> None:
    sign_up(app)
    for n in range(5):
        assert Visitor(app, f"192.0.2.{10 + n}").log_in("ALICE ", "wrong").status_code == 400  # one name
    assert Visitor(app, "192.0.2.20").log_in("alice", "wrong").status_code == 429
    assert Visitor(app, "192.0.2.21").log_in("bob", "wrong").status_code == 400  # another name: fine

    one_address = Visitor(app, "192.0.2.30")
    for n in range(5):
        assert one_address.log_in(f"name{n}", "wrong").status_code == 400
    assert one_address.log_in("name5", "wrong").status_code == 429


def test_the_limit_is_the_apps_config(tmp_path: Path) -> None:
    for app in make_app(tmp_path / "strict", LOGIN_RATE_LIMIT="2 per minute"):
        visitor = Visitor(app)
        assert [visitor.log_in("x", "y").status_code for _ in range(3)] == [400, 400, 429]
    for app in make_app(tmp_path / "off", RATELIMIT_ENABLED=False):
        visitor = Visitor(app)
        assert {visitor.log_in("x", "y").status_code for _ in range(8)} == {400}


# -- cookies -------------------------------------------------------------------------------------


def set_cookies(response: TestResponse) -> dict[str, dict[str, str]]:
    """Each Set-Cookie header as ``{name: {attribute (lower case): value}}``."""
    cookies: dict[str, dict[str, str]] = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = (part.strip() for part in header.split(";"))
        name = first.split("=", 1)[0]
        cookies[name] = {key.lower(): value for key, _, value in (a.partition("=") for a in attributes)}
    return cookies


def test_session_and_remember_cookies_carry_their_flags(app: Flask) -> None:
    sign_up(app)
    response = Visitor(app).log_in("alice", remember=True)
    assert response.status_code == 302
    cookies = set_cookies(response)
    for name in ("session", "remember_token"):
        assert cookies[name]["samesite"] == "Lax", name
        assert "httponly" in cookies[name], name
        assert "secure" not in cookies[name], name  # the demo runs on http://127.0.0.1
    expires = parsedate_to_datetime(cookies["remember_token"]["expires"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=2)


def test_cookies_are_secure_when_the_app_says_so(tmp_path: Path) -> None:
    for app in make_app(tmp_path, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True):
        sign_up(app, https=True)
        visitor = Visitor(app, https=True)  # Secure cookies come back over HTTPS only
        cookies = set_cookies(visitor.log_in("alice", remember=True))
        assert "secure" in cookies["session"] and "secure" in cookies["remember_token"]


# -- log-out ends the sessions made before it ------------------------------------------------------


def test_a_session_cookie_captured_before_logout_is_refused_after(app: Flask) -> None:
    sign_up(app)
    alice = Visitor(app)
    assert alice.log_in("alice").status_code == 302
    captured = alice.cookie("session")
    assert with_cookie(app, "session", captured).signed_in()  # a copy works while she is logged in

    alice.log_out()

    replay = with_cookie(app, "session", captured)
    assert not replay.signed_in()
    assert replay.client.get("/ask").status_code == 302  # a page that needs a log-in sends it there
    assert replay.client.get("/community/notifications").status_code == 401  # and guildkit agrees
    assert alice.log_in("alice").status_code == 302 and alice.signed_in()  # logging in again works


def test_a_remember_cookie_captured_before_logout_is_refused_after(app: Flask) -> None:
    sign_up(app)
    alice = Visitor(app)
    assert alice.log_in("alice", remember=True).status_code == 302
    captured = alice.cookie("remember_token")
    assert with_cookie(app, "remember_token", captured).signed_in()

    alice.log_out()

    assert not with_cookie(app, "remember_token", captured).signed_in()


def test_a_log_out_ends_the_users_sessions_on_every_device(app: Flask) -> None:
    sign_up(app)
    sign_up(app, "bob")
    laptop, phone, bob = Visitor(app), Visitor(app, "192.0.2.2"), Visitor(app, "192.0.2.3")
    for visitor, name in ((laptop, "alice"), (phone, "alice"), (bob, "bob")):
        assert visitor.log_in(name).status_code == 302
    assert phone.client.get("/community/notifications").status_code == 200  # guildkit knows her

    laptop.log_out()

    assert not phone.signed_in()
    assert bob.signed_in()  # other people's sessions are theirs


# -- an older demo database ------------------------------------------------------------------------


def test_init_db_adds_the_columns_an_older_demo_database_lacks(app: Flask) -> None:
    sign_up(app)
    with app.app_context(), db.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE users DROP COLUMN session_version")
        conn.exec_driver_sql("ALTER TABLE guildkit_events DROP COLUMN sequence")
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Added users.session_version." in result.output and "Added guildkit_events.sequence." in result.output
    with app.app_context():
        assert db.session.execute(sa.text("SELECT session_version FROM users")).scalars().all() == [0]
    alice = Visitor(app)
    assert alice.log_in("alice").status_code == 302 and alice.signed_in()
    again = app.test_cli_runner().invoke(args=["init-db"])
    assert again.exit_code == 0 and "Added" not in again.output
