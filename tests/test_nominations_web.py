"""Nominations over HTTP: the API (who may call what, problems naming the field, paging, the
OpenAPI document, a property-based run) and the pages (forms with CSRF, every field's error at
once, words rather than slugs, what each person sees); switched off, no routes. On SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from guildkit import GuildKit
from guildkit.testing import Clock, make_app
from guildkit.web import make_blueprint
from tests.webclient import API_PREFIX, Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

CHAMPION = "community-champion"
REASON = "Welcomes every newcomer."


@pytest.fixture
def world(gk: GuildKit) -> GuildKit:
    """Ann nominates, Bob is nominated; Mo and Max are moderators; Dan is a plain member; Boss an admin."""
    for user in ("ann", "bob", "mo", "max", "dan", "boss"):
        gk.join(user, name=user.title())
    for user in ("mo", "max"):
        gk.award(user, role="moderator", reason="setup")
    gk.award("boss", role="admin", reason="setup")
    return gk


@pytest.fixture
def api(gk_app: Flask, world: GuildKit) -> Api:
    tokens = {
        "manager": world.tokens.create(None, "manager", ["nominations.manage"])[0],
        "reader": world.tokens.create(None, "reader", ["members.read_private"])[0],
    }
    return Api(mount(gk_app, world), tokens)


@pytest.fixture
def site(gk_app: Flask, world: GuildKit) -> Site:
    return Site(mount(gk_app, world), world)


def made(api: Api, nominee: str = "bob", by: str = "ann") -> dict[str, Any]:
    body = {"nominee": nominee, "badge": CHAMPION, "reason": REASON}
    result: dict[str, Any] = api.ok("POST", "/nominations", user=by, body=body, status=201)
    return result


# -- the API -------------------------------------------------------------------------------------


def test_the_api_walks_a_nomination_to_its_award(api: Api, world: GuildKit) -> None:
    badges = api.ok("GET", "/nominations/badges")
    assert badges == [
        {"badge": CHAMPION, "level": 1, "name": "Community Champion", "approvals": 2, "role": "moderator",
         "role_name": "Moderator"}
    ]  # fmt: skip
    one = made(api)
    assert (one["state"], one["state_words"], one["nominee"], one["may_withdraw"]) == (
        "pending",
        "0 of 2 approvals so far.",
        {"user_id": "bob", "name": "Bob"},
        True,
    )
    path = f"/nominations/{one['id']}"
    queue = api.ok("GET", "/nominations/queue", user="mo")
    assert [n["id"] for n in queue["items"]] == [one["id"]] and queue["items"][0]["may_decide"] is True
    assert api.ok("GET", "/nominations/queue", user="dan")["items"] == []
    half = api.ok("POST", path + "/approve", user="mo", body={"reason": "Yes."})
    assert (half["approvals"], half["state"]) == (1, "pending")
    done = api.ok("POST", path + "/approve", user="max", body={"reason": "Yes!"})
    assert (done["state"], done["state_label"], done["badge_name"], done["decided_by"]["name"]) == (
        "approved",
        "Approved",
        "Community Champion",
        "Max",
    )
    assert [(v["approver"]["user_id"], v["decision"], v["reason"]) for v in done["votes"]] == [
        ("mo", "approve", "Yes."),
        ("max", "approve", "Yes!"),
    ]
    assert [b.badge_slug for b in world.badges("bob")] == [CHAMPION]
    assert api.ok("GET", path)["state"] == "approved"  # public once approved
    assert [n["id"] for n in api.ok("GET", "/nominations/approved?member=bob")["items"]] == [one["id"]]
    assert [n["id"] for n in api.ok("GET", "/nominations/mine", user="ann")["items"]] == [one["id"]]
    problem(api.call("POST", path + "/approve", user="boss", body={"reason": "Late."}), 403)  # not a moderator
    problem(api.call("POST", path + "/withdraw", user="ann", body={}), 409)


def test_refusals_are_problems_naming_the_field_and_write_nothing(api: Api, world: GuildKit) -> None:
    for body, field in (
        ({"nominee": "ann", "badge": CHAMPION, "reason": REASON}, "nominee"),
        ({"nominee": "bob", "badge": "first-answer", "reason": REASON}, "badge"),
        ({"nominee": "bob", "badge": "nope", "reason": REASON}, "badge"),
        ({"nominee": "bob", "badge": CHAMPION, "reason": ""}, "reason"),
        ({"nominee": "bob", "badge": CHAMPION}, "reason"),
        ({"nominee": "bob", "badge": CHAMPION, "reason": REASON, "extra": 1}, "extra"),
        ({"nominee": "nobody", "badge": CHAMPION, "reason": REASON}, "nominee"),
    ):
        problem(api.call("POST", "/nominations", user="ann", body=body), 422, field)
    assert problem(api.call("POST", "/nominations", user="ann", body={"nominee": "bob", "badge": "first-answer",
                                                                     "reason": REASON}), 422)["code"] == (
        "not_nominatable"
    )  # fmt: skip
    assert world.nominations.list() == []
    one = made(api)
    assert problem(api.call("POST", "/nominations", user="dan", body={"nominee": "bob", "badge": CHAMPION,
                                                                     "reason": REASON}), 409)["code"] == (
        "duplicate_nomination"
    )  # fmt: skip
    path = f"/nominations/{one['id']}"
    problem(api.call("POST", path + "/approve", user="ann", body={"reason": "Mine."}), 403)  # one's own
    problem(api.call("POST", path + "/approve", user="bob", body={"reason": "Me."}), 404)  # unseen by the nominee
    problem(api.call("POST", path + "/approve", user="mo", body={}), 422, "reason")
    problem(api.call("POST", path + "/withdraw", user="mo", body={}), 403)
    api.ok("POST", path + "/approve", user="mo", body={"reason": "Yes."})
    assert problem(api.call("POST", path + "/reject", user="mo", body={"reason": "No."}), 409)["code"] == (
        "already_voted"
    )
    assert api.ok("GET", path, user="ann")["approvals"] == 1


def test_who_may_call_what(api: Api, world: GuildKit) -> None:
    one = made(api)
    path = f"/nominations/{one['id']}"
    problem(api.call("POST", "/nominations", body={"nominee": "bob", "badge": CHAMPION, "reason": REASON}), 401)
    problem(api.call("POST", "/nominations", token="manager",
                     body={"nominee": "bob", "badge": CHAMPION, "reason": REASON}), 403)  # fmt: skip
    for who in (None, "bob", "dan"):
        problem(api.call("GET", path, user=who), 404)  # pending: not theirs to see
    assert api.ok("GET", path, user="mo")["id"] == one["id"]
    assert api.ok("GET", path, token="manager")["id"] == one["id"]
    problem(api.call("GET", path, token="reader"), 404)
    problem(api.call("GET", "/nominations", user="ann"), 403)
    problem(api.call("GET", "/nominations"), 401)
    assert [n["id"] for n in api.ok("GET", "/nominations?state=pending", user="boss")["items"]] == [one["id"]]
    assert api.ok("GET", "/nominations?state=approved", token="manager")["items"] == []
    problem(api.call("GET", "/nominations?state=nope", user="boss"), 422, "state")
    problem(api.call("GET", "/nominations/mine"), 401)
    problem(api.call("GET", "/nominations/999999"), 404)
    problem(api.call("GET", "/nominations/mine?cursor=bm9wZQ", user="ann"), 400)


def test_lists_page_with_cursors(api: Api, world: GuildKit) -> None:
    for user in ("n1", "n2", "n3"):
        world.join(user, name=user.upper())
    ids = [made(api, user)["id"] for user in ("n1", "n2", "n3")]
    first = api.ok("GET", "/nominations/mine?limit=2", user="ann")
    assert [n["id"] for n in first["items"]] == ids[::-1][:2]
    rest = api.ok("GET", f"/nominations/mine?limit=2&cursor={first['next_cursor']}", user="ann")
    assert [n["id"] for n in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    queue = api.ok("GET", "/nominations/queue?limit=2", user="mo")
    assert [n["id"] for n in queue["items"]] == ids[:2]  # oldest first
    tail = api.ok("GET", f"/nominations/queue?limit=2&cursor={queue['next_cursor']}", user="mo")
    assert [n["id"] for n in tail["items"]] == ids[2:]


def test_the_openapi_document_has_every_nominations_operation(api: Api) -> None:
    spec = api.client.get(API_PREFIX + "/openapi.json").get_json()
    operations = {
        (p.removeprefix(API_PREFIX), m) for p, ops in spec["paths"].items() if "/nominations" in p for m in ops
    }
    assert operations == {
        ("/nominations", "get"), ("/nominations", "post"), ("/nominations/badges", "get"),
        ("/nominations/mine", "get"), ("/nominations/queue", "get"), ("/nominations/approved", "get"),
        ("/nominations/{nomination_id}", "get"), ("/nominations/{nomination_id}/approve", "post"),
        ("/nominations/{nomination_id}/reject", "post"), ("/nominations/{nomination_id}/withdraw", "post"),
    }  # fmt: skip
    assert spec["paths"][API_PREFIX + "/nominations"]["post"]["tags"] == ["nominations"]


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_the_nominations_api_keeps_its_promises(api: Api, world: GuildKit, gk_app: Flask) -> None:
    for nominee in ("bob", "dan"):
        made(api, nominee)
    schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", gk_app)
    operations = [r.ok() for r in schema.get_all_operations() if "/nominations" in r.ok().path]  # type: ignore[union-attr]
    assert len(operations) == 10
    statuses: list[int] = []
    for operation in operations:
        for user in ("mo", "ann"):
            fuzz(operation, user, statuses)
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)


def fuzz(operation: Any, user: str, statuses: list[int]) -> None:
    """Property-based calls of ``operation`` as ``user``, each checked against the document."""

    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case[Any]) -> None:
        response = case.call_and_validate(headers={"X-User": user}, checks=CHECKS)
        statuses.append(response.status_code)

    run()


# -- the pages -------------------------------------------------------------------------------------


def test_a_member_nominates_from_lists_and_every_bad_field_is_named(site: Site, world: GuildKit) -> None:
    form = site.get("/nominations/new", user="ann")
    assert '<option value="bob">Bob</option>' in form and '<option value="ann">' not in form  # never oneself
    assert f'<option value="{CHAMPION}:1">Community Champion</option>' in form
    assert "Community Champion: approved by 2 members with the role Moderator." in form
    assert 'name="csrf_token"' in form
    assert '<option value="dan">Dan</option>' not in site.get("/nominations/new?q=bo", user="ann")
    preset = site.get("/nominations/new?nominee=bob&badge=" + CHAMPION, user="ann")
    assert '<option value="bob" selected>' in preset and f'<option value="{CHAMPION}:1" selected>' in preset

    refused = site.post("/nominations/new", {"nominee": "ann", "badge": "first-answer:1", "reason": ""}, user="ann")
    assert refused.status_code == 422
    for field in ("nominee", "badge", "reason"):
        assert f'aria-describedby="gk-error-{field}"' in refused.text
    assert "Error: Nominate a member" in refused.text
    assert site.post("/nominations/new", {"nominee": "bob", "badge": f"{CHAMPION}:1", "reason": REASON},
                     user="ann", csrf=False).status_code == 400  # fmt: skip
    assert world.nominations.list() == []
    done = site.post("/nominations/new", {"nominee": "bob", "badge": f"{CHAMPION}:1", "reason": REASON}, user="ann")
    assert done.status_code == 303
    nomination_id = world.nominations.list()[0].id
    assert done.headers["Location"].endswith(f"/nominations/{nomination_id}?done=made")
    again = site.post("/nominations/new", {"nominee": "bob", "badge": f"{CHAMPION}:1", "reason": REASON}, user="dan")
    assert again.status_code == 422 and "already has a pending nomination" in again.text
    page = site.get(f"/nominations/{nomination_id}?done=made", user="ann")
    assert "Nomination made" in page and "0 of 2 approvals so far." in page and REASON in page
    assert "Withdraw your nomination" in page and "Your decision" not in page
    assert CHAMPION not in _visible_text(page)  # words, never the slug
    mine = site.get("/nominations", user="ann")
    assert "Bob for Community Champion" in mine and "0 of 2 approvals" in mine
    assert "Latest nominations in the community" not in mine
    assert "Bob for Community Champion" in _visible_text(site.get("/nominations", user="boss"))  # every one


def test_moderators_decide_from_the_queue_and_the_nominee_sees_the_badge(site: Site, world: GuildKit) -> None:
    nomination_id = world.nominations.nominate("ann", "bob", badge=CHAMPION, reason=REASON).id
    assert "1 nomination waits for your decision" in site.get("/nominations", user="mo")
    queue = site.get("/nominations/queue", user="mo")
    assert "Bob for Community Champion" in queue and REASON in queue
    assert f'id="gk-n{nomination_id}-reason"' in queue  # one form per nomination, ids of its own
    empty = site.post(f"/nominations/{nomination_id}/decide", {"decision": "approve", "reason": ""}, user="mo")
    assert empty.status_code == 422 and 'aria-describedby="gk-error-reason"' in empty.text
    one = site.post(f"/nominations/{nomination_id}/decide", {"decision": "approve", "reason": "Yes.",
                                                             "next": "queue"}, user="mo")  # fmt: skip
    assert one.status_code == 303 and one.headers["Location"].endswith("/nominations/queue?done=approved")
    assert "Nothing waits for your decision." in site.get("/nominations/queue", user="mo")
    two = site.post(f"/nominations/{nomination_id}/decide", {"decision": "approve", "reason": "Agreed."}, user="max")
    assert two.status_code == 303
    page = site.get(f"/nominations/{nomination_id}", user="bob")
    assert "You hold the badge" in page and "Mo approved" in page and "Max approved" in page
    profile = site.get("/members/bob", user="bob")  # the profile's slot for features: the member's own view
    assert "Recognised by nomination" in profile and "nominated by Ann" in profile
    assert "Your recognitions" in site.get("/nominations", user="bob")
    late = site.post(f"/nominations/{nomination_id}/decide", {"decision": "reject", "reason": "No."}, user="boss")
    assert late.status_code == 403


def test_pages_refuse_who_may_not(site: Site, world: GuildKit) -> None:
    nomination_id = world.nominations.nominate("ann", "bob", badge=CHAMPION, reason=REASON).id
    site.get("/nominations", status=401)
    site.get("/nominations/new", status=401)
    site.get(f"/nominations/{nomination_id}", user="bob", status=404)  # the nominee, while pending
    site.get(f"/nominations/{nomination_id}", user="dan", status=404)
    site.get("/nominations/999999", user="ann", status=404)
    assert site.post(f"/nominations/{nomination_id}/decide", {"decision": "approve", "reason": "Me"},
                     user="ann").status_code == 403  # fmt: skip
    assert site.post(f"/nominations/{nomination_id}/withdraw", {}, user="mo").status_code == 403
    withdrawn = site.post(f"/nominations/{nomination_id}/withdraw", {"reason": "Too early."}, user="ann")
    assert withdrawn.status_code == 303
    assert "The member who made it took it back." in site.get(f"/nominations/{nomination_id}", user="ann")
    world.set_status("dan", "suspended", reason="testing")
    site.get("/nominations/new", user="dan", status=403)


def test_links_to_nominate_from_the_nav_a_profile_and_a_badge(site: Site, world: GuildKit) -> None:
    home = site.get("/", user="ann")
    assert 'href="/community/nominations"' in home
    assert 'href="/community/nominations"' not in site.get("/")  # signed out: no link
    assert 'href="/community/nominations/new?nominee=bob"' in site.get("/members/bob", user="ann")
    assert "/nominations/new?nominee=ann" not in site.get("/members/ann", user="ann")
    assert f'href="/community/nominations/new?badge={CHAMPION}"' in site.get(f"/badges/{CHAMPION}", user="ann")


def test_switched_off_there_are_no_routes(gk_clock: Clock, tmp_path: Path) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.nominations"]}
    with make_app("sqlite", tmp_path, config=config, clock=gk_clock) as (app, gk):
        app.register_blueprint(make_blueprint(), url_prefix="/community")
        assert not [r.rule for r in app.url_map.iter_rules() if "nomination" in r.rule]
        assert CHAMPION not in gk.registry.badges
        client = app.test_client()
        assert client.get("/community/api/nominations/badges").status_code == 404
        assert client.get("/community/nominations").status_code == 404


def _visible_text(html: str) -> str:
    """The page's text, without tags or attribute values."""
    return re.sub(r"<[^>]+>", " ", html)
