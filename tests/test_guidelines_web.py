"""The guidelines API (who may publish and accept, 422s naming the field) and pages (the rendered
text, the accept form and its CSRF token, the admin form, markdown safety, the pending notice)."""

from __future__ import annotations

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Members
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

NOTICE = "The community guidelines changed"
HOSTILE = (
    "# Rules\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[a link](javascript:alert(3)) and **bold**"
)


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    return Api(mount(gk_app, gk), {"admin": gk.tokens.create(None, "ops", ["admin"])[0]})


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


def test_api_publish_read_accept(api: Api, gk: GuildKit, gk_members: Members) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    assert api.problem("GET", "/guidelines", 404)
    body = {"title": "Code of conduct", "body": "Be **kind**."}
    assert api.problem("POST", "/guidelines", 401, body=body)
    assert api.problem("POST", "/guidelines", 403, user=ann, body=body)
    made = api.ok("POST", "/guidelines", status=201, user=admin, body=body)
    assert (made["version"], made["published_by"], made["summary"]) == (1, admin, "")
    assert made["html"] == "<p>Be <strong>kind</strong>.</p>\n"
    second = api.ok("POST", "/guidelines", status=201, token="admin", body={**body, "summary": "v2"})
    assert (second["version"], second["published_by"]) == (2, None)

    anonymous = api.ok("GET", "/guidelines")
    assert (anonymous["version"], anonymous["accepted"], anonymous["accepted_at"]) == (2, None, None)
    assert api.ok("GET", "/guidelines", user=ann)["accepted"] is False
    assert [v["version"] for v in api.ok("GET", "/guidelines/versions")] == [2, 1]
    assert api.ok("GET", "/guidelines/versions/1")["summary"] == ""
    assert api.problem("GET", "/guidelines/versions/9", 404)

    assert api.problem("POST", "/me/guidelines/accept", 401, body={"version": 2})
    problem(api.call("POST", "/me/guidelines/accept", user=ann, body={"version": 1}), 422, "version")
    accepted = api.ok("POST", "/me/guidelines/accept", user=ann, body={"version": 2})
    assert (accepted["user_id"], accepted["version"]) == (ann, 2)
    again = api.ok("POST", "/me/guidelines/accept", user=ann, body={"version": 2})
    assert again == accepted
    mine = api.ok("GET", "/guidelines", user=ann)
    assert mine["accepted"] is True and mine["accepted_at"] == accepted["accepted_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "x"}, "title"),
        ({"title": "", "body": "x"}, "title"),
        ({"title": "T"}, "body"),
        ({"title": "T", "body": "   "}, "body"),
        ({"title": "T", "body": "x", "summary": "s" * 2001}, "summary"),
    ],
)
def test_publish_names_the_bad_field(api: Api, body: dict[str, object], field: str) -> None:
    problem(api.call("POST", "/guidelines", token="admin", body=body), 422, field)


@pytest.mark.parametrize("body", [{}, {"version": "1"}, {"version": True}])
def test_accept_names_the_version(api: Api, gk_members: Members, body: dict[str, object]) -> None:
    ann = gk_members()
    problem(api.call("POST", "/me/guidelines/accept", user=ann, body=body), 422, "version")


def test_page_renders_and_accept_form_needs_csrf(site: Site, gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    assert "No guidelines have been published yet." in site.get("/guidelines")
    gk.guidelines.publish(None, title="House rules", body="Be *kind*.")
    anonymous = site.get("/guidelines")
    assert "<h1>House rules</h1>" in anonymous and "<p>Be <em>kind</em>.</p>" in anonymous
    assert "Sign in to accept" in anonymous and 'name="csrf_token"' not in anonymous
    page = site.get("/guidelines", user=ann)
    assert "I accept the guidelines (version 1)" in page and 'name="csrf_token"' in page
    refused = site.post("/guidelines/accept", {"version": "1"}, user=ann, csrf=False)
    assert refused.status_code == 400 and gk.guidelines.has_accepted(ann) is False
    done = site.post("/guidelines/accept", {"version": "1"}, user=ann)
    assert done.status_code == 303 and done.headers["Location"].endswith("/guidelines?done=accepted")
    after = site.get("/guidelines?done=accepted", user=ann)
    assert "You accepted version 1 on Jan 5, 2026." in after and "I accept" not in after
    assert site.post("/guidelines/accept", {"version": "1"}, user=None).status_code == 401
    stale = site.post("/guidelines/accept", {"version": "7"}, user=ann)
    assert stale.status_code == 409


def test_earlier_versions_are_linked_and_readable(site: Site, gk: GuildKit) -> None:
    gk.guidelines.publish(None, title="Rules", body="First text.")
    gk.guidelines.publish(None, title="Rules", body="Second text.", summary="clearer")
    page = site.get("/guidelines")
    assert "Second text." in page and "What changed:</strong> clearer" in page
    assert 'href="/community/guidelines/1"' in page
    old = site.get("/guidelines/1")
    assert "First text." in old and "(an earlier version)" in old and "I accept" not in old
    assert "No such version" in site.get("/guidelines/5", status=404)


def test_publish_page_is_for_admins(site: Site, gk: GuildKit, gk_members: Members) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    assert "Only admins" in site.get("/guidelines/new", user=ann, status=403)
    site.get("/guidelines/new", status=403)
    assert site.post("/guidelines/new", {"title": "T", "body": "b"}, user=ann).status_code == 403
    form = site.get("/guidelines/new", user=admin)
    assert 'name="csrf_token"' in form and "This becomes version 1" in form
    assert "Publish a new version" in site.get("/guidelines", user=admin)
    assert site.post("/guidelines/new", {"title": "T", "body": "b"}, user=admin, csrf=False).status_code == 400
    bad = site.post("/guidelines/new", {"title": "T", "body": " ", "summary": ""}, user=admin)
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    done = site.post("/guidelines/new", {"title": "T", "body": "b", "summary": "first"}, user=admin)
    assert done.status_code == 303
    current = gk.guidelines.current()
    assert current is not None and (current.version, current.published_by) == (1, admin)


def test_markdown_is_inert_on_the_page(site: Site, gk: GuildKit) -> None:
    gk.guidelines.publish(None, title="<b>Title</b>", body=HOSTILE, summary="<i>sum</i>")
    page = site.get("/guidelines")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and 'href="javascript' not in page
    assert "<b>Title</b>" not in page and "&lt;b&gt;Title&lt;/b&gt;" in page
    assert "<i>sum</i>" not in page and "<strong>bold</strong>" in page


def test_pending_notice_appears_and_disappears(site: Site, gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    assert NOTICE not in site.get("/", user=ann)  # nothing published
    gk.guidelines.publish(None, title="Rules", body="Be kind.")
    assert NOTICE not in site.get("/")  # nobody signed in
    home = site.get("/", user=ann)
    assert NOTICE in home and 'href="/community/guidelines">read and accept them</a>' in home
    assert NOTICE not in site.get("/guidelines", user=ann)  # the page itself asks
    gk.guidelines.accept(ann, 1)
    assert NOTICE not in site.get("/badges", user=ann)
    gk.guidelines.publish(None, title="Rules", body="Be kinder.")
    assert NOTICE in site.get("/badges", user=ann)
    assert ">Guidelines</a>" in site.get("/")
