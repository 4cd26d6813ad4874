"""The moderation service: reports group into cases (also under concurrent reports), the queue's order,
every resolution and its effect on earning and access, the audit log, and who may see what."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import MemberInactive, NotAllowed, UnknownBadge, ValidationError
from guildkit.models import Notification
from guildkit.moderation.errors import UnknownCase
from guildkit.moderation.models import ModerationCase
from guildkit.testing import Clock, Members

PRIVILEGES = {"GUILDKIT_PRIVILEGES": {"post": {"trust_level": 0}}}


def reputation(gk: GuildKit, user: str) -> int:
    return gk.balances(user).get("reputation", 0)


def reported(gk: GuildKit, members: Members, category: str = "spam", subject: str = "answer:1") -> tuple[str, int]:
    """A reported member and the case about them."""
    offender, reporter = members(), members()
    return offender, gk.moderation.report(reporter, subject=subject, user_id=offender, category=category).case_id


def test_reports_group_into_one_open_case(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    mod, offender, ann, bob = gk_members(roles=["moderator"]), gk_members(), gk_members(), gk_members()
    first = gk.moderation.report(ann, subject="answer:42", user_id=offender, category="spam", comment="ads")
    second = gk.moderation.report(bob, subject="answer:42", user_id=offender, category="harassment")
    assert first.case_id == second.case_id
    case = gk.moderation.case(mod, first.case_id)
    assert (case.subject, case.user_id, case.status, case.report_count, case.severity) == (
        "answer:42",
        offender,
        "open",
        2,
        4,  # spam 1 + harassment 3
    )
    assert [(r.reporter, r.category, r.comment) for r in case.reports] == [
        (ann, "spam", "ads"),
        (bob, "harassment", ""),
    ]
    with pytest.raises(ValidationError) as raised:
        gk.moderation.report(ann, subject="answer:42", user_id=offender, category="other")
    assert raised.value.field == "subject"  # once per subject
    with pytest.raises(ValidationError) as raised:
        gk.moderation.report(ann, subject="answer:7", user_id=ann, category="spam")
    assert raised.value.field == "user_id"  # not yourself
    cases: list[tuple[dict[str, Any], str]] = [
        ({"category": "rude"}, "category"),
        ({"subject": ""}, "subject"),
        ({"comment": 5}, "comment"),
    ]
    for bad, field in cases:
        args: dict[str, Any] = {"subject": "answer:9", "user_id": offender, "category": "spam", **bad}
        with pytest.raises(ValidationError) as raised:
            gk.moderation.report(bob, **args)
        assert raised.value.field == field

    gk.moderation.resolve(mod, first.case_id, action="dismiss", reason="not spam")
    carl = gk_members()
    later = gk.moderation.report(carl, subject="answer:42", user_id=offender, category="spam")
    assert later.case_id != first.case_id  # a resolved case stays closed: a new report opens a new one


def test_inactive_members_cannot_report(gk: GuildKit, gk_members: Members) -> None:
    ann, bob = gk_members(), gk_members()
    gk.set_status(ann, "suspended", reason="spam")
    with pytest.raises(MemberInactive):
        gk.moderation.report(ann, subject="answer:1", user_id=bob, category="spam")


def test_queue_orders_by_severity_then_age(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    mod = gk_members(roles=["moderator"])
    _, old = reported(gk, gk_members, "spam", "answer:1")
    gk_clock.advance(hours=1)
    _, newer = reported(gk, gk_members, "spam", "answer:2")
    gk_clock.advance(hours=1)
    _, harsh = reported(gk, gk_members, "harassment", "answer:3")
    assert [c.id for c in gk.moderation.queue(mod)] == [harsh, old, newer]
    with pytest.raises(NotAllowed):
        gk.moderation.queue(gk_members())


def test_members_cannot_see_cases_reports_or_notes(gk: GuildKit, gk_members: Members) -> None:
    mod = gk_members(roles=["moderator"])
    offender, case_id = reported(gk, gk_members)
    gk.moderation.add_note(mod, case_id, "looks like a bot")
    for who in (offender, gk_members()):
        with pytest.raises(NotAllowed):
            gk.moderation.case(who, case_id)
        with pytest.raises(NotAllowed):
            gk.moderation.add_note(who, case_id, "me too")
        with pytest.raises(NotAllowed):
            gk.moderation.audit(who)
        with pytest.raises(NotAllowed):
            gk.moderation.resolve(who, case_id, action="dismiss", reason="x")
    assert [n.body for n in gk.moderation.case(mod, case_id).notes] == ["looks like a bot"]
    with pytest.raises(UnknownCase):
        gk.moderation.case(mod, 999)


def test_a_moderator_cannot_moderate_themself(gk: GuildKit, gk_members: Members) -> None:
    mod, ann = gk_members(roles=["moderator"]), gk_members()
    case_id = gk.moderation.report(ann, subject="answer:5", user_id=mod, category="spam").case_id
    for act in (
        lambda: gk.moderation.assign(mod, case_id),
        lambda: gk.moderation.add_note(mod, case_id, "fine"),
        lambda: gk.moderation.resolve(mod, case_id, action="dismiss", reason="mine"),
    ):
        with pytest.raises(NotAllowed):
            act()
    assert gk.moderation.case(None, case_id).status == "open"


def test_assign_notes_and_the_audit_log(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    mod = gk_members(roles=["moderator"])
    offender, case_id = reported(gk, gk_members)
    assert gk.moderation.assign(mod, case_id).assigned_to == mod
    note = gk.moderation.add_note(mod, case_id, "first offence")
    case = gk.moderation.resolve(mod, case_id, action="warn", reason="please stop")
    assert (case.status, case.action, case.reason, case.resolved_by, case.resolved_at) == (
        "resolved",
        "warn",
        "please stop",
        mod,
        gk_clock.now,
    )
    log = gk.moderation.audit(mod)
    assert [(e.actor, e.action, e.target, e.case_id, e.reason) for e in log] == [
        (mod, "warn", offender, case_id, "please stop"),
        (mod, "note", offender, case_id, ""),
        (mod, "assign", offender, case_id, ""),
    ]
    assert log[1].details == {"note_id": note.id}
    with pytest.raises(ValidationError) as raised:
        gk.moderation.resolve(mod, case_id, action="dismiss", reason="again")
    assert raised.value.field == "case_id"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"action": "shout", "reason": "x"}, "action"),
        ({"action": "warn", "reason": ""}, "reason"),
        ({"action": "mute", "reason": "x"}, "hours"),
        ({"action": "mute", "reason": "x", "hours": 0}, "hours"),
        ({"action": "revoke_badge", "reason": "x"}, "badge"),
        ({"action": "retract", "reason": "x"}, "activity_key"),
    ],
)
def test_resolve_names_the_bad_field(gk: GuildKit, gk_members: Members, args: dict[str, object], field: str) -> None:
    _, case_id = reported(gk, gk_members)
    with pytest.raises(ValidationError) as raised:
        gk.moderation.resolve(None, case_id, **args)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert gk.moderation.audit(None) == []


def test_warning_is_visible_to_the_member(gk: GuildKit, gk_members: Members) -> None:
    mod = gk_members(roles=["moderator"])
    offender, case_id = reported(gk, gk_members)
    gk.moderation.resolve(mod, case_id, action="warn", reason="no ads")
    [warning] = gk.moderation.sanctions(offender)
    assert (warning.kind, warning.reason, warning.active, warning.case_id) == ("warn", "no ads", False, case_id)
    texts = gk.session.scalars(sa.select(Notification.text).where(Notification.kind == "moderation.warn")).all()
    assert texts == ["You received a warning: no ads"]
    assert gk.member(offender).status == "active"


@pytest.mark.parametrize("gk_config", [PRIVILEGES])
def test_mute_denies_every_privilege_until_it_ends(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    offender, case_id = reported(gk, gk_members)
    assert gk.can(offender, "post") is True
    gk.moderation.resolve(None, case_id, action="mute", reason="cool off", hours=24)
    assert gk.can(offender, "post") is False
    assert gk.moderation.muted_until(offender) is not None
    [mute] = gk.moderation.sanctions(offender)
    assert (mute.kind, mute.active, mute.until) == ("mute", True, gk_clock.now + timedelta(hours=24))
    gk_clock.advance(hours=25)
    assert gk.can(offender, "post") is True  # ended: checked when asked, no sweep needed
    assert gk.moderation.sanctions(offender)[0].active is False


def test_suspension_stops_earning_and_the_sweep_lifts_it(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    mod = gk_members(roles=["moderator"])
    offender, case_id = reported(gk, gk_members)
    gk.moderation.resolve(mod, case_id, action="suspend", reason="spam wave", hours=48)
    assert gk.member(offender).status == "suspended"
    gk.record("answer.upvoted", actor="bob", target=offender, key="v1")
    assert reputation(gk, offender) == 0  # suspended members earn nothing
    assert gk.moderation.sweep() == []  # not over yet
    gk_clock.advance(hours=49)
    assert gk.moderation.sweep() == [offender]
    assert gk.member(offender).status == "active"
    assert gk.moderation.sweep() == []
    gk.record("answer.upvoted", actor="bob", target=offender, key="v2")
    assert reputation(gk, offender) == 10
    assert [e.action for e in gk.moderation.audit(mod)] == ["lift", "suspend"]


def test_ban_outlasts_an_ended_suspension(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    offender, case_id = reported(gk, gk_members, subject="answer:1")
    gk.moderation.resolve(None, case_id, action="suspend", reason="first", hours=1)
    other = gk.moderation.report(gk_members(), subject="answer:2", user_id=offender, category="spam").case_id
    gk.moderation.resolve(None, other, action="ban", reason="again")
    assert gk.member(offender).status == "banned"
    gk_clock.advance(hours=2)
    assert gk.moderation.sweep() == []
    assert gk.member(offender).status == "banned"
    assert [(s.kind, s.active) for s in gk.moderation.sanctions(offender)] == [("ban", True), ("suspend", False)]


def test_revoke_a_badge_and_retract_an_activity(gk: GuildKit, gk_members: Members) -> None:
    offender, case_id = reported(gk, gk_members, subject="answer:1")
    gk.record("answer.posted", actor=offender, key="p1")
    gk.record("answer.upvoted", actor="bob", target=offender, key="v1")
    assert "first-answer" in {a.badge_slug for a in gk.badges(offender)}
    assert reputation(gk, offender) == 10
    with pytest.raises(UnknownBadge):
        gk.moderation.resolve(None, case_id, action="revoke_badge", reason="x", badge="nope")
    gk.moderation.resolve(None, case_id, action="revoke_badge", reason="gamed", badge="first-answer")
    assert "first-answer" not in {a.badge_slug for a in gk.badges(offender)}

    other = gk.moderation.report(gk_members(), subject="answer:2", user_id=offender, category="spam").case_id
    gk.record("answer.upvoted", actor="carl", target="dora", key="unrelated")
    with pytest.raises(ValidationError) as raised:
        gk.moderation.resolve(None, other, action="retract", reason="x", activity_key="unrelated")
    assert raised.value.field == "activity_key"
    before = reputation(gk, offender)
    gk.moderation.resolve(None, other, action="retract", reason="vote ring", activity_key="v1")
    assert reputation(gk, offender) < before
    assert gk.ledger(offender)[0].reason.startswith("retracted: vote ring")
    assert [(e.action, e.details) for e in gk.moderation.audit(None)] == [
        ("retract", {"activity_key": "v1"}),
        ("revoke_badge", {"badge": "first-answer"}),
    ]


def test_concurrent_reports_open_one_case(gk_app: Flask, gk: GuildKit, gk_members: Members) -> None:
    offender = gk_members()
    reporters = [gk_members() for _ in range(4)]
    start = threading.Barrier(len(reporters))
    errors: list[Exception] = []
    cases: list[int] = []

    def work(reporter: str) -> None:
        with gk_app.app_context():
            start.wait()
            try:
                cases.append(
                    gk.moderation.report(reporter, subject="answer:1", user_id=offender, category="spam").case_id
                )
            except Exception as exc:  # collected and asserted below
                errors.append(exc)

    workers = [threading.Thread(target=work, args=(r,)) for r in reporters]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert len(set(cases)) == 1
    case = gk.session.get(ModerationCase, cases[0])
    assert case is not None and case.report_count == 4


def test_one_open_case_per_subject_is_enforced_by_the_database(gk: GuildKit, gk_members: Members) -> None:
    offender, _ = reported(gk, gk_members)
    member_id = gk.member(offender).id
    with pytest.raises(sa.exc.IntegrityError):
        gk.store.run_write(
            lambda conn: conn.execute(sa.insert(ModerationCase).values(subject="answer:1", member_id=member_id))
        )
