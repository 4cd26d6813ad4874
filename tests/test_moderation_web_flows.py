"""The mediation, appeal and public-log API (who may do what; 401/403/404/409/422 naming the field) and
pages (start a mediation, a party's mediation page, appealing from /sanctions, the appeals queue, the
public log without signing in)."""

from __future__ import annotations

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Clock, Members
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    return Api(mount(gk_app, gk), {"mods": gk.tokens.create(None, "ops", ["members.manage"])[0]})


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


def a_case(gk: GuildKit, reporter: str, offender: str, subject: str = "post:1") -> int:
    return gk.moderation.report(reporter, subject=subject, user_id=offender, category="harassment").case_id


def test_mediation_api(api: Api, gk: GuildKit, gk_members: Members) -> None:
    mod, offender, ann, outsider = gk_members(roles=["moderator"]), gk_members(), gk_members(), gk_members()
    case_id = a_case(gk, ann, offender)
    start = f"/moderation/cases/{case_id}/mediation"
    assert api.problem("POST", start, 401, body={})
    assert api.problem("POST", start, 403, user=ann, body={})
    problem(api.call("POST", start, user=mod, body={"party": offender}), 422, "party")
    made = api.ok("POST", start, status=201, user=mod, body={})
    assert (made["respondent"], made["party"], made["mediator"], made["state"], made["statements"]) == (
        offender,
        ann,
        mod,
        "open",
        [],
    )
    assert api.problem("POST", start, 409, user=mod, body={})  # already in mediation
    path = f"/mediations/{made['id']}"
    assert api.problem("GET", path, 401)
    assert api.problem("GET", path, 403, user=outsider)
    assert api.problem("GET", "/mediations/999", 404, user=mod)
    said = api.ok("POST", f"{path}/statements", status=201, user=offender, body={"body": "sorry"})
    assert (said["author"], said["body"]) == (offender, "sorry")
    problem(api.call("POST", f"{path}/statements", user=ann, body={"body": ""}), 422, "body")
    assert api.problem("POST", f"{path}/statements", 403, user=outsider, body={"body": "hi"})
    assert [s["body"] for s in api.ok("GET", path, user=ann)["statements"]] == ["sorry"]
    assert api.problem("POST", f"{path}/agree", 403, user=ann, body={"outcome": "fine"})
    problem(api.call("POST", f"{path}/agree", user=mod, body={}), 422, "outcome")
    done = api.ok("POST", f"{path}/agree", user=mod, body={"outcome": "apology accepted"})
    assert (done["state"], done["outcome"]) == ("agreed", "apology accepted")
    assert api.ok("GET", f"/moderation/cases/{case_id}", user=mod)["action"] == "mediate"
    assert api.problem("POST", f"{path}/statements", 409, user=ann, body={"body": "late"})
    assert api.problem("POST", f"{path}/abandon", 409, user=mod, body={"reason": "late"})
    assert [m["id"] for m in api.ok("GET", "/me/mediations", user=ann)] == [made["id"]]
    assert api.ok("GET", "/me/mediations", user=outsider) == []


