"""Seasons over HTTP: the API (validation names the field, permissions, paging) and the pages
(member and admin views, forms with CSRF); switched off, no routes. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Clock, make_app
from guildkit.web import make_blueprint
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

START = datetime(2027, 3, 20, tzinfo=UTC)
END = datetime(2027, 6, 21, tzinfo=UTC)
DURING = START + timedelta(days=10)
SEASON = {
    "slug": "spring-2027",
    "name": "Spring 2027",
    "point_type": "xp",
    "starts_at": START.isoformat(),
    "ends_at": END.isoformat(),
    "top_n": 2,
    "define_badge": True,
}


@pytest.fixture
def world(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    gk_clock.set(START - timedelta(days=1))
    for user in ("ann", "bob", "cat"):
        gk.join(user, name=user.title())
    gk.join("boss", name="Boss")
    gk.award("boss", role="admin", reason="setup")
    return gk


@pytest.fixture
def api(gk_app: Flask, world: GuildKit) -> Api:
    return Api(mount(gk_app, world), {"reader": world.tokens.create(None, "reader", ["members.read_private"])[0]})


@pytest.fixture
def site(gk_app: Flask, world: GuildKit) -> Site:
    return Site(mount(gk_app, world), world)


def _points(gk: GuildKit, clock: Clock, **by_user: int) -> None:
    clock.set(DURING)
    for user, points in by_user.items():
        gk.award(user, points=points, point_type="xp", reason="testing")
    clock.advance(seconds=10)


def test_the_api_makes_lists_ranks_and_closes_a_season(api: Api, world: GuildKit, gk_clock: Clock) -> None:
    made = api.ok("POST", "/seasons", user="boss", body=SEASON, status=201)
    assert (made["state"], made["badge"], made["badge_name"]) == (
        "upcoming",
        "spring-2027-top2",
        "Top 2 of Spring 2027",
    )
    _points(world, gk_clock, ann=9, bob=5, cat=5)
    assert [s["slug"] for s in api.ok("GET", "/seasons")] == ["spring-2027"]
    board = api.ok("GET", "/seasons/spring-2027/leaderboard?limit=2", user="cat")
    assert [(s["user_id"], s["rank"], s["points"]) for s in board["items"]] == [("ann", 1, 9), ("bob", 2, 5)]
    assert board["me"]["rank"] == 2 and board["me"]["name"] == "Cat"
    rest = api.ok("GET", f"/seasons/spring-2027/leaderboard?limit=2&cursor={board['next_cursor']}")
    assert [(s["user_id"], s["rank"]) for s in rest["items"]] == [("cat", 2)] and rest["next_cursor"] is None
    around = api.ok("GET", "/seasons/spring-2027/leaderboard?limit=1&around=bob")
    assert [s["user_id"] for s in around["items"]] == ["bob"]
    one = api.ok("GET", "/seasons/spring-2027", user="ann")
    assert (one["state"], one["me"]["rank"], one["me"]["points"]) == ("running", 1, 9)
    assert api.ok("GET", "/seasons/spring-2027")["me"] is None

    changed = api.ok("PATCH", "/seasons/spring-2027", user="boss", body={"description": "Spring!"})
    assert changed["description"] == "Spring!"
    closed = api.ok("POST", "/seasons/spring-2027/close", user="boss")
    assert (closed["closed"], closed["ranked"], closed["awarded"]) == (True, 3, 3)
    again = api.ok("POST", "/seasons/spring-2027/close", user="boss")
    assert (again["closed"], again["awarded"]) == (False, 0)
    problem(api.call("PATCH", "/seasons/spring-2027", user="boss", body={"name": "Renamed"}), 409)
    actions = [(e.action, e.actor) for e in world.audit_log(area="seasons")]
    assert actions == [("season.close", "boss"), ("season.update", "boss"), ("season.create", "boss")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"name": ""}, "name"),
        ({"point_type": "nope"}, "point_type"),
        ({"starts_at": "2027-03-20T00:00:00"}, "starts_at"),
        ({"ends_at": START.isoformat()}, "ends_at"),
        ({"top_n": 0}, "top_n"),
        ({"top_n": "ten"}, "top_n"),
        ({"define_badge": False, "badge": "no-such-badge"}, "badge"),
        ({"define_badge": True, "badge": "first-answer"}, "badge"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    problem(api.call("POST", "/seasons", user="boss", body=SEASON | change), 422, field)
    assert api.ok("GET", "/seasons") == []


def test_a_bad_patch_names_the_field_and_a_missing_season_is_404(api: Api) -> None:
    api.ok("POST", "/seasons", user="boss", body=SEASON, status=201)
    problem(api.call("PATCH", "/seasons/spring-2027", user="boss", body={"ends_at": START.isoformat()}), 422, "ends_at")
    problem(api.call("PATCH", "/seasons/spring-2027", user="boss", body={"top_n": -1}), 422, "top_n")
    problem(api.call("GET", "/seasons/nope"), 404)
    problem(api.call("GET", "/seasons/nope/leaderboard"), 404)
    problem(api.call("POST", "/seasons/nope/close", user="boss"), 404)
    problem(api.call("GET", "/seasons/spring-2027/leaderboard?cursor=bm90LWEtY3Vyc29y"), 400)


def test_members_and_tokens_without_the_permission_may_not_manage(api: Api) -> None:
    for call in (("POST", "/seasons", SEASON), ("PATCH", "/seasons/spring-2027", {"name": "x"}),
                 ("POST", "/seasons/spring-2027/close", None)):  # fmt: skip
        method, path, body = call
        problem(api.call(method, path, user="ann", body=body), 403)
        problem(api.call(method, path, token="reader", body=body), 403)
        problem(api.call(method, path, body=body), 401)


def test_pages_for_a_member(site: Site, world: GuildKit, gk_clock: Clock) -> None:
    world.seasons.create("boss", slug="spring-2027", name="Spring 2027", point_type="xp", starts_at=START,
                         ends_at=END, top_n=2, define_badge=True)  # fmt: skip
    _points(world, gk_clock, ann=9, bob=5)
    listing = site.get("/seasons", user="cat")
    assert "Spring 2027" in listing and "Running now" in listing and "New season" not in listing
    page = site.get("/seasons/spring-2027", user="bob")
    assert "Top 2 of Spring 2027" in page and '<th scope="col">Rank</th>' in page
    assert "#2 with 5 Experience" in page
    assert "spring-2027-top2" not in page and "guildkit.award" not in page  # words, not slugs or rule names
    assert 'href="/community/seasons"' in site.get("/", user="cat")  # the navigation link
    site.get("/seasons/new", user="cat", status=403)
    site.get("/seasons/new", status=401)
    site.get("/seasons/spring-2027/edit", user="cat", status=403)
    assert site.post("/seasons/spring-2027/close", {}, user="cat").status_code == 403
    site.get("/seasons/nope", status=404)


def test_pages_for_an_admin(site: Site, world: GuildKit, gk_clock: Clock) -> None:
    form = site.get("/seasons/new", user="boss")
    assert '<label for="gk-name">' in form and 'name="csrf_token"' in form
    data = {"slug": "spring-2027", "name": "Spring 2027", "point_type": "xp", "starts_at": "2027-03-20T00:00",
            "ends_at": "2027-03-19T00:00", "top_n": "2", "define_badge": "1", "badge": ""}  # fmt: skip
    refused = site.post("/seasons/new", data, user="boss")
    assert refused.status_code == 422 and 'aria-invalid="true" aria-describedby="gk-error-ends_at"' in refused.text
    assert site.post("/seasons/new", data | {"ends_at": "2027-06-21T00:00"}, user="boss", csrf=False).status_code == 400
    done = site.post("/seasons/new", data | {"ends_at": "2027-06-21T00:00"}, user="boss")
    assert done.status_code == 303 and done.headers["Location"].endswith("/seasons/spring-2027?done=saved")
    assert world.seasons.get("spring-2027").badge == "spring-2027-top2"
    _points(world, gk_clock, ann=4)
    edit = site.get("/seasons/spring-2027/edit", user="boss")
    assert "Close Spring 2027 now" in edit
    renamed = site.post("/seasons/spring-2027/edit", data | {"name": "Long spring", "ends_at": "2027-06-21T00:00"},
                        user="boss")  # fmt: skip
    assert renamed.status_code == 303 and world.seasons.get("spring-2027").name == "Long spring"
    assert world.registry.badges["spring-2027-top2"].name == "Top 2 of Long spring"
    closed = site.post("/seasons/spring-2027/close", {}, user="boss")
    assert closed.status_code == 303 and world.seasons.get("spring-2027").state == "closed"
    assert "Season closed" in site.get("/seasons/spring-2027?done=closed", user="boss")
    assert [b.badge_slug for b in world.badges("ann")] == ["spring-2027-top2"]


def test_switched_off_there_are_no_routes(gk_clock: Clock, tmp_path: Any) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.seasons"]}
    with make_app("sqlite", tmp_path, config=config, clock=gk_clock) as (app, _):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        assert not [r.rule for r in app.url_map.iter_rules() if "season" in r.rule]
        client = app.test_client()
        assert client.get("/community/api/seasons").status_code == 404
        assert client.get("/community/seasons").status_code == 404
        assert "Seasons" not in client.get("/community/").get_data(as_text=True)
