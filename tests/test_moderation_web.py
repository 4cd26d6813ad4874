"""The moderation API (who may report, moderate and read what; 401/403/422 naming the field) and pages
(the report form, the queue, the case page's forms with CSRF, "your sanctions")."""

from __future__ import annotations

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Members
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

REPORT = {"subject": "answer:42", "category": "harassment", "comment": "rude"}


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    return Api(mount(gk_app, gk), {"mods": gk.tokens.create(None, "ops", ["members.manage"])[0]})


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


def test_report_queue_case_resolve(api: Api, gk: GuildKit, gk_members: Members) -> None:
    mod, ann, bob = gk_members(roles=["moderator"]), gk_members(), gk_members()
    body = {**REPORT, "user_id": bob}
    assert api.problem("POST", "/reports", 401, body=body)
    made = api.ok("POST", "/reports", status=201, user=ann, body=body)
    assert (made["reporter"], made["category"], made["comment"]) == (ann, "harassment", "rude")
    case_id = made["case_id"]
    problem(api.call("POST", "/reports", user=ann, body=body), 422, "subject")  # once per subject
    problem(api.call("POST", "/reports", user=bob, body=body), 422, "user_id")  # not yourself
    assert api.problem("POST", "/reports", 404, user=ann, body={**body, "user_id": "nobody"})

    for path in ("/moderation/cases", f"/moderation/cases/{case_id}", "/moderation/audit"):
        assert api.problem("GET", path, 401)
        assert api.problem("GET", path, 403, user=ann)  # members see no reports, cases or notes
        assert api.problem("GET", path, 403, user=bob)
    assert [c["id"] for c in api.ok("GET", "/moderation/cases", user=mod)] == [case_id]
    assert api.ok("GET", "/moderation/cases", token="mods")[0]["severity"] == 3
    assert api.problem("GET", "/moderation/cases/999", 404, user=mod)

    assigned = api.ok("POST", f"/moderation/cases/{case_id}/assign", user=mod)
    assert assigned["assigned_to"] == mod
    problem(api.call("POST", f"/moderation/cases/{case_id}/notes", user=mod, body={"body": ""}), 422, "body")
    note = api.ok("POST", f"/moderation/cases/{case_id}/notes", status=201, user=mod, body={"body": "watch"})
    assert note["author"] == mod
    assert api.problem("POST", f"/moderation/cases/{case_id}/notes", 403, user=ann, body={"body": "x"})
    case = api.ok("GET", f"/moderation/cases/{case_id}", user=mod)
    assert [n["body"] for n in case["notes"]] == ["watch"] and [r["reporter"] for r in case["reports"]] == [ann]

    resolve = f"/moderation/cases/{case_id}/resolve"
    problem(api.call("POST", resolve, user=mod, body={"action": "shout", "reason": "x"}), 422, "action")
    problem(api.call("POST", resolve, user=mod, body={"action": "warn"}), 422, "reason")
    problem(api.call("POST", resolve, user=mod, body={"action": "mute", "reason": "x"}), 422, "hours")
    problem(api.call("POST", resolve, user=mod, body={"action": "mute", "reason": "x", "hours": "2"}), 422, "hours")
    done = api.ok("POST", resolve, user=mod, body={"action": "mute", "reason": "cool off", "hours": 2})
    assert (done["status"], done["action"], done["resolved_by"]) == ("resolved", "mute", mod)
    audit = api.ok("GET", "/moderation/audit", user=mod)
    latest = audit[0]
    assert (latest["actor"], latest["action"], latest["target"], latest["reason"]) == (mod, "mute", bob, "cool off")

    assert api.problem("GET", "/me/sanctions", 401)
    [sanction] = api.ok("GET", "/me/sanctions", user=bob)
    assert (sanction["kind"], sanction["reason"], sanction["active"]) == ("mute", "cool off", True)
    assert api.ok("GET", "/me/sanctions", user=ann) == []


