"""Kudos over HTTP: the API (bad input names the field, over budget, idempotent gives, who sees
the points, paging, OpenAPI, a property-based run) and the pages (the wall and its form, a
member's kudos, the profile's section, one kudos, the notification, escaping); switched off, no
routes. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from guildkit import GuildKit
from guildkit.kudos.models import Kudos
from guildkit.models import table_of
from guildkit.testing import Clock, make_app
from guildkit.web import make_blueprint
from tests.test_kudos import WEDNESDAY, stored
from tests.webclient import API_PREFIX, Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

KUDOS = table_of(Kudos)
NOTHING = {"kudos": 0, "activities": 0, "used": 0, "notes": 0}


def text(html: str) -> str:
    """A page's words, as a reader sees them: without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".")


@pytest.fixture
def world(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    gk_clock.set(WEDNESDAY)
    for user in ("ann", "bob", "cat", "dan", "eve", "fay", "gus"):
        gk.join(user, name=user.title())
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    return gk


@pytest.fixture
def api(gk_app: Flask, world: GuildKit) -> Api:
    return Api(mount(gk_app, world), {"reader": world.tokens.create(None, "reader", ["analytics.view"])[0]})


@pytest.fixture
def site(gk_app: Flask, world: GuildKit) -> Site:
    return Site(mount(gk_app, world), world)


# -- the API --------------------------------------------------------------------------------


def test_giving_through_the_api_and_reading_it_back(api: Api, world: GuildKit) -> None:
    made = api.ok("POST", "/kudos", user="ann", body={"receiver": "bob", "message": "Thanks!", "key": "k1"}, status=201)
    assert (made["giver"]["name"], made["receiver"]["user_id"], made["message"]) == ("Ann", "bob", "Thanks!")
    assert made["points"] is None and made["duplicate"] is False  # the points are Bob's to see
    again = api.ok(
        "POST", "/kudos", user="ann", body={"receiver": "bob", "message": "Thanks!", "key": "k1"}, status=201
    )
    assert again["id"] == made["id"] and again["duplicate"] is True
    problem(api.call("POST", "/kudos", user="ann", body={"receiver": "cat", "message": "Thanks!", "key": "k1"}), 409)
    budget = api.ok("GET", "/kudos/budget", user="ann")
    assert (budget["budget"], budget["used"], budget["left"], budget["period"]) == (5, 1, 4, "week")
    assert (budget["period_start"], budget["can_give"]) == ("2027-03-15", True)
    mine = api.ok("GET", f"/kudos/{made['id']}", user="bob")
    assert mine["points"] == [{"point_type": "kudos-points", "name": "Kudos", "amount": 10}]
    assert api.ok("GET", f"/kudos/{made['id']}", user="cat")["points"] is None
    assert api.ok("GET", f"/kudos/{made['id']}", user="mo")["points"] == mine["points"]  # members.read_private
    assert api.ok("GET", f"/kudos/{made['id']}")["points"] is None
    assert [k["id"] for k in api.ok("GET", "/kudos/members/bob/received")["items"]] == [made["id"]]
    assert [k["id"] for k in api.ok("GET", "/kudos/members/ann/given")["items"]] == [made["id"]]
    assert api.ok("GET", "/kudos/members/ann/received")["items"] == []


def test_the_wall_is_paged_newest_first(api: Api, world: GuildKit) -> None:
    made = [world.kudos.give(giver, "bob", f"from {giver}").id for giver in ("ann", "cat", "dan")]
    first = api.ok("GET", "/kudos?limit=2")
    assert [k["id"] for k in first["items"]] == made[:0:-1] and first["next_cursor"]
    rest = api.ok("GET", f"/kudos?limit=2&cursor={first['next_cursor']}")
    assert [k["id"] for k in rest["items"]] == [made[0]] and rest["next_cursor"] is None
    problem(api.call("GET", "/kudos?cursor=bm90LWEtY3Vyc29y"), 400)
    problem(api.call("GET", "/kudos?cursor=WyJ4IiwgMV0"), 400)  # ["x", 1]: not a time


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"receiver": "ann", "message": "Me"}, "receiver"),
        ({"receiver": "nobody", "message": "Hi"}, "receiver"),
        ({"receiver": "", "message": "Hi"}, "receiver"),
        ({"message": "Hi"}, "receiver"),
        ({"receiver": "bob", "message": ""}, "message"),
        ({"receiver": "bob", "message": "  "}, "message"),
        ({"receiver": "bob", "message": "x" * 281}, "message"),
        ({"receiver": "bob"}, "message"),
        ({"receiver": "bob", "message": "Hi", "key": ""}, "key"),
        ({"receiver": "bob", "message": "Hi", "extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    api: Api, world: GuildKit, body: dict[str, Any], field: str
) -> None:
    problem(api.call("POST", "/kudos", user="ann", body=body), 422, field)
    assert stored(world) == NOTHING


def test_over_budget_is_a_409_and_who_may_give(api: Api, world: GuildKit) -> None:
    for user in ("bob", "cat", "dan", "eve", "fay"):
        api.ok("POST", "/kudos", user="ann", body={"receiver": user, "message": "Thanks"}, status=201)
    spent = problem(api.call("POST", "/kudos", user="ann", body={"receiver": "gus", "message": "Thanks"}), 409)
    assert spent["code"] == "kudos_budget_spent" and "3/22/27, 12:00" in spent["detail"]  # in the reader's words
    assert api.ok("GET", "/kudos/budget", user="ann")["can_give"] is False
    problem(api.call("POST", "/kudos", body={"receiver": "gus", "message": "Thanks"}), 401)
    problem(api.call("POST", "/kudos", token="reader", body={"receiver": "gus", "message": "Thanks"}), 403)
    problem(api.call("GET", "/kudos/budget"), 401)
    world.set_status("gus", "suspended", reason="spam")
    problem(api.call("POST", "/kudos", user="gus", body={"receiver": "bob", "message": "Thanks"}), 403)
    problem(api.call("GET", "/kudos/999999"), 404)
    problem(api.call("GET", "/kudos/members/nobody/received"), 404)


def test_the_trust_minimum_is_a_403(gk_clock: Clock, tmp_path: Path, gk_backend: str) -> None:
    with make_app(gk_backend, tmp_path, config={"GUILDKIT_KUDOS_MIN_TRUST_LEVEL": 1}, clock=gk_clock) as (app, gk):
        gk.join("ann")
        gk.join("bob")
        api = Api(mount(app, gk))
        refused = problem(api.call("POST", "/kudos", user="ann", body={"receiver": "bob", "message": "Hi"}), 403)
        assert refused["code"] == "kudos_trust_too_low"
        assert api.ok("GET", "/kudos/budget", user="ann")["trusted"] is False
        assert stored(gk) == NOTHING


def test_openapi_documents_the_kudos_operations(api: Api) -> None:
    spec = api.client.get(API_PREFIX + "/openapi.json").get_json()
    operations = {(p.removeprefix(API_PREFIX), m) for p, ops in spec["paths"].items() if "/kudos" in p for m in ops}
    assert operations == {
        ("/kudos", "get"), ("/kudos", "post"), ("/kudos/budget", "get"), ("/kudos/{kudos_id}", "get"),
        ("/kudos/members/{user_id}/received", "get"), ("/kudos/members/{user_id}/given", "get"),
    }  # fmt: skip
    post = spec["paths"][API_PREFIX + "/kudos"]["post"]
    assert post["tags"] == ["kudos"] and {"401", "403", "409", "422"} <= set(post["responses"])
    assert {"Kudos", "KudosIn", "KudosBudget"} <= set(spec["components"]["schemas"])


@pytest.fixture
def member_schema(api: Api, world: GuildKit, gk_app: Flask) -> schemathesis.BaseSchema:
    world.kudos.give("bob", "ann", "Thanks Ann")
    return schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", gk_app)


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_the_kudos_api_keeps_its_promises_for_members(member_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in member_schema.get_all_operations() if "/kudos" in result.ok().path]
    assert len(operations) == 6
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers={"X-User": "ann"}, checks=CHECKS)
            statuses.append(response.status_code)

        run()
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)


