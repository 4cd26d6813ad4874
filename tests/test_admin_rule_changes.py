"""Rule changes in the admin console and its API: stored, paged previews of a proposed rule file;
applying the rules in force as a job (audited); a new badge offered to the members who qualify."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import ValidationError
from guildkit.testing import Activities, Members
from tests.webclient import PREFIX, Api, Site, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

CHEAPER_UPVOTES = "[[points]]\nname = 'answer-upvoted'\non = 'answer.upvoted'\npoints = 4\npoint_type = 'reputation'\n"
HELPER_FORM = {
    "slug": "helper",
    "name": "Helper",
    "description": "Answers questions",
    "tiers": "bronze",
    "criterion": "count",
    "activity_type": "answer.posted",
    "subject_role": "actor",
    "thresholds": "2",
}


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    return Api(mount(gk_app, gk))


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


def _upvoted(gk_members: Members, gk_activities: Activities, count: int) -> list[str]:
    voter = gk_members()
    people = [gk_members() for _ in range(count)]
    for person in people:
        gk_activities.record("answer.upvoted", actor=voter, target=person)
    return people


def test_the_api_stores_a_preview_and_pages_through_it(
    api: Api, gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    admin = gk_members(roles=["admin"])
    people = _upvoted(gk_members, gk_activities, 3)
    made = api.ok("POST", "/admin/rules/previews", user=admin, body={"rules": CHEAPER_UPVOTES}, status=201)
    assert made["member_count"] == 3 and made["totals"]["points_lost"] == {"reputation": 18}
    assert made["activities"] >= 3 and made["created_by"] == admin  # the role grants are activities too
    second = api.ok("GET", f"/admin/rules/previews/{made['id']}?page=2&per_page=2", user=admin)
    assert [m["user_id"] for m in second["members"]] == sorted(people)[2:]
    assert second["members"][0]["points"] == {"reputation": {"before": 10, "after": 4, "change": -6}}
    assert gk.balance(people[0], "reputation") == 10  # nothing written
    assert gk.admin.audit()[0].action == "rules.preview"

    api.problem("GET", "/admin/rules/previews/999", 404, user=admin)
    api_problem = api.problem("POST", "/admin/rules/previews", 422, user=admin, body={"rules": "not toml ["})
    assert "not valid TOML" in api_problem["errors"]["rules"][0]
    unknown = "[[points]]\nname = 'x'\non = 'a.b'\npoints = 1\npoint_type = 'no-such'\n"
    bad = api.problem("POST", "/admin/rules/previews", 422, user=admin, body={"rules": unknown})
    assert "no-such" in bad["errors"]["rules"][0]
    api.problem("POST", "/admin/rules/previews", 403, user=gk_members(), body={"rules": CHEAPER_UPVOTES})


def test_the_api_applies_the_rules_in_force_as_an_audited_job(
    api: Api, gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    admin = gk_members(roles=["admin"])
    _upvoted(gk_members, gk_activities, 2)
    version = gk.registry.version
    stale = api.problem("POST", "/admin/rules/apply", 409, user=admin, body={"version": 999})
    assert "rule version 999 does not exist" in stale["detail"]
    assert api.ok("POST", "/admin/rules/apply", user=admin, body={"version": version}, status=202) == {
        "status": "started"
    }
    assert gk.jobs.wait(60)
    [entry] = gk.admin.audit(action="rules.apply")
    assert entry.actor == admin and entry.details["members"] == 0  # the history already matches
    assert entry.details["options"]["notify"] == "gains"
    assert "notify" in api.problem("POST", "/admin/rules/apply", 422, user=admin, body={"notify": "all"})["errors"]


def test_the_console_previews_a_change_counts_first_then_members_paged(
    site: Site, gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    admin = gk_members(roles=["admin"])
    _upvoted(gk_members, gk_activities, 55)
    page = site.get("/admin/rules", user=admin)
    assert "Try a change" in page and "Apply the rules in force to the history" in page
    bad = site.post("/admin/rules/previews", {"rules": "[[points]]\nname='x'\n"}, user=admin)
    assert bad.status_code == 422 and "gk-error-rules" in bad.get_data(as_text=True)
    made = site.post("/admin/rules/previews", {"rules": CHEAPER_UPVOTES, "remove": ""}, user=admin)
    assert made.status_code == 303
    where = urlparse(made.location).path.removeprefix(PREFIX)
    shown = site.get(where, user=admin)
    assert "<strong>55</strong> members would see a change" in shown
    assert "Reputation: 330 points lost" in shown  # the point type's name, not its slug
    assert shown.index("In all") < shown.index("Members affected")
    assert "Page 1 of 2 (55 members)" in shown and 'rel="next"' in shown
    last = site.get(where + "?page=2", user=admin)
    assert last.count("Reputation 10 → 4") == 5 and 'rel="prev"' in last
    assert "Preview " in site.get("/admin/rules", user=admin)  # listed among recent previews


def test_a_new_badge_is_offered_to_the_members_who_already_qualify(
    site: Site, gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    admin, ann, bob, cid = gk_members(roles=["admin"]), gk_members(), gk_members(), gk_members()
    for person, answers in ((ann, 3), (bob, 2), (cid, 1)):
        for _ in range(answers):
            gk_activities.record("answer.posted", actor=person)
    made = site.post("/admin/badges/new", HELPER_FORM, user=admin)
    assert made.status_code == 303
    offer = parse_qs(urlparse(made.location).query)
    assert offer["done"] == ["created"] and offer["backfill"]
    page = site.get(urlparse(made.location).path.removeprefix(PREFIX) + "?" + urlparse(made.location).query, user=admin)
    assert "2 members already qualify" in page and "Award it to them" in page
    assert [a for a in gk.badges(ann) if a.badge_slug == "helper"] == []  # nothing until the admin chooses
    chose = site.post("/admin/badges/helper/backfill", {"dated": "earned"}, user=admin)
    assert chose.status_code == 303
    assert gk.jobs.wait(60)
    assert [a.badge_slug for a in gk.badges(ann) if a.badge_slug == "helper"] == ["helper"]
    assert [a.badge_slug for a in gk.badges(bob) if a.badge_slug == "helper"] == ["helper"]
    assert [a for a in gk.badges(cid) if a.badge_slug == "helper"] == []
    # Held now: saving again offers nothing more.
    again = site.post("/admin/badges/helper", HELPER_FORM, user=admin)
    assert "backfill" not in again.location
    [entry] = gk.admin.audit(action="rules.apply")
    assert entry.details["badges_awarded"] == 2 and entry.details["options"]["badges"] == ["helper"]


def test_a_console_edit_that_would_break_the_rules_is_refused_and_the_version_stays(
    gk: GuildKit, gk_members: Members
) -> None:
    admin = gk_members(roles=["admin"])
    gk.admin.create_badge(
        admin,
        {"slug": "helper", "name": "Helper", "criterion": "count", "activity_type": "answer.posted", "thresholds": [2]},
    )
    version = gk.registry.version
    with pytest.raises(ValidationError) as refused:
        gk.admin.update_badge(admin, "helper", {"criterion": "points", "point_type": "no-such", "thresholds": [5]})
    assert refused.value.field == "point_type"
    assert gk.registry.version == version
    assert gk.admin.badge("helper").criterion == "count"
