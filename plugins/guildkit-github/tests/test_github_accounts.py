"""Linking GitHub accounts to members: the Python API, ``flask github link | unlink | list`` (with
the login looked up on a real local HTTP server standing in for api.github.com), and the
member-page link."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from guildkit import GuildKit, ValidationError

import guildkit_github
from github_support import OCTOCAT, SECRET
from guildkit_github import LinkConflict


class FakeGitHubApi(BaseHTTPRequestHandler):
    """``GET /users/<login>`` like api.github.com, for octocat only; counts requests."""

    requests: list[str] = []

    def do_GET(self) -> None:
        FakeGitHubApi.requests.append(self.path)
        if self.path == "/users/octocat":
            body = json.dumps({"login": "octocat", "id": OCTOCAT, "type": "User"}).encode()
            self.send_response(200)
        elif self.path == "/users/broken":
            body = b"<html>oops</html>"
            self.send_response(502)
        else:
            body = json.dumps({"message": "Not Found"}).encode()
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def api_url() -> Iterator[str]:
    FakeGitHubApi.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHubApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()


@pytest.fixture
def gk_config(api_url: str) -> dict[str, Any]:
    return {"GUILDKIT_GITHUB_SECRET": SECRET, "GUILDKIT_GITHUB_API_URL": api_url}


def _flask(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["github", *args])
    return result.exit_code, result.output


def test_link_by_login_looks_the_id_up(gk_app: Flask, gk: GuildKit) -> None:
    code, output = _flask(gk_app, "link", "octocat", "42")
    assert (code, output.strip()) == (0, f"linked GitHub octocat (id {OCTOCAT}) to user 42")
    assert FakeGitHubApi.requests == ["/users/octocat"]
    (account,) = guildkit_github.linked_accounts(gk)
    assert (account.github_id, account.login, account.user_id) == (OCTOCAT, "octocat", "42")


def test_link_by_id_or_with_github_id_needs_no_network(gk_app: Flask, gk: GuildKit) -> None:
    assert _flask(gk_app, "link", "583231", "42")[0] == 0
    assert _flask(gk_app, "link", "monalisa", "43", "--github-id", "2154792")[0] == 0
    assert FakeGitHubApi.requests == []
    code, output = _flask(gk_app, "list")
    assert code == 0
    listed = json.loads(output)
    assert [(a["github_id"], a["login"], a["user_id"]) for a in listed] == [
        (OCTOCAT, None, "42"),
        (2154792, "monalisa", "43"),
    ]
    assert all(a["linked_at"].startswith("2026-01-05T12:00:00") for a in listed)


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ("nobody-here", "GitHub has no user 'nobody-here'"),
        ("broken", "GitHub answered 502"),
        ("not a login!", "is not a GitHub login"),
    ],
)
def test_link_lookup_failures_are_clear(gk_app: Flask, gk: GuildKit, login: str, message: str) -> None:
    code, output = _flask(gk_app, "link", login, "42")
    assert code != 0
    assert message in output
    assert guildkit_github.linked_accounts(gk) == []


def test_link_conflicts(gk_app: Flask, gk: GuildKit) -> None:
    assert _flask(gk_app, "link", "583231", "42")[0] == 0
    code, output = _flask(gk_app, "link", "583231", "99")
    assert code == 1
    assert "GitHub account 583231 (login unknown) is already linked to user '42': unlink it first" in output
    code, output = _flask(gk_app, "link", "777", "42")
    assert code == 1
    assert "user '42' is already linked to GitHub account 583231" in output
    # Linking the same pair again only fills in the login.
    assert _flask(gk_app, "link", "octocat", "42", "--github-id", "583231")[0] == 0
    assert [(a.github_id, a.login) for a in guildkit_github.linked_accounts(gk)] == [(OCTOCAT, "octocat")]


def test_unlink(gk_app: Flask, gk: GuildKit) -> None:
    guildkit_github.link(gk, github_id=OCTOCAT, user_id="42", login="octocat")
    guildkit_github.link(gk, github_id=2, user_id="43", login="two")
    guildkit_github.link(gk, github_id=3, user_id="44")
    assert _flask(gk_app, "unlink", "OctoCat") == (0, f"unlinked GitHub octocat (id {OCTOCAT}) from 42\n")
    assert _flask(gk_app, "unlink", "2")[0] == 0
    assert _flask(gk_app, "unlink", "--user", "44")[0] == 0
    assert guildkit_github.linked_accounts(gk) == []
    code, output = _flask(gk_app, "unlink", "octocat")
    assert (code, "no link for 'octocat'" in output) == (1, True)
    assert _flask(gk_app, "unlink")[0] == 2  # neither a login nor --user


def test_link_validates_its_arguments(gk: GuildKit) -> None:
    with pytest.raises(ValidationError, match="github_id must be a positive integer"):
        guildkit_github.link(gk, github_id=0, user_id="42")
    with pytest.raises(ValidationError, match="user_id must be a host user id"):
        guildkit_github.link(gk, github_id=1, user_id="")
    with pytest.raises(ValidationError, match="give exactly one of"):
        guildkit_github.unlink(gk, github_id=1, login="x")


def test_concurrent_links_of_one_account_leave_one(gk: GuildKit, gk_app: Flask) -> None:
    start = threading.Barrier(4, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user: str) -> None:
        with gk_app.app_context():
            start.wait()
            try:
                guildkit_github.link(gk, github_id=OCTOCAT, user_id=user)
                outcome = "linked"
            except LinkConflict:
                outcome = "conflict"
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(f"user-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * 3 + ["linked"]
    assert len(guildkit_github.linked_accounts(gk)) == 1


class TestProfileLinks:
    @pytest.fixture
    def gk_config(self) -> dict[str, Any]:
        return {"GUILDKIT_GITHUB_SECRET": SECRET, "GUILDKIT_GITHUB_PROFILE_LINKS": True}

    @pytest.fixture(params=["sqlite"])
    def gk_backend(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    def test_the_member_page_links_to_the_github_profile(self, gk: GuildKit) -> None:
        guildkit_github.link(gk, github_id=OCTOCAT, user_id="42", login="octocat")
        links = guildkit_github.guildkit_page_links(gk, "member", {"user_id": "42"}, None)
        assert [(link.label, link.url) for link in links] == [("GitHub: @octocat", "https://github.com/octocat")]
        assert list(guildkit_github.guildkit_page_links(gk, "member", {"user_id": "43"}, None)) == []
        assert list(guildkit_github.guildkit_page_links(gk, "badge", {"badge": "x", "held_levels": []}, None)) == []


def test_no_profile_links_unless_configured(gk: GuildKit) -> None:
    guildkit_github.link(gk, github_id=OCTOCAT, user_id="42", login="octocat")
    assert list(guildkit_github.guildkit_page_links(gk, "member", {"user_id": "42"}, None)) == []