# -- the pages ------------------------------------------------------------------------------


def test_the_wall_gives_kudos_from_its_form(site: Site, world: GuildKit) -> None:
    wall = site.get("/kudos", user="ann")
    assert "5 of 5 kudos left this week, refills Monday." in text(wall)
    assert '<datalist id="gk-kudos-members">' in wall and '<option value="Bob">' in wall
    assert "No kudos yet" in wall
    key = wall.split('name="key" value="')[1].split('"')[0]
    sent = {"receiver": "bob", "message": "Thanks for <b>the</b> review!", "key": key}
    done = site.post("/kudos", sent, user="ann")
    assert done.status_code == 303 and "/kudos?given=" in done.headers["Location"]
    assert site.post("/kudos", sent, user="ann").status_code == 303  # a second click: nothing more
    assert stored(world)["kudos"] == 1
    kudos_id = world.kudos.wall().items[0].id
    shown = site.get(f"/kudos?given={kudos_id}", user="ann")
    assert "Your kudos to Bob are on the wall." in shown and "4 of 5 kudos left this week" in text(shown)
    assert "Thanks for &lt;b&gt;the&lt;/b&gt; review!" in shown and "<b>the</b>" not in shown  # escaped
    assert "Earned" not in shown  # Bob's points are his to see
    assert "Earned 10 Kudos" in site.get("/kudos", user="bob")
    by_name = site.post("/kudos", {"receiver": "cat", "message": "Thanks, Cat"}, user="ann")
    assert by_name.status_code == 303
    assert site.post("/kudos", {"receiver": "CAT", "message": "Thanks again"}, user="ann").status_code == 303


