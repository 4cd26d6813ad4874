"""One form machinery everywhere (issue 16, part 8): the moderation pages, the notification
settings, the event page's answer and check-in forms and the console's manual awards report every
bad field at once, keep what was typed and never send a huge input back; the older form macros
are gone. The manual award and revocation checks name every bad field in the API too.

Each page test posts several bad fields, one of them 5,000 characters long: the answer is a 422
(409 where the state no longer allows the form) whose summary links to every bad field, each
field marked invalid and described by its message, the typed values back in their fields (cut
at the field's limit) and nothing saved.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, Subject
from guildkit.errors import UnknownBadge, ValidationError
from guildkit.models import Activity
from guildkit.moderation.models import Report
from guildkit.testing import Clock, Members
from tests.events_helpers import make_event
from tests.test_forms import reported
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

#: A 5,000-character input, in a letter no page shows otherwise.
LETTER = "ж"
LONG = LETTER * 5000
SRC = Path(__file__).parents[1] / "src/guildkit"


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    return Api(mount(gk_app, gk))


def cut_at(html: str, limit: int) -> None:
    """The long input is never sent back whole: at most ``limit`` of its letters are on the page."""
    assert LONG not in html and html.count(LETTER) <= limit, html.count(LETTER)


def a_case(gk: GuildKit, reporter: str, offender: str, subject: str = "post:1") -> int:
    return int(gk.moderation.report(reporter, subject=subject, user_id=offender, category="harassment").case_id)


# -- moderation --------------------------------------------------------------------------------


def test_the_report_form_names_every_bad_field_and_keeps_the_comment(
    site: Site, gk: GuildKit, gk_members: Members
) -> None:
    ann, bob = gk_members("Ann"), gk_members("Bob")
    sent = site.post("/report", {"subject": "answer:1", "user": bob, "category": "rude", "comment": LONG}, user=ann)
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    reported(html, ["category", "comment"])
    assert "Pick the reason that fits best." in html and "it has 5,000" in html
    assert html.count(LETTER) == 2000  # kept in its field, cut at the comment's limit
    assert "<title>Error: Report" in html

    broken = site.post("/report", {"subject": LONG, "user": LONG, "category": "rude", "comment": "hi"}, user=ann)
    html = broken.get_data(as_text=True)
    assert broken.status_code == 422 and html.count(LETTER) == 0
    summary = html.split('id="gk-error-summary"', 1)[1].split("</div>", 1)[0]
    for field in ("subject", "user", "category"):
        assert f'href="#gk-{field}"' in summary
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_the_resolve_form_names_every_bad_field_at_once(site: Site, gk: GuildKit, gk_members: Members) -> None:
    mod, ann, bob = gk_members("Mo", roles=["moderator"]), gk_members("Ann"), gk_members("Bob")
    case_id = a_case(gk, ann, bob)
    path = f"/moderation/cases/{case_id}/resolve"
    sent = site.post(path, {"action": "shout", "reason": LONG, "hours": "lots"}, user=mod)
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    reported(html, ["reason", "action", "hours"])
    assert "Give a reason of at most 2,000 characters." in html and "Pick one of the actions." in html
    assert "Pick how long it lasts." in html
    assert html.count(LETTER) == 2000  # the reason kept, cut at its limit
    assert "shout" not in html.split('id="gk-error-summary"', 1)[1].split("</div>", 1)[0]

    mute = site.post(path, {"action": "mute", "reason": "", "hours": ""}, user=mod)
    reported(mute.get_data(as_text=True), ["reason", "hours"])
    assert "a mute needs a period" in mute.get_data(as_text=True)
    assert gk.moderation.case(mod, case_id).status == "open"


def test_the_note_and_mediation_forms_keep_what_was_typed(site: Site, gk: GuildKit, gk_members: Members) -> None:
    mod, ann, bob = gk_members("Mo", roles=["moderator"]), gk_members("Ann"), gk_members("Bob")
    case_id = a_case(gk, ann, bob)
    note = site.post(f"/moderation/cases/{case_id}/notes", {"body": LONG}, user=mod)
    html = note.get_data(as_text=True)
    assert note.status_code == 422
    reported(html, ["body"])
    assert html.count(LETTER) == 2000
    assert 'value="24" selected' in html  # the resolve form below shows its first choice
    assert gk.moderation.case(mod, case_id).notes == []

    started = gk.moderation.start_mediation(mod, case_id)
    path = f"/mediations/{started.id}"
    said = site.post(f"{path}/statements", {"body": LONG}, user=ann)
    html = said.get_data(as_text=True)
    assert said.status_code == 422
    reported(html, ["body"])
    cut_at(html, 2000)
    agreed = site.post(f"{path}/agree", {"outcome": "  "}, user=mod)
    reported(agreed.get_data(as_text=True), ["outcome"])
    assert gk.moderation.mediation(mod, started.id).statements == []

    gk.moderation.agree(mod, started.id, outcome="apology")
    late = site.post(f"{path}/statements", {"body": "a late word"}, user=ann)
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "This mediation is already closed." in html


def test_the_appeal_forms_name_every_bad_field(site: Site, gk: GuildKit, gk_members: Members) -> None:
    mod, judge, ann, bob = (gk_members(roles=["moderator"]), gk_members(roles=["moderator"]), gk_members(),
                            gk_members())  # fmt: skip
    gk.moderation.resolve(mod, a_case(gk, ann, bob), action="ban", reason="abuse")
    [sanction] = gk.moderation.sanctions(bob)
    forged = site.post("/sanctions/appeal", {"sanction_id": "x1", "statement": LONG}, user=bob)
    html = forged.get_data(as_text=True)
    assert forged.status_code == 422
    summary = html.split('id="gk-error-summary"', 1)[1].split("</div>", 1)[0]
    assert "This appeal form is broken: reload the page." in summary
    assert "Write why you appeal, at most 2,000 characters." in summary
    cut_at(html, 2000)
    long = site.post("/sanctions/appeal", {"sanction_id": str(sanction.id), "statement": LONG}, user=bob)
    html = long.get_data(as_text=True)
    assert long.status_code == 422
    reported(html, ["statement"], scope=f"s{sanction.id}-")
    assert html.count(LETTER) == 2000 and "Appeal this ban" in html  # kept in its own form, under its label
    assert gk.moderation.appeals(mod) == []

    appeal = gk.moderation.appeal(bob, statement="sorry", sanction_id=sanction.id)
    decided = site.post(f"/moderation/appeals/{appeal.id}/decide", {"decision": "pardon", "reason": LONG}, user=judge)
    html = decided.get_data(as_text=True)
    assert decided.status_code == 422
    reported(html, ["decision", "reason"])
    assert html.count(LETTER) == 2000
    assert gk.moderation.get_appeal(judge, appeal.id).state == "pending"


def test_the_public_log_names_both_bad_dates(site: Site) -> None:
    shown = site.client.get("/community/moderation/log", query_string={"start": "never", "end": LONG})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 422
    reported(html, ["start", "end"])
    assert 'value="never"' in html
    cut_at(html, 32)


def test_the_queue_names_a_reported_member_as_the_one_it_is_about(
    site: Site, gk: GuildKit, gk_members: Members
) -> None:
    mod, ann, bob, cy = (gk_members("Mo", roles=["moderator"]), gk_members("Ann"), gk_members("Bob Writer"),
                         gk_members("Cy Quiet"))  # fmt: skip

    @gk.subject_loader
    def load(keys: list[str]) -> dict[str, Subject]:
        titles = {f"member:{bob}": "Bob Writer", "answer:9": "How do I cache a join?"}
        return {key: Subject(titles[key], "/x") for key in keys if key in titles}

    about_bob, about_cy = a_case(gk, ann, bob, subject=f"member:{bob}"), a_case(gk, ann, cy, subject=f"member:{cy}")
    titled, untitled = a_case(gk, ann, bob, subject="answer:9"), a_case(gk, ann, bob, subject="answer:10")
    queue = " ".join(site.get("/moderation", user=mod).split())
    assert f"Member · case #{about_bob}" in queue and "Member by" not in queue  # titled by the host
    assert f"About Cy Quiet · case #{about_cy}" in queue  # no title from the host: named
    assert f"Answer by Bob Writer · case #{titled}" in queue and f"By Bob Writer · case #{untitled}" in queue


# -- notification settings and the event page -------------------------------------------------


def test_the_settings_form_names_every_refused_kind(site: Site, gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    typed = {"kind.level_up": "digest", "kind.status": "off", "kind.badge_awarded": LONG, "kind.role_granted": "loud"}
    refused = site.post("/notifications/settings", typed, user=ann)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    reported(html, ["kind-badge_awarded", "kind-role_granted", "kind-status"])
    assert "“Your membership is suspended, banned or restored” cannot be switched off" in html
    assert "For “You earn a badge”, choose one of the ways offered." in html
    level_up = html.split('id="gk-kind-level_up"', 1)[1].split("</select>", 1)[0]
    assert 'value="digest" selected' in level_up  # what was chosen is kept
    cut_at(html, 0)
    assert gk.notifier.preferences(ann).delivery("level_up") == "app"  # nothing written


def test_the_event_forms_keep_what_was_typed(site: Site, gk: GuildKit, gk_clock: Clock) -> None:
    gk.join("ann", name="Ann")
    gk.join("bob", name="Bob")
    event = make_event(gk, by="ann")
    answered = site.post(f"/events/{event.id}/rsvp", {"status": LONG}, user="bob")
    html = answered.get_data(as_text=True)
    assert answered.status_code == 422
    reported(html, ["status"])
    cut_at(html, 0)
    gk.events.rsvp(event.id, "bob", "going")
    gk.events.new_checkin_code(event.id, "ann")
    gk_clock.set(event.starts_at - timedelta(minutes=5))
    checked = site.post(f"/events/{event.id}/check-in", {"code": LONG}, user="bob")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 422
    reported(html, ["code"])
    cut_at(html, 32)


def test_the_old_form_macros_are_gone() -> None:
    macros = (SRC / "web/templates/guildkit/_macros.html").read_text()
    assert "field_error" not in macros and "error_summary" not in macros and "macro invalid" not in macros
    for template in SRC.rglob("*.html"):
        text = template.read_text()
        assert "field_error" not in text, template
        assert 'from "guildkit/_macros.html" import error_summary' not in text, template


# -- manual awards and revocations -----------------------------------------------------------------


def test_a_manual_award_names_every_bad_field(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    with pytest.raises(ValidationError) as raised:
        gk.award(ann, reason=" ", badge="nope", level=0, points=5)
    assert set(raised.value.errors) == {"reason", "badge", "level", "point_type"}
    assert "nope" not in str(raised.value.errors)
    with pytest.raises(ValidationError) as raised:
        gk.revoke(ann, reason="", badge="answerer", level=9, role="king")
    assert set(raised.value.errors) == {"reason", "level", "role"}
    with pytest.raises(UnknownBadge):  # alone, an unknown name is still its own error
        gk.award(ann, reason="x", badge="nope")
    manual = (
        sa.select(sa.func.count()).select_from(Activity).where(Activity.type.in_(("guildkit.award", "guildkit.revoke")))
    )
    assert gk.session.scalar(manual) == 0 and gk.badges(ann) == []
    result = gk.award(ann, reason="Great talk", badge="answerer", level=2, points=5, point_type="reputation")
    assert result.points_for(ann) == 5 and [(a.badge_slug, a.level) for a in gk.badges(ann)] == [("answerer", 2)]


def test_the_award_forms_name_every_bad_field(site: Site, gk: GuildKit, gk_members: Members) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    typed = {"what": "award", "user_id": ann, "points": "5", "badge": "nope", "level": "0", "reason": ""}
    sent = site.post("/admin/awards", typed, user=admin)
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    reported(html, ["point_type", "badge", "level", "reason"])
    assert f'value="{ann}"' in html and 'value="5"' in html and 'value="0"' in html
    revoke = {"what": "revoke", "user_id": LONG, "badge": "nope", "level": "0", "role": "king", "reason": ""}
    sent = site.post("/admin/awards", revoke, user=admin)
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    reported(html, ["user_id", "badge", "level", "role", "reason"], scope="revoke-")
    cut_at(html, 191)
    assert gk.balance(ann, "reputation") == 0 and gk.badges(ann) == []


def test_the_award_apis_name_every_bad_field(api: Api, gk: GuildKit, gk_members: Members) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    for path in ("/admin/awards", "/awards"):
        # The schema refuses the reason and the level; the badge nobody registered is named with them.
        body = problem(api.call("POST", path, user=admin, body={"user_id": ann, "reason": "", "badge": "nope",
                                                                 "level": 0}), 422)  # fmt: skip
        assert {"reason", "badge", "level"} <= set(body["errors"]), body
        # Every field the schema accepts but the service refuses, at once.
        body = problem(api.call("POST", path, user=admin, body={"user_id": ann, "reason": " ", "badge": "answerer",
                                                                 "level": 9, "role": "king"}), 422)  # fmt: skip
        assert set(body["errors"]) == {"reason", "level", "role"}, body
        body = problem(api.call("POST", path, user=admin, body={"user_id": LONG[:191], "reason": "", "points": 5}), 422)
        assert {"user_id", "reason", "point_type"} <= set(body["errors"]) and LETTER not in str(body)
        unknown = problem(
            api.call("POST", path, user=admin, body={"user_id": ann, "reason": "x", "badge": "nope"}), 404
        )
        assert unknown["code"] == "unknown_badge"  # alone, still the 404 of an unknown name
    for path in ("/admin/revocations", "/awards/revoke"):
        body = problem(api.call("POST", path, user=admin, body={"user_id": ann, "reason": "", "badge": "nope",
                                                                 "level": 0, "role": "king"}), 422)  # fmt: skip
        assert {"reason", "badge", "level", "role"} <= set(body["errors"]), body
        # A field the schema refused is not reported again as missing ("a level needs a badge").
        body = problem(api.call("POST", path, user=admin, body={"user_id": ann, "reason": "x", "badge": "b" * 150,
                                                                 "level": 2}), 422)  # fmt: skip
        assert set(body["errors"]) == {"badge"}, body
    assert gk.badges(ann) == [] and gk.balance(ann, "reputation") == 0
    done = api.ok("POST", "/admin/awards", status=201, user=admin,
                  body={"user_id": ann, "reason": "Great talk", "badge": "answerer", "level": 2})  # fmt: skip
    assert done["type"] == "guildkit.award" and [(a.badge_slug, a.level) for a in gk.badges(ann)] == [("answerer", 2)]


def test_the_resolve_api_names_every_bad_field(api: Api, gk: GuildKit, gk_members: Members) -> None:
    mod, ann, bob = gk_members(roles=["moderator"]), gk_members(), gk_members()
    case_id = a_case(gk, ann, bob)
    body = problem(api.call("POST", f"/moderation/cases/{case_id}/resolve", user=mod,
                            body={"action": "revoke_badge", "reason": "  "}), 422)  # fmt: skip
    assert set(body["errors"]) == {"reason", "badge"}
