"""Moderation pages people can use: the reported content titled and linked (or in general words), members
by name, the reported member's record, actions picked from lists, every state and action in words, and a
report form that takes what to report from the host's link and reports every problem at once."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import BadgeDef, GuildKit, Subject
from guildkit.models import Activity, HookFailure
from guildkit.moderation.models import Report
from guildkit.testing import Clock, Members
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

QUESTION = "question:162"
TITLE = "How do I cache a join?"
EMOJI = "\N{GRINNING FACE}"
TEMPLATES = Path(__file__).parents[1] / "src/guildkit/moderation/templates/guildkit/moderation"
#: Internal names no moderator or member should read outside the developer details (their words are
#: capitalized or different: "Dismiss the report", "Open", "Off-topic").
RAW_NAMES = ("dismiss", "revoke_badge", "retract", "warn", "suspend", "off-topic", "open", "pending", "other")


@pytest.fixture
def client(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


@pytest.fixture
def titles(gk: GuildKit) -> list[list[str]]:
    """The host's subject loader knows question 162; each call's keys are kept."""
    asked: list[list[str]] = []

    @gk.subject_loader
    def load(keys: list[str]) -> dict[str, Subject]:
        asked.append(keys)
        return {key: Subject(TITLE, "/questions/162") for key in keys if key == QUESTION}

    return asked


def visible(page: str) -> str:
    """The words a person reads: no markup, attribute values or developer details."""
    page = re.sub(r'<details class="gk-dev">.*?</details>', "", page, flags=re.S)
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[\w:-]+", text))


def no_internals(page: str, *internals: str) -> None:
    seen = visible(page)
    for internal in internals:
        assert internal not in seen, f"{internal!r} is shown: {seen}"
    raw = words_of(seen) & set(RAW_NAMES)
    assert not raw, f"raw names shown: {raw}"
    assert "member:" not in seen


def people(gk_members: Members) -> tuple[str, str, str]:
    return gk_members("Mo Moderator", roles=["moderator"]), gk_members("Ann Reader"), gk_members("Bob Writer")


def test_the_case_and_queue_show_the_reported_content_titled_and_linked(
    client: Site, gk: GuildKit, gk_members: Members, titles: list[list[str]]
) -> None:
    mod, ann, bob = people(gk_members)
    report = gk.moderation.report(ann, subject=QUESTION, user_id=bob, category="harassment", comment="rude")
    queue = client.get("/moderation", user=mod)
    row = " ".join(visible(queue.split("<tbody>", 1)[1].split("</tbody>", 1)[0]).split())
    assert f"{TITLE} Question by Bob Writer · case #1" in row and "Open Opened Jan 5, 2026 · nobody assigned" in row
    no_internals(queue, QUESTION, bob, ann)
    assert titles == [[QUESTION]]  # one batched resolve for the page

    page = client.get(f"/moderation/cases/{report.case_id}", user=mod)
    assert f'<a href="/questions/162">{TITLE}</a>' in page
    assert "(Question)" in page and "Bob Writer" in page and "Ann Reader" in page and "Harassment" in page
    no_internals(page, QUESTION, bob, ann, mod)
    developer = page.split('<details class="gk-dev">', 1)[1]
    assert QUESTION in developer and bob in developer  # kept for developers, collapsed


def test_an_unresolved_subject_and_a_failing_resolver_read_in_general_words(
    client: Site, gk: GuildKit, gk_members: Members
) -> None:
    mod, ann, bob = people(gk_members)
    unknown = gk.moderation.report(ann, subject="answer:9", user_id=bob, category="spam").case_id
    page = client.get(f"/moderation/cases/{unknown}", user=mod)
    assert "Case #1: An answer by Bob Writer" in page and "the site did not say its title" in page
    no_internals(page, "answer:9", bob)

    @gk.subject_loader
    def broken(keys: list[str]) -> dict[str, Subject]:
        raise RuntimeError("the titles service is down")

    case_id = gk.moderation.report(ann, subject=QUESTION, user_id=bob, category="spam").case_id
    page = client.get(f"/moderation/cases/{case_id}", user=mod)
    assert "A question by Bob Writer" in page and TITLE not in page
    no_internals(page, QUESTION)
    assert "A question" in client.get("/moderation", user=mod)
    failures = gk.session.scalars(sa.select(HookFailure.error)).all()
    assert any("titles service is down" in f for f in failures)
    # A key with no plain kind is never echoed, not even as its kind.
    odd = gk.moderation.report(ann, subject=EMOJI * 40 + ":1", user_id=bob, category="spam").case_id
    assert EMOJI not in visible(client.get(f"/moderation/cases/{odd}", user=mod))


def test_the_case_shows_the_members_record_in_words(
    client: Site, gk: GuildKit, gk_members: Members, gk_clock: Clock, titles: list[list[str]]
) -> None:
    mod, ann, bob = people(gk_members)
    cat = gk_members("Cat Other")
    earlier = gk.moderation.report(cat, subject="answer:1", user_id=bob, category="spam").case_id
    gk.moderation.resolve(mod, earlier, action="warn", reason="no more ads")
    gk_clock.advance(days=92)
    gk.trust.set_level(bob, 2, reason="the test's regular")
    case_id = gk.moderation.report(ann, subject=QUESTION, user_id=bob, category="other").case_id
    page = client.get(f"/moderation/cases/{case_id}", user=mod)
    about = page.split("<h2>About Bob Writer</h2>", 1)[1].split("<h2>Private notes</h2>", 1)[0]
    text = " ".join(visible(about).split())
    assert "Joined 3 months ago" in text and "Jan 5, 2026" in text
    assert "Trust level 2: Member" in text and "Account Active" in text
    assert "Warning" in text and "no more ads" in text
    assert "Other cases about them 1, with 1 report" in text
    assert f'href="/community/moderation/cases/{earlier}"' in about and "Resolved: Warning" in text
    record = gk.moderation.member_record(mod, bob, case_id=case_id)
    assert (record.trust_level, record.other_case_count, [a.kind for a in record.actions]) == (2, 1, ["warn"])


def test_actions_pick_badges_and_activities_by_name_and_submit(
    client: Site, gk: GuildKit, gk_members: Members, titles: list[list[str]]
) -> None:
    mod, ann, bob = people(gk_members)
    gk.define(badges=[BadgeDef("helpful-hand", "Helpful Hand")])
    gk.award(bob, badge="helpful-hand", reason="helped", key="award-1")
    gk.record("answer.posted", actor=bob, subject=QUESTION, key="post-7")
    gk.record("answer.posted", actor=bob, subject="answer:3", key="post-8")
    case_id = gk.moderation.report(ann, subject=QUESTION, user_id=bob, category="spam").case_id
    page = client.get(f"/moderation/cases/{case_id}", user=mod)
    badge = page.split('id="gk-badge"', 1)[1].split("</select>", 1)[0]
    assert '<option value="helpful-hand">Helpful Hand</option>' in badge
    activities = page.split('id="gk-activity_key"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', activities)
    assert [value for value, _ in options] == ["post-7", "post-8"]  # the reported content's first
    assert TITLE in options[0][1] and "(the reported content)" in options[0][1]
    assert "post-7" not in options[0][1] and QUESTION not in options[0][1]
    assert 'name="action" value="revoke_badge">Take back the badge</button>' in page
    no_internals(page, "helpful-hand", "post-7", "answer:3")

    done = client.post(
        f"/moderation/cases/{case_id}/resolve", {"action": "revoke_badge", "reason": "bought", "badge": "helpful-hand"},
        user=mod,
    )  # fmt: skip
    assert done.status_code == 303
    assert [a for a in gk.badges(bob) if a.badge_slug == "helpful-hand"] == []
    resolved = client.get(f"/moderation/cases/{case_id}?done=resolve", user=mod)
    assert "The case is resolved." in resolved and "Badge taken back" in resolved

    second = gk.moderation.report(ann, subject="answer:3", user_id=bob, category="spam").case_id
    data = {"action": "retract", "reason": "spam answer", "activity_key": "post-8"}
    assert client.post(f"/moderation/cases/{second}/resolve", data, user=mod).status_code == 303
    assert gk.session.scalar(sa.select(Activity.retracted_at).where(Activity.key == "post-8")) is not None


def test_resolve_problems_name_the_field_in_words(client: Site, gk: GuildKit, gk_members: Members) -> None:
    mod, ann, bob = people(gk_members)
    case_id = gk.moderation.report(ann, subject="answer:1", user_id=bob, category="spam").case_id
    path = f"/moderation/cases/{case_id}/resolve"
    mute = client.post(path, {"action": "mute", "reason": "calm down", "hours": ""}, user=mod)
    text = mute.get_data(as_text=True)
    assert mute.status_code == 422 and "How long" in text and "a mute needs a period" in text
    assert ">calm down</textarea>" in text  # the reason is kept
    unknown = client.post(path, {"action": "retract", "reason": "x", "activity_key": EMOJI * 150}, user=mod)
    assert unknown.status_code == 422 and "That activity no longer exists" in unknown.get_data(as_text=True)
    assert EMOJI not in visible(unknown.get_data(as_text=True))
    assert gk.moderation.case(mod, case_id).status == "open"


def test_every_moderation_template_shows_states_and_actions_through_the_one_mapping() -> None:
    raw = re.compile(r"\{\{\s*[\w.]+\.(kind|state|status|action|category|role)\s*\}\}")
    for template in sorted(TEMPLATES.glob("*.html")):
        text = re.sub(r'<details class="gk-dev">.*?</details>', "", template.read_text(), flags=re.S)
        assert not raw.search(text), f"{template.name}: {raw.search(text)}"


# -- the report form -------------------------------------------------------------------------


def test_the_report_form_shows_what_is_reported_from_the_link(
    client: Site, gk: GuildKit, gk_members: Members, titles: list[list[str]]
) -> None:
    _, ann, bob = people(gk_members)
    form = client.get(f"/report?subject={QUESTION}&user={bob}", user=ann)
    assert f'<a href="/questions/162">{TITLE}</a>' in form and "Written by" in form and "Bob Writer" in form
    assert 'type="radio"' in form and "Harassment" in form and "Something else" in form
    no_internals(form, QUESTION, bob)
    sent = client.post("/report", {"subject": QUESTION, "user": bob, "category": "off-topic", "comment": ""}, user=ann)
    assert sent.status_code == 200 and f"Your report about “{TITLE}”" in sent.get_data(as_text=True)
    assert gk.session.scalar(sa.select(Report.category)) == "off-topic"

    missing = client.client.get("/community/report", headers={"X-User": ann})
    assert missing.status_code == 400 and "Use the <strong>Report</strong> link" in missing.get_data(as_text=True)
    mine = client.client.get(f"/community/report?subject=answer:1&user={ann}", headers={"X-User": ann})
    assert mine.status_code == 400 and "you cannot report yourself" in mine.get_data(as_text=True)


def test_the_report_form_reports_every_problem_at_once_and_keeps_what_was_typed(
    client: Site, gk: GuildKit, gk_members: Members
) -> None:
    _, ann, bob = people(gk_members)
    long_comment = "Too long. " + "x" * 2100
    bad = client.post(
        "/report", {"subject": "answer:1", "user": bob, "category": "rude", "comment": long_comment}, user=ann
    )
    text = bad.get_data(as_text=True)
    summary = text.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert bad.status_code == 422
    assert '<a href="#gk-category">Pick the reason' in summary  # each message links to its field
    assert '<a href="#gk-comment">The comment can be at most 2,000 characters; it has 2,110' in summary
    assert "Too long. xxxx" in text and "x" * 2100 not in text  # kept, cut to the limit
    assert 'aria-describedby="gk-error-comment"' in text and 'id="gk-error-category"' in text

    huge = EMOJI * 600
    echoed = client.post("/report", {"subject": huge, "user": huge, "category": "", "comment": "hi"}, user=ann)
    page = echoed.get_data(as_text=True)
    assert echoed.status_code == 422 and EMOJI not in page
    summary = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#gk-subject">This report link is incomplete' in summary
    assert '<a href="#gk-user">This report link does not say who wrote it' in summary
    assert '<a href="#gk-category">Pick the reason' in summary
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0  # nothing written

    data = {"subject": "answer:1", "user": bob, "category": "spam", "comment": EMOJI * 600}
    assert client.post("/report", data, user=ann).status_code == 200  # 600 characters fit in a comment
    again = client.post("/report", data, user=ann)
    assert again.status_code == 422 and "You already reported this" in again.get_data(as_text=True)
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1


def test_the_report_api_names_every_bad_field_without_echoing(gk_app: Flask, gk: GuildKit, gk_members: Members) -> None:
    api = Api(mount(gk_app, gk))
    ann = gk_members("Ann Reader")
    huge = EMOJI * 600
    body = problem(api.call("POST", "/reports", user=ann, body={"subject": huge, "user_id": "x", "category": "?"}), 422)
    assert {"subject", "category"} <= set(body["errors"]) and EMOJI not in str(body)
    missing = problem(
        api.call("POST", "/reports", user=ann, body={"subject": "a:1", "user_id": EMOJI * 150, "category": "spam"}), 404
    )
    assert "user_id" in missing["errors"] and EMOJI not in str(missing)
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_a_report_about_a_member_names_them_as_the_member_not_as_a_writer(
    client: Site, gk: GuildKit, gk_members: Members, titles: list[list[str]]
) -> None:
    mod, ann, bob = people(gk_members)
    about_bob = gk.moderation.report(ann, subject=f"member:{bob}", user_id=bob, category="harassment", comment="rude")
    text = visible(client.get(f"/moderation/cases/{about_bob.case_id}", user=mod))
    assert "Member Bob" in " ".join(text.split()) and "Written by" not in text
    about_a_question = gk.moderation.report(ann, subject=QUESTION, user_id=bob, category="spam", comment="ads")
    assert "Written by" in visible(client.get(f"/moderation/cases/{about_a_question.case_id}", user=mod))