def test_a_refused_form_names_every_problem_and_keeps_what_was_typed(site: Site, world: GuildKit) -> None:
    refused = site.post("/kudos", {"receiver": "ann", "message": "", "key": "k"}, user="ann")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'aria-describedby="gk-error-receiver"' in page and 'aria-describedby="gk-error-message"' in page
    assert "There is a problem" in page and "kudos to oneself are not allowed" in page
    unknown = site.post("/kudos", {"receiver": "Nobody Here", "message": "Hi there"}, user="ann")
    assert unknown.status_code == 422 and "not a member of the community" in unknown.get_data(as_text=True)
    assert "Hi there" in unknown.get_data(as_text=True)  # kept in its field
    assert site.post("/kudos", {"receiver": "bob", "message": "Hi"}, user="ann", csrf=False).status_code == 400
    assert site.post("/kudos", {"receiver": "bob", "message": "Hi"}).status_code == 401
    assert stored(world) == NOTHING


def test_a_spent_budget_on_the_page(site: Site, world: GuildKit) -> None:
    for user in ("bob", "cat", "dan", "eve", "fay"):
        world.kudos.give("ann", user, "Thanks")
    wall = site.get("/kudos", user="ann")
    assert "0 of 5 kudos left this week, refills Monday." in text(wall) and "You have given all your kudos" in wall
    assert 'name="message"' not in wall
    refused = site.post("/kudos", {"receiver": "gus", "message": "One more"}, user="ann")
    assert refused.status_code == 409 and "You have no kudos left: they refill on Monday." in refused.text


def test_a_members_kudos_page_and_profile(site: Site, world: GuildKit) -> None:
    world.kudos.give("ann", "bob", "Thanks for the review")
    world.kudos.give("bob", "cat", "Thanks for the pairing")
    profile = site.get("/members/bob", user="cat")  # links in the profile's header, for everyone
    assert '<a href="/community/kudos/members/bob">1 kudos received</a>' in profile
    assert '<a href="/community/kudos/members/bob#gk-give">Give kudos</a>' in profile
    assert "Give kudos" not in site.get("/members/bob")  # signed out
    own = site.get("/members/bob", user="bob")  # and a section on the member's own profile
    assert "1 received · 1 given" in text(own) and "Thanks for the review" in own
    assert "#gk-give" not in own and "Give Bob kudos" not in own  # not to oneself
    page = site.get("/kudos/members/bob", user="cat")
    assert "Kudos for Bob" in page and "Received (1)" in text(page) and "Given (1)" in text(page)
    assert "Thanks for the review" in page and "Thanks for the pairing" not in page
    assert "Thanks for the pairing" in site.get("/kudos/members/bob?side=given", user="cat")
    done = site.post("/kudos/members/bob", {"message": "You are great"}, user="cat")
    assert done.status_code == 303 and "/kudos/members/bob?given=" in done.headers["Location"]
    assert [k.giver for k in world.kudos.received("bob").items] == ["cat", "ann"]
    mine = site.get("/kudos/members/bob", user="bob")
    assert "These are your kudos" in mine and 'name="message"' not in mine
    refused = site.post("/kudos/members/bob", {"message": ""}, user="cat")
    assert refused.status_code == 422 and 'aria-describedby="gk-error-message"' in refused.text
    site.get("/kudos/members/nobody", status=404)


