"""The admin console's pages: forms (with CSRF) that make and edit badges and change what the engine
awards next, badge images (checked, served without scripts), awards with a required reason, roles,
tokens shown once, and the filtered audit log."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Activities, Members
from tests.webclient import PREFIX, Site, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
BADGE_FORM = {
    "slug": "helper",
    "name": "Helper",
    "description": "Answers questions",
    "tiers": "bronze, silver",
    "criterion": "count",
    "activity_type": "answer.posted",
    "subject_role": "actor",
    "thresholds": "3, 6",
}


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


def test_badge_forms_change_what_the_engine_awards_next(
    site: Site, gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    assert 'name="thresholds"' in site.get("/admin/badges/new", user=admin)
    bad = site.post("/admin/badges/new", {**BADGE_FORM, "thresholds": "3"}, user=admin)
    assert bad.status_code == 422
    assert 'id="gk-error-thresholds"><span class="gk-sr">Error: </span>Give one threshold per level (tier)' in (
        bad.get_data(as_text=True)
    )
    made = site.post("/admin/badges/new", BADGE_FORM, user=admin)
    assert made.status_code == 303 and made.location.endswith("/admin/badges/helper?done=created")
    page = site.get("/admin/badges/helper", user=admin)
    assert 'value="3, 6"' in page and "badge helper at answer.posted done &gt;= 3, 6" in page

    gk_activities.record("answer.posted", actor=ann)
    gk_activities.record("answer.posted", actor=ann)
    saved = site.post("/admin/badges/helper", {**BADGE_FORM, "thresholds": "2, 6"}, user=admin)
    assert saved.status_code == 303
    third = gk_activities.record("answer.posted", actor=ann)
    assert [(b.badge, b.level) for b in third.badges if b.badge == "helper"] == [("helper", 1)]

    listing = site.get("/admin/badges", user=admin)
    assert "helper" in listing and "plugin: tests.plugins.qa_rules" in listing
    read_only = site.get("/admin/badges/answerer", user=admin)
    assert "read-only here" in read_only and "<form" not in read_only.split("gk-main")[1]
    refused = site.post("/admin/badges/answerer", BADGE_FORM, user=admin)
    assert refused.status_code == 403

    archived = site.post("/admin/badges/helper/archive", {"reason": "retired"}, user=admin)
    assert archived.status_code == 303
    assert "(archived)" in site.get("/admin/badges/helper", user=admin)


def test_badge_images(site: Site, gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    site.post("/admin/badges/new", {**BADGE_FORM, "criterion": "manual"}, user=admin)
    generated = site.client.get(PREFIX + "/badge-images/helper")
    assert generated.mimetype == "image/svg+xml"
    assert b">H</text>" in generated.data and b'fill="#5f6b76"' in generated.data  # initials, silver (top tier)
    assert generated.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert generated.headers["X-Content-Type-Options"] == "nosniff"

    def upload(data: bytes, name: str) -> tuple[int, str]:
        with site.client.session_transaction() as session:
            token = session.setdefault("_guildkit_csrf", "tok")
        response = site.client.post(
            PREFIX + "/admin/badges/helper/image",
            data={"csrf_token": token, "image": (io.BytesIO(data), name)},
            headers={"X-User": admin},
            content_type="multipart/form-data",
        )
        return response.status_code, response.get_data(as_text=True)

    script = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    status, html = upload(script, "x.svg")
    assert status == 422 and "may not contain &lt;script&gt;" in html
    handler = b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>'
    assert "event handlers" in upload(handler, "x.svg")[1]
    outside = b'<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/x.svg#a"/></svg>'
    assert "only link inside" in upload(outside, "x.svg")[1]
    assert "must be a PNG, WebP or SVG" in upload(b"GIF89a....", "x.png")[1]  # the name says PNG; the bytes do not
    gk_app_config = site.client.application.config
    gk_app_config["GUILDKIT_BADGE_IMAGE_MAX_BYTES"] = 16
    assert "larger than" in upload(PNG, "x.png")[1]
    gk_app_config["GUILDKIT_BADGE_IMAGE_MAX_BYTES"] = 256 * 1024

    assert upload(PNG, "badge.png")[0] == 303
    served = site.client.get(PREFIX + "/badge-images/helper")
    assert (served.mimetype, served.data) == ("image/png", PNG)
    assert gk.admin.audit(action="badge.image")[0].details == {"type": "image/png", "bytes": len(PNG)}
    assert site.client.get(PREFIX + "/badge-images/centurion").status_code == 404  # secret, nobody holds it
    # The public pages show the images: the uploaded one, and a generated one for a plugin's badge.
    image = f'src="{PREFIX}/badge-images/helper"'
    assert image in site.get("/badges/helper") and image in site.get("/badges")
    assert f'src="{PREFIX}/badge-images/answerer"' in site.get("/badges")
    assert "badge-images/centurion" not in site.get("/badges")
    assert site.client.get(PREFIX + "/badge-images/answerer").mimetype == "image/svg+xml"


def test_award_and_revoke_forms_need_a_reason(site: Site, gk: GuildKit, gk_members: Members) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    form = {"what": "award", "user_id": ann, "points": "15", "point_type": "reputation", "reason": ""}
    missing = site.post("/admin/awards", form, user=admin)
    assert missing.status_code == 422 and 'id="gk-error-reason"' in missing.get_data(as_text=True)
    nobody = site.post("/admin/awards", {**form, "user_id": "nobody", "reason": "x"}, user=admin)
    assert "There is no member with this user id" in nobody.get_data(as_text=True)
    done = site.post("/admin/awards", {**form, "reason": "Helped at the meetup"}, user=admin)
    assert done.status_code == 303
    assert (gk.balance(ann, "reputation"), gk.ledger(ann)[0].reason) == (15, "Helped at the meetup")
    site.post(
        "/admin/awards", {"what": "award", "user_id": ann, "badge": "answerer", "level": "1", "reason": "r"}, user=admin
    )
    revoked = site.post(
        "/admin/awards", {"what": "revoke", "user_id": ann, "badge": "answerer", "reason": "oops"}, user=admin
    )
    assert revoked.status_code == 303 and gk.badges(ann) == []


def test_role_forms(site: Site, gk: GuildKit, gk_members: Members) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    page = site.get("/admin/roles", user=admin)
    assert "Moderator" in page and "built-in: guildkit.builtin.roles (read-only)" in page
    with site.client.session_transaction() as session:  # Site.post sends one value per field
        token = session.setdefault("_guildkit_csrf", "tok")
    made = site.client.post(
        PREFIX + "/admin/roles",
        data={
            "csrf_token": token,
            "slug": "curator",
            "name": "Curator",
            "permissions": ["members.read_private", "awards.manage"],
        },
        headers={"X-User": admin},
    )
    assert made.status_code == 303
    assert gk.registry.roles["curator"].permissions == ("awards.manage", "members.read_private")
    assert site.post("/admin/roles/curator/grant", {"user_id": ann, "reason": "helps"}, user=admin).status_code == 303
    assert gk.roles(ann) == ["curator"]
    assert site.post("/admin/roles/curator/revoke", {"user_id": ann, "reason": ""}, user=admin).status_code == 422
    assert site.post("/admin/roles/curator/revoke", {"user_id": ann, "reason": "done"}, user=admin).status_code == 303
    assert gk.roles(ann) == []


def test_tokens_page_shows_a_new_token_once(site: Site, gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    made = site.post("/admin/tokens", {"name": "ingest", "scopes": "activities.write"}, user=admin)
    html = made.get_data(as_text=True)
    [token] = [t.prefix for t in gk.tokens.list()]
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    assert "shown this once" in html and f'value="{token}' in html
    again = site.get("/admin/tokens", user=admin)
    assert "shown this once" not in again and f"{token}…" in again
    assert site.post("/admin/tokens", {"name": "", "scopes": "admin"}, user=admin).status_code == 422
    token_id = gk.tokens.list()[0].id
    assert site.post(f"/admin/tokens/{token_id}/revoke", {}, user=admin).status_code == 303
    assert gk.tokens.get(token_id).revoked_at is not None


def test_rules_plugins_and_audit_pages(site: Site, gk: GuildKit, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    site.post("/admin/badges/new", BADGE_FORM, user=admin)
    rules = site.get("/admin/rules", user=admin)
    assert "console:helper" in rules and "database: admin console" in rules
    assert "+10 reputation to the target on answer.upvoted" in rules
    # The console's badge made a new rule-set version, shown with what it changed.
    assert "v2 <strong>(in force)</strong>" in rules and "The first rules recorded" in rules
    assert "<li>badge helper added</li>" in rules and "<li>rule console:helper added</li>" in rules
    plugins = site.get("/admin/plugins", user=admin)
    assert "guildkit.admin" in plugins and "No hook failures." in plugins
    audit = site.get("/admin/audit?action=badge.create", user=admin)
    assert "badge:helper" in audit and "badge.create" in audit
    assert "No entries match." in site.get("/admin/audit?since=2030-01-01", user=admin)
    assert "badge:helper" in site.get("/admin/audit?since=2026-01-05&until=2026-01-05", user=admin)
    assert "must be a date" in site.get("/admin/audit?since=soon", user=admin, status=422)
    assert "Recent admin actions" in site.get("/admin", user=admin)
