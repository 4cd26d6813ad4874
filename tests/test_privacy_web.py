"""Data rights on the web and the command line: the member's privacy page ("Download my data", the
leaderboard opt-out), ``/me/privacy`` and ``/me/export`` in the API, and ``flask guildkit member
export|erase``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from guildkit import FORMER_MEMBER, GuildKit
from guildkit.privacy import FORMAT
from tests.webclient import PREFIX, Api, Site, csrf_token, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql


@pytest.fixture
def client(gk_app: Flask, gk: GuildKit) -> Site:
    site = Site(mount(gk_app, gk), gk)
    for n in range(3):
        gk.record("answer.upvoted", actor=f"v{n}", target="ann", subject="answer:1", key=f"up:ann:{n}")
    gk.record("answer.upvoted", actor="v0", target="bob", subject="answer:2", key="up:bob:0")
    gk.join("ann", name="Ann Sample")
    gk.join("bob", name="Bob Sample")
    return site


def download(site: Site, user: str | None) -> tuple[int, dict[str, str], str]:
    response = site.client.get(PREFIX + "/privacy/download", headers={"X-User": user} if user else {})
    try:
        return response.status_code, dict(response.headers), response.get_data(as_text=True)
    finally:
        response.close()


# -- the page ------------------------------------------------------------------------------


def test_the_privacy_page_offers_the_download_and_the_opt_out(client: Site) -> None:
    html = client.get("/privacy", user="ann")
    assert "<h1>Your data and privacy</h1>" in html
    assert f'href="{PREFIX}/privacy/download" download>Download my data</a>' in html
    assert "<legend>Show me on leaderboards?</legend>" in html
    assert 'id="gk-boards-shown" name="leaderboards" value="shown" checked' in html
    assert "<script" not in html.split("<main", 1)[1]  # a plain page: no JavaScript needed
    assert f'href="{PREFIX}/privacy">Your data and privacy</a>' in client.get("/members/ann", user="ann")
    assert "Your data and privacy</a>" not in client.get("/members/ann", user="bob")


def test_the_signed_in_member_downloads_their_own_data(client: Site) -> None:
    status, headers, body = download(client, "ann")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert headers["Content-Disposition"] == 'attachment; filename="my-community-data-2026-01-05.json"'
    assert headers["Cache-Control"] == "no-store"
    document = json.loads(body)
    assert document["format"] == FORMAT
    assert document["member"]["user_id"] == "ann"
    assert "Bob Sample" not in body and "up:bob:0" not in body
    # Bob gets Bob's, whatever he asks for: the URL names nobody.
    response = client.client.get(PREFIX + "/privacy/download?user_id=ann", headers={"X-User": "bob"})
    assert json.loads(response.get_data(as_text=True))["member"]["user_id"] == "bob"
    response.close()


def test_anonymous_visitors_and_non_members_get_no_download(client: Site) -> None:
    status, _, body = download(client, None)
    assert status == 401 and "Sign in to see your data" in body
    assert "Sign in to see your data" in client.get("/privacy", status=401)
    status, _, body = download(client, "stranger")
    assert status == 404 and "No data to download" in body
    html = client.get("/privacy", user="stranger")
    assert "The community holds no data about you yet." in html and "Download my data</a>" not in html


def test_a_member_leaves_the_leaderboards_from_the_page(client: Site, gk: GuildKit) -> None:
    board = client.get("/leaderboards/reputation", user="bob")
    assert "Ann Sample" in board
    page = client.get("/privacy", user="ann")
    response = client.post(
        "/privacy/leaderboards", {"leaderboards": "hidden", "csrf_token": csrf_token(page)}, user="ann", csrf=False
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/privacy?saved=1")
    assert gk.privacy.leaderboard_opt_out("ann") is True
    saved = client.get("/privacy?saved=1", user="ann")
    assert "You are no longer shown on leaderboards." in saved
    assert 'value="hidden" aria-describedby="gk-boards-hint" checked' in saved
    assert "Ann Sample" not in client.get("/leaderboards/reputation", user="bob")
    mine = client.get("/leaderboards/reputation", user="ann")
    assert "<strong>Your rank:</strong> #1 with 30 Reputation, among the members shown." in mine
    assert "Only you see it" in mine


def test_the_opt_out_form_needs_its_token_and_a_choice(client: Site, gk: GuildKit) -> None:
    response = client.post("/privacy/leaderboards", {"leaderboards": "hidden"}, user="ann", csrf=False)
    assert response.status_code == 400
    assert client.post("/privacy/leaderboards", {"leaderboards": "maybe"}, user="ann").status_code == 400
    assert client.post("/privacy/leaderboards", {"leaderboards": "hidden"}).status_code == 401
    assert gk.privacy.leaderboard_opt_out("ann") is False


# -- the API -------------------------------------------------------------------------------


@pytest.fixture
def api(client: Site, gk: GuildKit) -> Api:
    return Api(client.client, {"admin": gk.tokens.create(None, "admin", ["admin"])[0]})


def test_me_privacy_reads_and_changes_the_opt_out(api: Api, gk: GuildKit) -> None:
    assert api.ok("GET", "/me/privacy", user="ann") == {"leaderboard_opt_out": False}
    assert api.ok("PUT", "/me/privacy", user="ann", body={"leaderboard_opt_out": True}) == {"leaderboard_opt_out": True}
    assert api.ok("GET", "/me/privacy", user="ann") == {"leaderboard_opt_out": True}
    board = api.ok("GET", "/leaderboards/reputation", user="ann")
    assert [s["user_id"] for s in board["items"]] == ["bob"]
    assert board["me"]["rank"] == 1
    problem(api.call("PUT", "/me/privacy", user="ann", body={"leaderboard_opt_out": "sometimes"}), 422)
    problem(api.call("GET", "/me/privacy"), 401)
    problem(api.call("GET", "/me/privacy", token="admin"), 403)


def test_suspended_members_keep_their_data_rights(api: Api, gk: GuildKit) -> None:
    gk.set_status("ann", "suspended", reason="cooling off")
    assert api.ok("PUT", "/me/privacy", user="ann", body={"leaderboard_opt_out": True})["leaderboard_opt_out"]
    assert api.ok("GET", "/me/export", user="ann")["member"]["status"] == "suspended"


def test_me_export_is_the_callers_own(api: Api) -> None:
    document = api.ok("GET", "/me/export", user="bob")
    assert document["format"] == FORMAT and document["member"]["user_id"] == "bob"
    assert {"trust", "mentorship", "events", "guidelines", "moderation", "analytics"} <= set(document["plugins"])
    problem(api.call("GET", "/me/export", user="stranger"), 404)
    problem(api.call("GET", "/me/export"), 401)
    problem(api.call("GET", "/me/export", token="admin"), 403)


def test_an_erased_member_is_a_former_member_on_the_pages(client: Site, gk: GuildKit) -> None:
    erased = gk.privacy.erase("ann", confirm=True)
    board = client.get("/leaderboards/reputation")
    assert "Ann Sample" not in board and FORMER_MEMBER not in board
    assert f"<h1>{FORMER_MEMBER}</h1>" in client.get(f"/members/{erased.tombstone}")
    assert client.get("/members/ann", status=404)
    # Not in the member directory either (a moderator can still list deleted members by status).
    assert FORMER_MEMBER not in client.get("/members") and erased.tombstone not in client.get("/members")
    assert erased.tombstone in client.get("/api/members?status=deleted")


# -- the command line ----------------------------------------------------------------------


def test_cli_exports_to_stdout_or_a_file(gk_app: Flask, client: Site, tmp_path: Path) -> None:
    runner = gk_app.test_cli_runner()
    result = runner.invoke(args=["guildkit", "member", "export", "ann"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["member"]["display_name"] == "Ann Sample"
    target = tmp_path / "ann.json"
    result = runner.invoke(args=["guildkit", "member", "export", "ann", "--output", str(target)])
    assert result.exit_code == 0 and f"wrote {target}" in result.output
    assert json.loads(target.read_text(encoding="utf-8"))["member"]["user_id"] == "ann"
    result = runner.invoke(args=["guildkit", "member", "export", "nobody"])
    assert result.exit_code == 1 and "nobody" in result.output


def test_cli_erase_asks_first(gk_app: Flask, client: Site, gk: GuildKit) -> None:
    runner = gk_app.test_cli_runner()
    result = runner.invoke(args=["guildkit", "member", "erase", "ann"], input="n\n")
    assert result.exit_code == 1 and "This cannot be undone" in result.output and "Aborted" in result.output
    assert gk.member("ann").display_name == "Ann Sample"
    result = runner.invoke(args=["guildkit", "member", "erase", "ann"], input="y\n")
    assert result.exit_code == 0, result.output
    tombstone = json.loads(result.output.splitlines()[-1])["tombstone"]
    gk.session.expire_all()
    assert gk.member(tombstone).display_name == FORMER_MEMBER
    assert gk.audit_log(area="privacy")[0].actor == "cli"


def test_cli_erase_with_yes_and_a_reason(gk_app: Flask, client: Site, gk: GuildKit) -> None:
    runner = gk_app.test_cli_runner()
    result = runner.invoke(args=["guildkit", "member", "erase", "bob", "--yes", "--reason", "ticket 42"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["plugins"]
    assert gk.audit_log(area="privacy")[0].reason == "ticket 42"
    result = runner.invoke(args=["guildkit", "member", "erase", "bob", "--yes"])
    assert result.exit_code == 1 and "bob" in result.output
