"""The admin console's service (``gk.admin``) and its API: console badges change what the rule engine
awards next; archiving; read-only code badges; manual awards with reasons in the ledger; roles; rules,
plugins and failures; the audit log; the definitions version across processes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import NotAllowed, UnknownBadge, ValidationError
from guildkit.models import AuditRecord, BadgeAward
from guildkit.testing import Activities, Clock, Members, make_app
from tests.plugins import qa_rules
from tests.webclient import Api, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

HELPER = {
    "slug": "helper",
    "name": "Helper",
    "description": "Answered questions",
    "criterion": "count",
    "activity_type": "answer.posted",
    "tiers": ["bronze", "silver"],
    "thresholds": [3, 5],
}


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    return Api(mount(gk_app, gk))


def helper_awards(gk: GuildKit, user: str) -> list[int]:
    return sorted(a.level for a in gk.badges(user) if a.badge_slug == "helper")


def test_editing_a_threshold_changes_what_the_next_activity_awards(
    api: Api, gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    made = api.ok("POST", "/admin/badges", status=201, user=admin, body=HELPER)
    assert (made["origin_kind"], made["editable"], made["criteria"]) == (
        "database",
        True,
        ["badge helper at answer.posted done >= 3, 5"],
    )
    for _ in range(2):
        gk_activities.record("answer.posted", actor=ann)
    assert helper_awards(gk, ann) == []

    changed = api.ok("PATCH", "/admin/badges/helper", user=admin, body={"thresholds": [2, 4]})
    assert changed["thresholds"] == [2, 4] and changed["name"] == "Helper"
    third = gk_activities.record("answer.posted", actor=ann)
    assert [(b.badge, b.level, b.rule) for b in third.badges if b.badge == "helper"] == [
        ("helper", 1, "console:helper")
    ]
    assert helper_awards(gk, ann) == [1]

    [update, create] = gk.admin.audit(action=None)[:2]
    assert (create.action, create.actor, create.target) == ("badge.create", admin, "badge:helper")
    assert (update.action, update.details) == ("badge.update", {"thresholds": {"from": [3, 5], "to": [2, 4]}})


def test_each_and_points_criteria(gk: GuildKit, gk_members: Members, gk_activities: Activities) -> None:
    admin, ann, bob = gk_members(roles=["admin"]), gk_members(), gk_members()
    gk.admin.create_badge(
        admin,
        {
            "slug": "thanked",
            "name": "Thanked",
            "criterion": "each",
            "activity_type": "thanks",
            "subject_role": "target",
        },
    )
    gk.admin.create_badge(
        admin, {"slug": "rich", "name": "Rich", "criterion": "points", "point_type": "reputation", "thresholds": [20]}
    )
    assert gk.registry.badges["thanked"].repeatable
    for _ in range(2):
        gk_activities.record("thanks", actor=bob, target=ann)
    assert sorted(a.badge_slug for a in gk.badges(ann)) == ["thanked", "thanked"]
    gk_activities.record("answer.upvoted", actor=bob, target=ann)
    assert "rich" not in [a.badge_slug for a in gk.badges(ann)]
    gk_activities.record("answer.upvoted", actor=gk_members(), target=ann)
    assert "rich" in [a.badge_slug for a in gk.badges(ann)]


def test_archiving_stops_new_awards_and_keeps_old_ones(
    api: Api, gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    admin, ann, bob = gk_members(roles=["admin"]), gk_members(), gk_members()
    gk.admin.create_badge(admin, {**HELPER, "tiers": ["bronze"], "thresholds": [1]})
    gk_activities.record("answer.posted", actor=ann)
    archived = api.ok("POST", "/admin/badges/helper/archive", user=admin, body={"reason": "retired"})
    assert (archived["archived"], archived["criteria"]) == (True, [])
    assert gk.session.scalar(sa.text("SELECT archived FROM guildkit_badges WHERE slug = 'helper'"))
    gk_activities.record("answer.posted", actor=bob)
    assert helper_awards(gk, bob) == []
    assert helper_awards(gk, ann) == [1]  # kept, and still shown on the member's API
    assert "helper" in [b["badge"] for b in api.ok("GET", f"/members/{ann}/badges")["items"]]
    problem(
        api.call("POST", "/admin/awards", user=admin, body={"user_id": bob, "badge": "helper", "reason": "x"}),
        422,
        "badge",
    )

    api.ok("POST", "/admin/badges/helper/unarchive", user=admin, body={})
    gk_activities.record("answer.posted", actor=bob)
    assert helper_awards(gk, bob) == [1]
    actions = [e.action for e in gk.admin.audit()]
    assert actions[:2] == ["badge.unarchive", "badge.archive"]
    assert gk.admin.audit(action="badge.archive")[0].reason == "retired"


def test_code_defined_badges_are_read_only_with_their_origin(api: Api, gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    listed = {b["slug"]: b for b in api.ok("GET", "/admin/badges", user=admin)}
    assert (listed["answerer"]["origin_kind"], listed["answerer"]["origin"], listed["answerer"]["editable"]) == (
        "plugin",
        "tests.plugins.qa_rules",
        False,
    )
    assert listed["mentor"]["origin_kind"] == "built-in"
    assert (
        api.problem("PATCH", "/admin/badges/answerer", 403, user=admin, body={"name": "Mine"})["code"] == "not_allowed"
    )
    assert api.problem("POST", "/admin/badges/answerer/archive", 403, user=admin, body={})
    assert api.problem("PATCH", "/admin/badges/nope", 404, user=admin, body={"name": "x"})
    with pytest.raises(NotAllowed):
        gk.admin.set_badge_image(admin, "answerer", None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"thresholds": [3]}, "thresholds"),  # two tiers, one threshold
        ({"thresholds": [5, 3]}, "thresholds"),
        ({"tiers": ["platinum"]}, "tiers"),
        ({"criterion": "points", "point_type": "karma", "thresholds": [1, 2]}, "point_type"),
        ({"criterion": "count", "activity_type": "Not A Type"}, "activity_type"),
        ({"criterion": "each"}, "tiers"),  # each: one tier
        ({"name": "   "}, "name"),
        ({"slug": "answerer"}, "slug"),  # taken by a plugin
        ({"slug": "Bad Slug"}, "slug"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_badges_are_refused_naming_the_field(
    api: Api, gk: GuildKit, gk_members: Members, change: dict[str, object], field: str
) -> None:
    admin = gk_members(roles=["admin"])
    problem(api.call("POST", "/admin/badges", user=admin, body={**HELPER, **change}), 422, field)
    assert "helper" not in gk.registry.badges
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)) == 0


def test_manual_awards_and_revocations_carry_their_reason(api: Api, gk: GuildKit, gk_members: Members) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    body = {
        "user_id": ann,
        "points": 25,
        "point_type": "reputation",
        "badge": "answerer",
        "level": 2,
        "reason": "Great talk",
    }
    result = api.ok("POST", "/admin/awards", status=201, user=admin, body=body)
    assert result["type"] == "guildkit.award"
    assert gk.balance(ann, "reputation") == 25
    [entry] = gk.ledger(ann)
    assert (entry.amount, entry.reason) == (25, "Great talk")
    assert [(a.badge_slug, a.level, a.reason) for a in gk.badges(ann)] == [("answerer", 2, "Great talk")]
    taken = api.ok(
        "POST",
        "/admin/awards",
        status=201,
        user=admin,
        body={"user_id": ann, "points": -5, "point_type": "reputation", "reason": "double count"},
    )
    assert taken["points"][0]["amount"] == -5 and gk.balance(ann, "reputation") == 20

    problem(api.call("POST", "/admin/awards", user=admin, body={**body, "reason": ""}), 422, "reason")
    problem(api.call("POST", "/admin/awards", user=admin, body={"user_id": ann, "reason": "x"}), 422, "points")
    assert (
        api.problem("POST", "/admin/awards", 404, user=admin, body={**body, "user_id": "nobody"})["code"]
        == "unknown_member"
    )
    problem(
        api.call(
            "POST", "/admin/revocations", user=admin, body={"user_id": ann, "badge": "first-answer", "reason": "x"}
        ),
        422,
        "badge",
    )

    api.ok(
        "POST", "/admin/revocations", user=admin, body={"user_id": ann, "badge": "answerer", "reason": "was a mistake"}
    )
    assert gk.badges(ann) == []
    revoked = gk.session.scalars(sa.select(BadgeAward)).one()
    assert revoked.revoke_reason == "was a mistake"
    entries = gk.admin.audit(actor=admin)
    assert [(e.action, e.target, e.reason) for e in entries] == [
        ("revoke", f"member:{ann}", "was a mistake"),
        ("award", f"member:{ann}", "double count"),
        ("award", f"member:{ann}", "Great talk"),
    ]
    assert entries[2].details["points"] == 25 and entries[2].details["activity_key"].startswith("guildkit.award:")


def test_console_roles_grant_and_revoke(api: Api, gk: GuildKit, gk_members: Members) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    permissions = {p["name"] for p in api.ok("GET", "/admin/permissions", user=admin)}
    assert {"admin", "members.manage", "edit", "close"} <= permissions  # the blueprint's and plugins' roles'
    role = api.ok(
        "POST",
        "/admin/roles",
        status=201,
        user=admin,
        body={"slug": "curator", "name": "Curator", "permissions": ["members.read_private"]},
    )
    assert (role["origin_kind"], role["editable"]) == ("database", True)
    problem(
        api.call("POST", "/admin/roles", user=admin, body={"slug": "c2", "name": "C", "permissions": ["fly"]}),
        422,
        "permissions",
    )
    problem(api.call("POST", "/admin/roles", user=admin, body={"slug": "moderator", "name": "M"}), 422, "slug")
    assert api.problem("PATCH", "/admin/roles/moderator", 403, user=admin, body={"name": "Mods"})

    problem(api.call("POST", "/admin/roles/curator/grants", user=admin, body={"user_id": ann}), 422, "reason")
    api.ok("POST", "/admin/roles/curator/grants", status=201, user=admin, body={"user_id": ann, "reason": "helps"})
    assert gk.roles(ann) == ["curator"] and gk.has_permission(ann, "members.read_private")
    api.ok("PATCH", "/admin/roles/curator", user=admin, body={"permissions": ["members.manage"]})
    assert gk.has_permission(ann, "members.manage") and not gk.has_permission(ann, "members.read_private")
    api.ok("POST", "/admin/roles/curator/revocations", user=admin, body={"user_id": ann, "reason": "stepped down"})
    assert gk.roles(ann) == []
    problem(
        api.call("POST", "/admin/roles/curator/revocations", user=admin, body={"user_id": ann, "reason": "again"}),
        422,
        "role",
    )
    assert [e.action for e in gk.admin.audit()][:4] == ["role.revoke", "role.update", "role.grant", "role.create"]


def test_rules_plugins_and_hook_failures(api: Api, gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    gk.admin.create_badge(admin, HELPER)
    rules = {r["name"]: r for r in api.ok("GET", "/admin/rules", user=admin)}
    assert rules["console:helper"] == {
        "name": "console:helper",
        "kind": "BadgeRule",
        "origin": "admin console",
        "origin_kind": "database",
        "triggers": ["answer.posted"],
        "description": "badge helper at answer.posted done >= 3, 5",
    }
    assert rules["answer-upvoted"]["origin"] == "tests.plugins.qa_rules"
    assert rules["answer-upvoted"]["description"] == "+10 reputation to the target on answer.upvoted"
    assert rules["levels:xp"]["description"] == "levels of xp points at 10, 50, 100"
    versions = api.ok("GET", "/admin/rules/versions", user=admin)
    assert [(v["version"], v["in_force"], v["changes"]) for v in versions] == [
        (2, True, ["badge helper added", "rule console:helper added"]),
        (1, False, []),
    ]
    assert len(versions[0]["content_hash"]) == 64 and versions[0]["first_seen_at"] >= versions[1]["first_seen_at"]
    plugins = {p["name"]: p for p in api.ok("GET", "/admin/plugins", user=admin)}
    # The admin feature is one plugin: the console's definitions, its tables and its routes.
    assert plugins["guildkit.admin"]["hooks"] == [
        "guildkit_badge_image",
        "guildkit_definitions_version",
        "guildkit_init_app",
        "guildkit_page_links",
        "guildkit_register_badges",
        "guildkit_register_config",
        "guildkit_register_migrations",
        "guildkit_register_roles",
        "guildkit_register_routes",
        "guildkit_register_rules",
        "guildkit_register_services",
        "guildkit_register_tables",
    ]
    gk.record_failures(
        [
            {
                "plugin": "p1",
                "hook": "guildkit_badge_awarded",
                "error": "boom",
                "activity_key": "k",
                "created_at": gk.clock(),
            }
        ]
    )
    [failure] = api.ok("GET", "/admin/hook-failures", user=admin)
    assert (failure["plugin"], failure["hook"], failure["error"], failure["activity_key"]) == (
        "p1",
        "guildkit_badge_awarded",
        "boom",
        "k",
    )
    assert api.ok("GET", "/admin/hook-failures?plugin=other", user=admin) == []


def test_tokens_are_shown_once_and_only_people_manage_them(api: Api, gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    made = api.ok(
        "POST", "/admin/tokens", status=201, user=admin, body={"name": "ingest", "scopes": ["activities.write"]}
    )
    token = made["token"]
    assert token.startswith("gk_") and made["prefix"] == token[:10] and made["created_by"] == admin
    listed = api.ok("GET", "/admin/tokens", user=admin)
    assert [t["name"] for t in listed] == ["ingest"] and "token" not in listed[0]
    assert token not in str(gk.session.execute(sa.text("SELECT * FROM guildkit_api_tokens")).all())
    api.tokens["ingest"] = token
    api.ok("POST", "/activities", status=201, token="ingest", body={"type": "visit", "actor": "ann", "key": "v1"})
    assert api.ok("GET", "/admin/tokens", user=admin)[0]["last_used_at"] is not None
    problem(api.call("POST", "/admin/tokens", user=admin, body={"name": "x", "scopes": ["root"]}), 422, "scopes")

    gk.admin.create_badge(admin, HELPER)  # an admin-scoped token may use the console, but not manage tokens
    api.tokens["root"] = gk.tokens.create(admin, "root", ["admin"])[0]
    assert api.ok("GET", "/admin/badges/helper", token="root")["slug"] == "helper"
    api.ok("PATCH", "/admin/badges/helper", token="root", body={"name": "Helpful"})
    assert gk.admin.audit(action="badge.update")[0].actor == f"token:{api.tokens['root'][:10]}"
    assert api.problem("POST", "/admin/tokens", 403, token="root", body={"name": "y", "scopes": ["admin"]})
    assert api.problem("POST", f"/admin/tokens/{made['id']}/revoke", 403, token="root", body={})

    revoked = api.ok("POST", f"/admin/tokens/{made['id']}/revoke", user=admin, body={"reason": "leaked"})
    assert revoked["revoked_at"] is not None
    assert api.problem("POST", "/activities", 401, token="ingest", body={"type": "visit", "actor": "ann", "key": "v2"})
    assert api.problem("POST", "/admin/tokens/999/revoke", 404, user=admin, body={})
    assert [(e.action, e.reason) for e in gk.admin.audit(action="token.revoke")] == [("token.revoke", "leaked")]


def test_audit_log_filters(api: Api, gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    ann, bob = gk_members(roles=["admin"]), gk_members(roles=["admin"])
    gk.admin.create_badge(ann, HELPER)
    gk_clock.advance(days=2)
    gk.admin.update_badge(bob, "helper", {"name": "Helpful"})
    gk_clock.advance(days=2)
    gk.admin.archive_badge(ann, "helper", reason="old")
    everything = api.ok("GET", "/admin/audit", user=ann)
    assert [e["action"] for e in everything] == ["badge.archive", "badge.update", "badge.create"]
    assert [e["action"] for e in api.ok("GET", f"/admin/audit?actor={ann}", user=ann)] == [
        "badge.archive",
        "badge.create",
    ]
    assert [e["actor"] for e in api.ok("GET", "/admin/audit?action=badge.update", user=ann)] == [bob]
    start = (gk_clock.now - timedelta(days=3)).isoformat().replace("+00:00", "Z")
    end = (gk_clock.now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert [e["action"] for e in api.ok("GET", f"/admin/audit?since={start}&until={end}", user=ann)] == ["badge.update"]
    oldest = everything[-1]["id"]
    assert [e["action"] for e in api.ok("GET", f"/admin/audit?before={everything[0]['id']}&limit=1", user=ann)] == [
        "badge.update"
    ]
    assert oldest == everything[2]["id"]
    problem(api.call("GET", f"/admin/audit?since={end}&until={start}", user=ann), 422, "until")


def test_audit_row_commits_with_its_action_or_not_at_all(gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    gk.admin.create_badge(admin, HELPER)
    with pytest.raises(ValidationError):  # refused inside the transaction: no badge change, no audit row
        gk.admin.update_badge(admin, "helper", {"criterion": "points", "point_type": "karma", "thresholds": [1, 2]})
    assert [e.action for e in gk.admin.audit()] == ["badge.create"]
    assert gk.admin.badge("helper").criterion == "count"
    with pytest.raises(NotAllowed):
        gk.admin.create_badge(gk_members(), {**HELPER, "slug": "other"})
    with pytest.raises(UnknownBadge):
        gk.admin.badge("other")


def test_another_process_sees_console_changes(tmp_path: Path, gk_backend: str) -> None:
    """Two apps on one database stand for two worker processes: each has its own registry."""
    if gk_backend == "postgresql":
        pytest.skip("two apps on one throwaway schema: covered on SQLite")
    config = {"GUILDKIT_DEFINITIONS_CHECK_SECONDS": 0}
    with make_app("sqlite", tmp_path, config=config, plugins=(qa_rules,)) as (app, gk):
        other_app = Flask("worker_two", instance_path=str(tmp_path / "instance"))
        other_app.config.update(app.config)
        other = GuildKit(plugins=(qa_rules,))
        other.init_app(other_app)
        with app.app_context():
            gk.join("admin")
            gk.award("admin", role="admin", reason="setup")
            gk.admin.create_badge("admin", {**HELPER, "tiers": ["bronze"], "thresholds": [5]})
        with other_app.app_context():
            assert "helper" in other.registry.badges
            other.record("answer.posted", actor="ann", key="a1")
            assert helper_awards(other, "ann") == []
        with app.app_context():
            gk.admin.update_badge("admin", "helper", {"thresholds": [2]})
        with other_app.app_context():
            result = other.record("answer.posted", actor="ann", key="a2")
            assert [(b.badge, b.rule) for b in result.badges if b.badge == "helper"] == [("helper", "console:helper")]
            other.store.remove_session()
            other.store.engine.dispose()


def test_a_long_check_interval_keeps_the_old_registry(tmp_path: Path, gk_backend: str) -> None:
    if gk_backend == "postgresql":
        pytest.skip("covered on SQLite")
    with make_app("sqlite", tmp_path, plugins=(qa_rules,)) as (app, gk):
        other_app = Flask("worker_two", instance_path=str(tmp_path / "instance"))
        other_app.config.update(app.config, GUILDKIT_DEFINITIONS_CHECK_SECONDS=3600)
        other = GuildKit(plugins=(qa_rules,))
        other.init_app(other_app)
        with other_app.app_context():
            assert "helper" not in other.registry.badges
        with app.app_context():
            gk.join("admin")
            gk.award("admin", role="admin", reason="setup")
            gk.admin.create_badge("admin", HELPER)
        with other_app.app_context():
            assert "helper" not in other.registry.badges  # not checked again within the hour
            other.reload_definitions()
            assert "helper" in other.registry.badges
            other.store.remove_session()
            other.store.engine.dispose()