def test_moderator_cannot_moderate_themself(api: Api, gk_members: Members) -> None:
    mod, ann = gk_members(roles=["moderator"]), gk_members()
    case_id = api.ok("POST", "/reports", status=201, user=ann, body={**REPORT, "user_id": mod})["case_id"]
    assert api.problem("POST", f"/moderation/cases/{case_id}/assign", 403, user=mod)
    body = {"action": "dismiss", "reason": "mine"}
    assert api.problem("POST", f"/moderation/cases/{case_id}/resolve", 403, user=mod, body=body)


def test_suspension_takes_member_endpoints_away(api: Api, gk: GuildKit, gk_members: Members) -> None:
    mod, ann, bob = gk_members(roles=["moderator"]), gk_members(), gk_members()
    case_id = api.ok("POST", "/reports", status=201, user=ann, body={**REPORT, "user_id": bob})["case_id"]
    body = {"action": "suspend", "reason": "harassment", "hours": 24}
    api.ok("POST", f"/moderation/cases/{case_id}/resolve", token="mods", body=body)
    assert gk.member(bob).status == "suspended"
    assert api.problem("POST", "/reports", 403, user=bob, body={**REPORT, "subject": "q:1", "user_id": ann})
    [sanction] = api.ok("GET", "/me/sanctions", user=bob)  # a suspended member still reads why
    assert (sanction["kind"], sanction["reason"]) == ("suspend", "harassment")
    assert api.ok("GET", "/moderation/audit", user=mod)[0]["actor"] is None  # an API token acted


def test_pages_report_queue_case_and_sanctions(site: Site, gk: GuildKit, gk_members: Members) -> None:
    mod, ann, bob = gk_members(roles=["moderator"]), gk_members(), gk_members()
    form = site.get(f"/report?subject=answer:7&user={bob}", user=ann)
    assert 'value="answer:7"' in form and 'name="csrf_token"' in form
    site.get("/report", status=401)
    data = {"subject": "answer:7", "user": bob, "category": "spam", "comment": "ads"}
    assert site.post("/report", data, user=ann, csrf=False).status_code == 400  # no CSRF token: refused
    assert site.post("/report", data, user=ann).status_code == 200
    again = site.post("/report", data, user=ann)
    assert again.status_code == 422 and "already reported" in again.get_data(as_text=True)

    site.get("/moderation", user=ann, status=403)
    queue = site.get("/moderation", user=mod)
    [case] = gk.moderation.queue(mod)
    assert "An answer" in queue and "answer:7" not in queue  # no subject loader: the kind in words
    site.get(f"/moderation/cases/{case.id}", user=ann, status=403)
    page = site.get(f"/moderation/cases/{case.id}", user=mod)
    assert "ads" in page and "Resolve the case" in page
    assert site.post(f"/moderation/cases/{case.id}/notes", {"body": "bot?"}, user=mod).status_code == 303
    bad = site.post(f"/moderation/cases/{case.id}/resolve", {"action": "mute", "reason": "x"}, user=mod)
    assert bad.status_code == 422 and 'id="gk-hours"' in bad.get_data(as_text=True)
    assert (
        site.post(f"/moderation/cases/{case.id}/resolve", {"action": "warn", "reason": "no ads"}, user=ann).status_code
        == 403
    )
    done = site.post(f"/moderation/cases/{case.id}/resolve", {"action": "warn", "reason": "no ads"}, user=mod)
    assert done.status_code == 303
    assert "bot?" in site.get(f"/moderation/cases/{case.id}", user=mod)

    mine = site.get("/sanctions", user=bob)
    assert "Warning" in mine and "no ads" in mine
    assert "no warnings" in site.get("/sanctions", user=ann)
    site.get("/sanctions", status=401)


def test_the_moderation_link_is_in_the_nav_for_moderators_only(site: Site, gk_members: Members) -> None:
    mod, ann = gk_members(roles=["moderator"]), gk_members()
    link = 'href="/community/moderation"'
    assert link in site.get("/", user=mod)
    assert link not in site.get("/", user=ann) and link not in site.get("/")