def test_one_kudos_and_the_receivers_notification(site: Site, world: GuildKit) -> None:
    given = world.kudos.give("ann", "bob", "Thanks for the review")
    one = site.get(f"/kudos/{given.id}")
    assert "Kudos from Ann to Bob" in one and "Thanks for the review" in one
    site.get("/kudos/99999", status=404)
    notes = site.get("/notifications", user="bob")
    assert "Ann gave you kudos: " in notes and "“Thanks for the review”" in notes
    assert f'href="/community/kudos/{given.id}"' in notes
    assert 'href="/community/kudos"' in site.get("/", user="cat")  # the navigation link


def test_the_ledger_says_what_the_points_were_for(site: Site, world: GuildKit) -> None:
    world.kudos.give("ann", "bob", "Thanks for the review")
    profile = site.get("/members/bob", user="bob")
    assert "Ann gave you kudos: " in profile and "kudos.given" not in profile  # words, not types


def test_switched_off_there_are_no_routes(gk_clock: Clock, tmp_path: Path) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.kudos"]}
    with make_app("sqlite", tmp_path, config=config, clock=gk_clock) as (app, gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        assert not [r.rule for r in app.url_map.iter_rules() if "kudos" in r.rule]
        client = app.test_client()
        assert client.get("/community/api/kudos").status_code == 404
        assert client.get("/community/kudos").status_code == 404
        assert "Kudos" not in client.get("/community/").get_data(as_text=True)
        gk.join("ann")
        assert "Kudos" not in client.get("/community/members/ann").get_data(as_text=True)
        with gk.store.engine.connect() as conn:
            assert not sa.inspect(conn).has_table(KUDOS.name)


def test_the_wall_pages_back_in_time(site: Site, world: GuildKit, gk_clock: Clock) -> None:
    givers = ["ann", "bob", "cat", "dan", "eve", "fay", "gus"]
    for n in range(24):  # more than a page
        gk_clock.advance(minutes=1)
        giver = givers[n % len(givers)]
        world.kudos.give(giver, givers[(n + 1) % len(givers)], f"Thanks number {n}")
    first = site.get("/kudos")
    assert "Thanks number 23" in first and "Thanks number 4" in first and "Thanks number 3<" not in first
    older = first.split('<a rel="next" href="')[1].split('"')[0].replace("&amp;", "&").removeprefix("/community")
    rest = site.get(older)
    assert "Thanks number 3<" in rest and "Thanks number 0<" in rest and "Thanks number 4<" not in rest
    assert 'rel="next"' not in rest and ">Newest</a>" in rest
    site.get("/kudos?cursor=bm90LWEtY3Vyc29y", status=400)


def test_a_rate_limit_on_kudos_is_a_429(gk_clock: Clock, tmp_path: Path, gk_backend: str) -> None:
    config = {"GUILDKIT_RATE_LIMITS": {"kudos.given": "1/hour"}}
    with make_app(gk_backend, tmp_path, config=config, clock=gk_clock) as (app, gk):
        for user in ("ann", "bob", "cat"):
            gk.join(user, name=user.title())
        client = mount(app, gk)
        api, site = Api(client), Site(client, gk)
        api.ok("POST", "/kudos", user="ann", body={"receiver": "bob", "message": "Thanks"}, status=201)
        problem(api.call("POST", "/kudos", user="ann", body={"receiver": "cat", "message": "Thanks"}), 429)
        refused = site.post("/kudos", {"receiver": "cat", "message": "Thanks"}, user="ann")
        assert refused.status_code == 429 and "You are giving kudos too fast" in refused.text
        assert stored(gk)["kudos"] == 1 and gk.kudos.budget("ann").used == 1  # nothing more spent
