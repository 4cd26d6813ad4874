"""Flair over HTTP: a member's title and group next to their name on the members page, the
leaderboard, the profile, a badge's holders and a group's page; one statement per plugin for
the whole page; the API (``/members/{id}``, ``/me``, ``PUT /me/title``, ``PUT /me/flair``) and
its OpenAPI listing; the settings forms; the host's ``gk_flair``; a failing plugin, or the
feature switched off, leaves the names showing. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, render_template_string

from guildkit import GuildKit, hookimpl
from guildkit.definitions import Flair
from guildkit.testing import make_app
from tests.test_features import mounted
from tests.webclient import API_PREFIX, Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def world(gk: GuildKit) -> GuildKit:
    for user in ("ann", "bob", "cat"):
        gk.join(user, name=user.title())
    gk.award("ann", badge="first-answer", reason="test")
    gk.award("ann", points=30, point_type="reputation", reason="test")
    gk.award("bob", points=20, point_type="reputation", reason="test")
    group = gk.groups.create(None, name="Rustaceans")
    gk.groups.join(group.id, "ann")
    gk.groups.join(group.id, "bob")
    gk.titles.choose("ann", "first-answer")
    gk.groups.choose_flair("ann", group.id)
    return gk


@pytest.fixture
def site(gk_app: Flask, world: GuildKit) -> Site:
    return Site(mount(gk_app, world), world)


@pytest.fixture
def api(site: Site) -> Api:
    return Api(site.client, {})


ANN = "Ann · First Answer Rustaceans"


@pytest.mark.parametrize(
    "path", ["/members", "/leaderboards/reputation", "/badges/first-answer", "/groups/rustaceans", "/"]
)
def test_the_title_and_group_show_next_to_the_name(site: Site, path: str) -> None:
    html = site.get(path, user="bob")
    assert ANN in text(html)
    assert '<span class="gk-title"> · First Answer</span>' in html
    assert '<a class="gk-flair" href="/community/groups/rustaceans">Rustaceans</a>' in html


def test_kudos_and_challenge_pages_show_them_too(site: Site) -> None:
    gk = site.gk
    gk.kudos.give("ann", "bob", "Thanks for the review")
    now = gk.clock()
    made = gk.challenges.create(
        None, title="Spring answers", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=7),
        steps=[{"activity_type": "kudos.given", "count": 2}], reward_points=5, reward_point_type="reputation",
    )  # fmt: skip
    gk.challenges.join("ann", made.id)
    for path in ("/kudos", "/kudos/members/bob", f"/challenges/{made.id}"):
        assert ANN in text(site.get(path, user="cat")), path


def test_the_profile_shows_them_under_the_name(site: Site) -> None:
    html = site.get("/members/ann", user="bob")
    assert re.search(
        r'<p class="gk-member-flair"><span class="gk-title">First Answer</span>\s*<a class="gk-flair"', html
    )
    assert "gk-member-flair" not in site.get("/members/cat", user="bob")


def test_leaving_the_group_or_losing_the_badge_hides_them(site: Site) -> None:
    gk = site.gk
    group = gk.groups.find("rustaceans")
    gk.groups.leave(group.id, "ann")
    html = site.get("/members", user="bob")
    assert "Ann · First Answer" in text(html) and "gk-flair" not in html
    gk.groups.join(group.id, "ann")
    assert gk.groups.flair_of("ann") is None  # leaving cleared it: joining again does not bring it back
    gk.revoke("ann", badge="first-answer", reason="test")
    assert "gk-title" not in site.get("/members", user="bob")


def _statements(gk: GuildKit, read: Any) -> list[str]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(gk.store.engine, "before_cursor_execute", count)
    try:
        read()
    finally:
        sa.event.remove(gk.store.engine, "before_cursor_execute", count)
    return statements


@pytest.mark.parametrize("path", ["/members", "/leaderboards/reputation", "/"])
def test_a_page_asks_for_flair_once_whatever_it_shows(site: Site, path: str) -> None:
    gk = site.gk
    group = gk.groups.find("rustaceans")
    for n in range(25):
        gk.award(f"m{n:02}", points=5 + n, point_type="reputation", reason="test")
        gk.award(f"m{n:02}", badge="first-answer", reason="test")
        gk.titles.choose(f"m{n:02}", "first-answer")
        gk.groups.join(group.id, f"m{n:02}")
        gk.groups.choose_flair(f"m{n:02}", group.id)
    statements = _statements(gk, lambda: site.get(path, user="bob"))
    assert len([s for s in statements if "guildkit_member_titles" in s]) == 1, statements
    assert len([s for s in statements if re.search(r"guildkit_group_memberships\.flair\b", s)]) == 1, statements


def test_the_api_gives_title_and_flair_in_words_and_data(api: Api, world: GuildKit) -> None:
    ann = api.ok("GET", "/members/ann")
    assert ann["title"] == {"text": "First Answer", "badge": "first-answer", "url": "/community/badges/first-answer"}
    group = world.groups.find("rustaceans")
    assert ann["flair"] == {"text": "Rustaceans", "group": group.id, "url": "/community/groups/rustaceans"}
    me = api.ok("GET", "/me", user="ann")["member"]
    assert (me["title"]["badge"], me["flair"]["group"]) == ("first-answer", group.id)
    cat = api.ok("GET", "/members/cat")
    assert cat["title"] is None and cat["flair"] is None


def test_choosing_through_the_api(api: Api, world: GuildKit) -> None:
    group = world.groups.find("rustaceans")
    assert api.ok("GET", "/me/title", user="ann")["title"] == {"badge": "first-answer", "text": "First Answer"}
    cleared = api.ok("PUT", "/me/title", user="ann", body={"badge": None})
    assert cleared == {"title": None, "choices": [{"badge": "first-answer", "text": "First Answer"}]}
    assert api.ok("GET", "/members/ann")["title"] is None
    api.ok("PUT", "/me/title", user="ann", body={"badge": "first-answer"})
    problem(api.call("PUT", "/me/title", user="bob", body={"badge": "first-answer"}), 422, "badge")
    problem(api.call("PUT", "/me/title", user="ann", body={"badge": 3}), 422, "badge")
    problem(api.call("PUT", "/me/title", user="ann", body={}), 422, "badge")
    assert api.ok("GET", "/me/flair", user="bob") == {
        "flair": None,
        "choices": [{"group": group.id, "text": "Rustaceans"}],
    }
    chosen = api.ok("PUT", "/me/flair", user="bob", body={"group": group.id})
    assert chosen["flair"] == {"group": group.id, "text": "Rustaceans"}
    problem(api.call("PUT", "/me/flair", user="cat", body={"group": group.id}), 422, "group")  # not a member of it
    problem(api.call("PUT", "/me/flair", user="cat", body={"group": 99999}), 422, "group")
    problem(api.call("PUT", "/me/flair", user="cat", body={"group": "x"}), 422, "group")
    assert api.ok("GET", "/me/flair", user="cat")["flair"] is None
    assert api.call("PUT", "/me/flair", body={"group": None}).status_code == 401
    paths = api.ok("GET", "/openapi.json")["paths"]
    assert {"get", "put"} <= set(paths[API_PREFIX + "/me/title"]) and {"get", "put"} <= set(
        paths[API_PREFIX + "/me/flair"]
    )


def test_choosing_on_the_settings_page(site: Site) -> None:
    html = site.get("/settings", user="ann")
    assert '<option value="first-answer" selected>First Answer</option>' in html
    assert re.search(r'<option value="\d+" selected>Rustaceans</option>', html)
    done = site.post("/settings/title", {"badge": ""}, user="ann")
    assert done.status_code == 303 and done.location.endswith("/settings?saved=title#gk-title")
    assert site.gk.titles.chosen("ann") is None
    assert "Your title is saved." in site.get("/settings?saved=title", user="ann")
    refused = site.post("/settings/title", {"badge": "regular"}, user="ann")
    assert refused.status_code == 422 and "You can only choose a badge you hold" in refused.get_data(as_text=True)
    assert site.post("/settings/flair", {"group": ""}, user="ann").status_code == 303
    assert site.gk.groups.flair_of("ann") is None
    refused = site.post("/settings/flair", {"group": "nine"}, user="cat")
    assert refused.status_code == 422 and "Choose one of your groups." in refused.get_data(as_text=True)
    assert site.post("/settings/title", {"badge": ""}, user="ann", csrf=False).status_code == 400
    assert "Earn a badge to choose it as your title." in site.get("/settings", user="cat")


def test_the_host_shows_flair_in_its_own_templates(site: Site, gk_app: Flask) -> None:
    with gk_app.test_request_context("/"):
        shown = render_template_string(
            "{{ gk_flair_load(['ann', 'cat']) }}<b>Ann</b>{{ gk_flair('ann') }}|{{ gk_flair('cat') }}"
        )
    assert shown.startswith('<b>Ann</b><span class="gk-title"> · First Answer</span> <')
    assert 'class="gk-flair">Rustaceans</' in shown and shown.endswith("|")


class Broken:
    @hookimpl
    def guildkit_member_flair(self, gk: GuildKit, user_ids: Sequence[str]) -> Mapping[str, Flair]:
        raise RuntimeError("the flair service is down")


def test_a_failing_flair_plugin_leaves_the_page_rendering(site: Site) -> None:
    site.gk.register(Broken())
    html = site.get("/members", user="bob")
    assert ANN in text(html)  # the others still answered
    with site.gk.store.engine.connect() as conn:
        failures = conn.execute(sa.text("SELECT hook FROM guildkit_hook_failures")).scalars().all()
    assert "guildkit_member_flair" in failures


def test_switched_off_names_show_without_titles(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": ["guildkit.titles"]}) as (app, gk):
        client = mounted(app).test_client()
        gk.join("ann", name="Ann")
        html = client.get("/community/members", headers={"X-User": "ann"}).get_data(as_text=True)
        assert "Ann" in html and "gk-title" not in html
        assert "/settings/title" not in client.get("/community/settings", headers={"X-User": "ann"}).get_data(
            as_text=True
        )
        assert client.get("/community/api/members/ann").get_json()["title"] is None