def test_appeal_api(api: Api, gk: GuildKit, gk_members: Members) -> None:
    mod, judge, offender, ann = (
        gk_members(roles=["moderator"]),
        gk_members(roles=["moderator"]),
        gk_members(),
        gk_members(),
    )
    case_id = a_case(gk, ann, offender)
    gk.moderation.resolve(mod, case_id, action="suspend", reason="abuse", hours=24)
    [sanction] = api.ok("GET", "/me/sanctions", user=offender)
    assert sanction["overturned"] is False
    assert api.problem("POST", "/me/appeals", 401, body={"sanction_id": sanction["id"], "statement": "x"})
    problem(api.call("POST", "/me/appeals", user=offender, body={"statement": "x"}), 422, "sanction_id")
    problem(api.call("POST", "/me/appeals", user=ann, body={"sanction_id": sanction["id"], "statement": "x"}), 422)
    body = {"sanction_id": sanction["id"], "statement": "I was hacked"}
    made = api.ok("POST", "/me/appeals", status=201, user=offender, body=body)  # suspended, still may appeal
    assert (made["kind"], made["state"], made["acted_by"]) == ("suspend", "pending", mod)
    problem(api.call("POST", "/me/appeals", user=offender, body=body), 422, "sanction_id")
    assert [a["id"] for a in api.ok("GET", "/me/appeals", user=offender)] == [made["id"]]
    assert api.ok("GET", "/me/appeals", user=ann) == []

    assert api.problem("GET", "/moderation/appeals", 403, user=offender)
    assert api.problem("GET", f"/moderation/appeals/{made['id']}", 403, user=ann)
    assert [a["id"] for a in api.ok("GET", "/moderation/appeals", token="mods")] == [made["id"]]
    problem(api.call("GET", "/moderation/appeals?state=maybe", user=judge), 422, "state")
    decide = f"/moderation/appeals/{made['id']}/decide"
    assert api.problem("POST", decide, 403, user=mod, body={"decision": "overturn", "reason": "mine"})
    problem(api.call("POST", decide, user=judge, body={"decision": "pardon", "reason": "x"}), 422, "decision")
    decided = api.ok("POST", decide, user=judge, body={"decision": "overturn", "reason": "hacked indeed"})
    assert (decided["state"], decided["decided_by"]) == ("overturned", judge)
    assert gk.member(offender).status == "active"
    assert api.problem("POST", decide, 409, user=judge, body={"decision": "uphold", "reason": "x"})
    assert api.ok("GET", "/moderation/appeals?state=all", user=judge)[0]["decision_reason"] == "hacked indeed"
    assert api.ok("GET", "/me/sanctions", user=offender)[0]["overturned"] is True


def test_public_log_api(api: Api, gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    case_id = a_case(gk, gk_members(), gk_members())
    gk.moderation.resolve(None, case_id, action="warn", reason="x")
    assert api.ok("GET", "/moderation/log?start=2026-01-01&end=2026-01-31") == [
        {"month": "2026-01", "total": 1, "counts": [{"category": "harassment", "action": "warn", "cases": 1}]}
    ]
    default = api.ok("GET", "/moderation/log")  # the last twelve months, up to today
    assert (len(default), default[0]["month"], default[-1]["month"]) == (12, "2025-02", "2026-01")
    problem(api.call("GET", "/moderation/log?start=soon"), 422, "start")
    problem(api.call("GET", "/moderation/log?end=0001-01-01"), 422, "end")
    problem(api.call("GET", "/moderation/log?start=2026-02-01&end=2026-01-01"), 422, "end")


def test_openapi_lists_the_new_endpoints(api: Api) -> None:
    paths = api.client.get("/community/api/openapi.json").get_json()["paths"]
    for path in (
        "/moderation/cases/{case_id}/mediation",
        "/mediations/{mediation_id}",
        "/mediations/{mediation_id}/statements",
        "/mediations/{mediation_id}/agree",
        "/mediations/{mediation_id}/abandon",
        "/me/mediations",
        "/me/appeals",
        "/moderation/appeals",
        "/moderation/appeals/{appeal_id}",
        "/moderation/appeals/{appeal_id}/decide",
        "/moderation/log",
    ):
        assert f"/community/api{path}" in paths, path


def test_mediation_pages(site: Site, gk: GuildKit, gk_members: Members) -> None:
    mod, offender, ann, outsider = gk_members(roles=["moderator"]), gk_members(), gk_members(), gk_members()
    case_id = a_case(gk, ann, offender)
    assert "Start mediation" in site.get(f"/moderation/cases/{case_id}", user=mod)
    bad = site.post(f"/moderation/cases/{case_id}/mediation", {"party": offender}, user=mod)
    assert bad.status_code == 422 and 'id="gk-party"' in bad.get_data(as_text=True)
    both = site.post(f"/moderation/cases/{case_id}/mediation", {"party": offender, "mediator": ann}, user=mod)
    html = both.get_data(as_text=True)  # every bad field at once
    assert both.status_code == 422 and 'id="gk-error-party"' in html and 'id="gk-error-mediator"' in html
    assert "The mediator must be a moderator" in html and "The other party cannot be the reported member" in html
    assert gk.moderation.mediations_of(ann) == []
    started = site.post(f"/moderation/cases/{case_id}/mediation", {}, user=mod)
    assert started.status_code == 303
    [mine] = gk.moderation.mediations_of(ann)
    assert started.headers["Location"].endswith(f"/mediations/{mine.id}?done=started")
    assert "in mediation" in site.get("/moderation", user=mod)
    page = site.get(f"/mediations/{mine.id}", user=ann)
    assert "Your statement" in page and "Record the agreement" not in page
    site.get(f"/mediations/{mine.id}", user=outsider, status=403)
    site.get(f"/mediations/{mine.id}", status=401)
    assert site.post(f"/mediations/{mine.id}/statements", {"body": "it hurt"}, user=ann).status_code == 303
    assert site.post(f"/mediations/{mine.id}/statements", {"body": "x"}, user=outsider).status_code == 403
    assert site.post(f"/mediations/{mine.id}/abandon", {"reason": "x"}, user=ann).status_code == 403
    assert "Record the agreement" in site.get(f"/mediations/{mine.id}", user=mod)
    assert site.post(f"/mediations/{mine.id}/agree", {"outcome": "apology"}, user=mod).status_code == 303
    closed = site.get(f"/mediations/{mine.id}", user=offender)
    assert "it hurt" in closed and "apology" in closed and "Your statement" not in closed
    late = site.post(f"/mediations/{mine.id}/statements", {"body": "late"}, user=ann)
    assert late.status_code == 409
    assert f"Mediation #{mine.id}" in site.get("/sanctions", user=ann)


def test_appeal_pages(site: Site, gk: GuildKit, gk_members: Members) -> None:
    mod, judge, offender, ann = (
        gk_members(roles=["moderator"]),
        gk_members(roles=["moderator"]),
        gk_members(),
        gk_members(),
    )
    case_id = a_case(gk, ann, offender)
    gk.moderation.resolve(mod, case_id, action="ban", reason="abuse")
    [sanction] = gk.moderation.sanctions(offender)
    mine = site.get("/sanctions", user=offender)  # banned, still signed in: may appeal
    assert "Appeal this ban" in mine
    empty = site.post("/sanctions/appeal", {"sanction_id": str(sanction.id), "statement": ""}, user=offender)
    assert empty.status_code == 422
    sent = site.post("/sanctions/appeal", {"sanction_id": str(sanction.id), "statement": "sorry"}, user=offender)
    assert sent.status_code == 303
    assert "Your appeal: Waiting for a decision" in site.get("/sanctions", user=offender)
    [appeal] = gk.moderation.appeals(judge)
    site.get("/moderation/appeals", user=offender, status=403)
    assert f"#{appeal.id}" in site.get("/moderation/appeals", user=judge)
    assert "another moderator must decide" in site.get(f"/moderation/appeals/{appeal.id}", user=mod)
    refused = site.post(f"/moderation/appeals/{appeal.id}/decide", {"decision": "overturn", "reason": "x"}, user=mod)
    assert refused.status_code == 403
    missing = site.post(f"/moderation/appeals/{appeal.id}/decide", {"decision": "overturn"}, user=judge)
    assert missing.status_code == 422
    data = {"decision": "overturn", "reason": "second chance"}
    assert site.post(f"/moderation/appeals/{appeal.id}/decide", data, user=judge).status_code == 303
    assert gk.member(offender).status == "active"
    assert "Overturned: the action was lifted — second chance" in site.get("/sanctions", user=offender)
    again = site.post(f"/moderation/appeals/{appeal.id}/decide", data, user=judge)
    assert again.status_code == 409


def test_public_log_page_needs_no_sign_in(site: Site, gk: GuildKit, gk_members: Members) -> None:
    offender = gk_members()
    case_id = a_case(gk, gk_members(), offender, subject="secret-subject:9")
    gk.moderation.resolve(None, case_id, action="dismiss", reason="private reason")
    page = site.get("/moderation/log?start=2026-01-01&end=2026-01-31")
    assert (
        "January 2026: 1 case" in page
        and '<td>Harassment</td><td>Dismissed: no action</td><td class="gk-num">1</td>' in page
    )
    assert "secret-subject" not in page and offender not in page and "private reason" not in page
    assert "2026-01" in site.get("/moderation/log")
    bad = site.client.get("/community/moderation/log?start=never")
    assert bad.status_code == 422 and 'id="gk-start"' in bad.get_data(as_text=True)
