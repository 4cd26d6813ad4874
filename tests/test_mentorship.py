"""Mentorship service: every transition in the table (allowed and forbidden), who may act, validation,
the activities and the default recognition they earn, the sweep, notifications, hooks and signals."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, MentorshipChange, hookimpl, signals
from guildkit.errors import CapacityReached, InvalidTransition, MemberInactive, NotAllowed, ValidationError
from guildkit.mentorship.errors import UnknownMentor, UnknownMentorship
from guildkit.mentorship.lifecycle import ACTORS, TRANSITIONS
from guildkit.mentorship.models import (
    HOLDING_STATES,
    MENTORSHIP_STATES,
    MentorProfile,
    Mentorship,
    MentorshipCheckIn,
    MentorshipFeedback,
)
from guildkit.models import Activity, Notification
from guildkit.testing import Clock

TODAY = date(2026, 1, 5)
PEOPLE_ACTIONS = [action for action, who in ACTORS.items() if who != "system"]


def offer(gk: GuildKit, user: str = "ada", **changes: Any) -> Any:
    given: dict[str, Any] = {
        "topics": ["python", "flask"],
        "languages": ["en"],
        "timezone": "Europe/London",
        "capacity": 10,
        "pitch": "I like helping",
        "availability": "evenings",
    }
    return gk.mentorship.offer(user, **(given | changes))


def act(gk: GuildKit, mentorship_id: int, action: str, by: str) -> Any:
    ms = gk.mentorship
    if action == "accept":
        return ms.accept(mentorship_id, by)
    if action == "decline":
        return ms.decline(mentorship_id, by, "too busy")
    if action == "withdraw":
        return ms.withdraw(mentorship_id, by)
    if action == "start":
        return ms.start(mentorship_id, by)
    if action == "check_in":
        return ms.check_in(mentorship_id, by, on=TODAY, notes="talked about tests")
    if action == "complete":
        return ms.complete(mentorship_id, by)
    if action == "end":
        return ms.end(mentorship_id, by, "moving on")
    if action == "feedback":
        return ms.feedback(mentorship_id, by, rating=5, comment="great")
    raise AssertionError(action)


def build(gk: GuildKit, clock: Clock, state: str, mentees: list[str], mentor: str = "ada") -> list[int]:
    """One mentorship per mentee, each brought to ``state`` through the public methods."""
    ids = [gk.mentorship.request(m, mentor, goals="learn", topics=["python"]).id for m in mentees]
    if state == "expired":
        clock.advance(days=15)
        assert gk.mentorship.sweep()["expired"] == len(ids)
        return ids
    paths = {
        "requested": [],
        "accepted": [("accept", "mentor")],
        "declined": [("decline", "mentor")],
        "withdrawn": [("withdraw", "mentee")],
        "active": [("accept", "mentor"), ("start", "mentee")],
        "completed": [("accept", "mentor"), ("start", "mentor"), ("complete", "mentor"), ("complete", "mentee")],
        "ended": [("accept", "mentor"), ("end", "mentee")],
    }
    for mentorship_id, mentee in zip(ids, mentees, strict=True):
        for action, side in paths[state]:
            act(gk, mentorship_id, action, mentor if side == "mentor" else mentee)
        assert gk.mentorship.get(mentorship_id, mentor).state == state
    return ids


def rows(gk: GuildKit, model: Any) -> list[Any]:
    gk.session.expire_all()
    return list(gk.session.scalars(sa.select(model)))


def taken(gk: GuildKit, user: str = "ada") -> int:
    gk.session.expire_all()
    return gk.session.scalar(sa.select(MentorProfile.taken).where(MentorProfile.member_id == gk.member(user).id))  # type: ignore[return-value]


def holding(gk: GuildKit) -> int:
    return sum(1 for m in rows(gk, Mentorship) if m.state in HOLDING_STATES)


# -- the transition table, enumerated -------------------------------------------------------


@pytest.mark.parametrize("state", MENTORSHIP_STATES)
def test_every_action_from_every_state(gk: GuildKit, gk_clock: Clock, state: str) -> None:
    mentees = [f"mentee-{action}" for action in PEOPLE_ACTIONS]
    offer(gk)
    ids = build(gk, gk_clock, state, mentees)
    for mentorship_id, mentee, action in zip(ids, mentees, PEOPLE_ACTIONS, strict=True):
        by = mentee if ACTORS[action] == "mentee" else "ada"
        if (state, action) in TRANSITIONS:
            act(gk, mentorship_id, action, by)
            after = gk.mentorship.get(mentorship_id, by)
            if action == "complete":  # one confirmation: waits for the other side
                assert (after.state, after.waiting_for) == ("active", "mentee")
                act(gk, mentorship_id, action, mentee)
                after = gk.mentorship.get(mentorship_id, by)
            assert after.state == TRANSITIONS[(state, action)], (state, action)
        else:
            with pytest.raises(InvalidTransition) as caught:
                act(gk, mentorship_id, action, by)
            assert caught.value.state == state
            assert gk.mentorship.get(mentorship_id, by).state == state
    # The mentor's slots always equal their accepted and active mentorships.
    assert taken(gk) == holding(gk)


def test_final_states_have_no_way_out() -> None:
    final = {"declined", "expired", "withdrawn", "completed", "ended"}
    for (state, action), new in TRANSITIONS.items():
        if state in final:
            assert (action, new) == ("feedback", state)


# -- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state", "wrong"),
    [
        ("accept", "requested", ["bob", "eve", "mo"]),
        ("decline", "requested", ["bob", "eve", "mo"]),
        ("withdraw", "requested", ["ada", "eve", "mo"]),
        ("start", "accepted", ["eve", "mo"]),
        ("check_in", "active", ["eve", "mo"]),
        ("complete", "active", ["eve", "mo"]),
        ("end", "active", ["eve"]),
        ("feedback", "completed", ["eve", "mo"]),
    ],
)
def test_who_may_act(gk: GuildKit, gk_clock: Clock, action: str, state: str, wrong: list[str]) -> None:
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    gk.join("eve")
    offer(gk)
    [mentorship_id] = build(gk, gk_clock, state, ["bob"])
    for person in wrong:
        with pytest.raises(NotAllowed):
            act(gk, mentorship_id, action, person)
        assert gk.mentorship.get(mentorship_id, "ada").state == state
    assert not [a for a in rows(gk, Activity) if a.type.removeprefix("mentorship.") in ("declined", "ended")]


def test_moderator_ends_any_mentorship_with_a_reason(gk: GuildKit, gk_clock: Clock) -> None:
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    offer(gk)
    [mentorship_id] = build(gk, gk_clock, "active", ["bob"])
    ended = gk.mentorship.end(mentorship_id, "mo", "code of conduct")
    assert (ended.state, ended.end_reason, ended.ended_by) == ("ended", "code of conduct", "mo")
    told = {(n.member_id, n.text) for n in rows(gk, Notification) if n.kind == "mentorship" and "ended" in n.text}
    assert {m for m, _ in told} == {gk.member("ada").id, gk.member("bob").id}
    activity = next(a for a in rows(gk, Activity) if a.type == "mentorship.ended")
    assert activity.payload == {"reason": "code of conduct", "by": "moderator"}
    assert taken(gk) == 0


def test_only_the_pair_and_moderators_see_a_mentorship_and_its_check_ins(gk: GuildKit, gk_clock: Clock) -> None:
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    gk.award("root", role="admin", reason="founder", key="staff:root")
    offer(gk)
    [mentorship_id] = build(gk, gk_clock, "accepted", ["bob"])
    gk.mentorship.check_in(mentorship_id, "bob", on=TODAY, notes="secret plans")
    for viewer in ("ada", "bob", "mo", "root"):
        assert [c.notes for c in gk.mentorship.check_ins(mentorship_id, viewer)] == ["secret plans"]
    for viewer in ("eve", None):
        with pytest.raises(NotAllowed):
            gk.mentorship.check_ins(mentorship_id, viewer)
        with pytest.raises(NotAllowed):
            gk.mentorship.get(mentorship_id, viewer)
    with pytest.raises(UnknownMentorship):
        gk.mentorship.get(999, "ada")


def test_first_check_in_starts_an_accepted_mentorship(gk: GuildKit, gk_clock: Clock) -> None:
    offer(gk)
    [mentorship_id] = build(gk, gk_clock, "accepted", ["bob"])
    check_in = gk.mentorship.check_in(mentorship_id, "ada", on=date(2026, 1, 4), notes="kick-off")
    assert (check_in.author, check_in.on, check_in.notes) == ("ada", date(2026, 1, 4), "kick-off")
    found = gk.mentorship.get(mentorship_id, "bob")
    assert found.state == "active" and found.started_at == gk_clock.now
    types = [a.type for a in rows(gk, Activity) if a.subject == f"mentorship:{mentorship_id}"]
    assert types == ["mentorship.requested", "mentorship.accepted", "mentorship.started", "mentorship.checked_in"]


def test_completion_waits_for_both_sides(gk: GuildKit, gk_clock: Clock) -> None:
    offer(gk)
    [mentorship_id] = build(gk, gk_clock, "active", ["bob"])
    first = gk.mentorship.complete(mentorship_id, "bob")
    assert (first.state, first.waiting_for) == ("active", "mentor")
    with pytest.raises(InvalidTransition):
        gk.mentorship.complete(mentorship_id, "bob")
    done = gk.mentorship.complete(mentorship_id, "ada")
    assert (done.state, done.waiting_for, done.ended_at) == ("completed", None, gk_clock.now)
    assert taken(gk) == 0


def test_feedback_once_per_side_after_the_end(gk: GuildKit, gk_clock: Clock) -> None:
    offer(gk)
    [mentorship_id] = build(gk, gk_clock, "completed", ["bob"])
    mine = gk.mentorship.feedback(mentorship_id, "bob", rating=4, comment="very useful")
    assert (mine.author, mine.role, mine.rating, mine.comment) == ("bob", "mentee", 4, "very useful")
    with pytest.raises(InvalidTransition):
        gk.mentorship.feedback(mentorship_id, "bob", rating=5)
    gk.mentorship.feedback(mentorship_id, "ada", rating=5)
    assert [(f.role, f.rating) for f in gk.mentorship.feedback_for(mentorship_id, "ada")] == [
        ("mentee", 4),
        ("mentor", 5),
    ]
    assert len(rows(gk, MentorshipFeedback)) == 2


# -- requests, capacity, eligibility ---------------------------------------------------------


def test_request_rules(gk: GuildKit) -> None:
    with pytest.raises(UnknownMentor):
        gk.mentorship.profile("ada")
    with pytest.raises(UnknownMentor):
        gk.mentorship.request("bob", "ada", goals="learn")
    offer(gk, capacity=1)
    with pytest.raises(ValidationError) as caught:
        gk.mentorship.request("ada", "ada", goals="learn")
    assert caught.value.field == "mentor"
    first = gk.mentorship.request("bob", "ada", goals="learn", language="en", timezone="Europe/Paris")
    assert (first.state, first.mentor, first.mentee, first.language) == ("requested", "ada", "bob", "en")
    with pytest.raises(ValidationError) as caught:  # one open mentorship per pair
        gk.mentorship.request("bob", "ada", goals="again")
    assert caught.value.field == "mentor"
    second = gk.mentorship.request("cy", "ada", goals="learn too")
    gk.mentorship.accept(first.id, "ada")
    with pytest.raises(CapacityReached):
        gk.mentorship.accept(second.id, "ada")
    with pytest.raises(CapacityReached):
        gk.mentorship.request("dee", "ada", goals="learn")
    assert gk.mentorship.get(second.id, "ada").state == "requested"
    gk.mentorship.end(first.id, "bob", "found a job")
    assert gk.mentorship.accept(second.id, "ada").state == "accepted"
    offer(gk, open=False)  # opted out: no new requests, running ones go on
    with pytest.raises(UnknownMentor):
        gk.mentorship.request("eve", "ada", goals="learn")
    assert gk.mentorship.get(second.id, "ada").state == "accepted"


def test_suspended_members_cannot_take_part(gk: GuildKit) -> None:
    offer(gk)
    pending = gk.mentorship.request("bob", "ada", goals="learn")
    gk.set_status("bob", "suspended", reason="spam")
    with pytest.raises(MemberInactive):
        gk.mentorship.accept(pending.id, "ada")
    with pytest.raises(MemberInactive):
        gk.mentorship.request("bob", "ada", goals="learn")
    gk.set_status("ada", "banned", reason="abuse")
    with pytest.raises(MemberInactive):
        offer(gk)
    assert gk.mentorship.mentors() == []


def test_mentor_eligibility_from_config(gk_app: Flask, gk: GuildKit, gk_clock: Clock) -> None:
    gk_app.config.update(
        GUILDKIT_MENTOR_MIN_DAYS=30, GUILDKIT_MENTOR_MIN_POINTS={"reputation": 20}, GUILDKIT_MENTOR_BADGE="mentor"
    )
    gk.join("ada")
    with pytest.raises(NotAllowed) as caught:
        offer(gk)
    assert str(caught.value) == (
        "to offer mentoring you need 30 days of membership (you have 0); 20 reputation (you have 0); the Mentor badge"
    )
    assert gk.mentorship.eligibility_gaps("ada") == caught.value.context["missing"]
    gk_clock.advance(days=30)
    gk.award("ada", points=25, point_type="reputation", badge="mentor", reason="veteran")
    assert gk.mentorship.eligibility_gaps("ada") == []
    assert offer(gk).open
    assert offer(gk, open=False).open is False  # opting out needs nothing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topics": []}, "topics"),
        ({"topics": "python"}, "topics"),
        ({"topics": ["x" * 51]}, "topics"),
        ({"topics": [f"t{n}" for n in range(21)]}, "topics"),
        ({"languages": ["english!"]}, "languages"),
        ({"languages": []}, "languages"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 11}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"pitch": "x" * 1001}, "pitch"),
        ({"availability": 5}, "availability"),
        ({"open": "yes"}, "open"),
    ],
)
def test_offer_validation(gk: GuildKit, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        offer(gk, **changes)
    assert caught.value.field == field
    assert rows(gk, MentorProfile) == []


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ms, m: ms.request("bob", "ada", goals=""), "goals"),
        (lambda ms, m: ms.request("bob", "ada", goals="x", language="xx_YY"), "language"),
        (lambda ms, m: ms.request("bob", "ada", goals="x", timezone="Nowhere"), "timezone"),
        (lambda ms, m: ms.request("bob", "ada", goals="x", message="m" * 2001), "message"),
        (lambda ms, m: ms.check_in(m, "bob", on=date(2026, 1, 6), notes="future"), "on"),
        (lambda ms, m: ms.check_in(m, "bob", on="2026-01-01", notes="text date"), "on"),
        (lambda ms, m: ms.check_in(m, "bob", on=TODAY, notes=" "), "notes"),
        (lambda ms, m: ms.decline(m, "ada", ""), "reason"),
        (lambda ms, m: ms.end(m, "ada", ""), "reason"),
        (lambda ms, m: ms.feedback(m, "ada", rating=6), "rating"),
        (lambda ms, m: ms.feedback(m, "ada", rating=0), "rating"),
        (lambda ms, m: ms.mentorships_of("ada", role="boss"), "role"),
        (lambda ms, m: ms.mentorships_of("ada", states=["asleep"]), "states"),
        (lambda ms, m: ms.suggest("bob", timezone="Nowhere"), "timezone"),
        (lambda ms, m: ms.suggest("bob", limit=0), "limit"),
    ],
)
def test_lifecycle_validation_writes_nothing(gk: GuildKit, call: Any, field: str) -> None:
    offer(gk)
    pending = gk.mentorship.request("bob", "ada", goals="learn")
    before = (len(rows(gk, Mentorship)), len(rows(gk, MentorshipCheckIn)), len(rows(gk, Activity)))
    with pytest.raises(ValidationError) as caught:
        call(gk.mentorship, pending.id)
    assert caught.value.field == field
    assert (len(rows(gk, Mentorship)), len(rows(gk, MentorshipCheckIn)), len(rows(gk, Activity))) == before


# -- recognition, sweep, notifications, hooks --------------------------------------------------


def test_completions_earn_points_and_badges(gk: GuildKit, gk_clock: Clock) -> None:
    offer(gk)
    mentees = [f"m{n}" for n in range(5)]
    build(gk, gk_clock, "completed", mentees[:1])
    assert [(b.badge_slug, b.level) for b in gk.badges("ada")] == [("mentor", 1)]
    build(gk, gk_clock, "completed", mentees[1:])
    assert sorted((b.badge_slug, b.level) for b in gk.badges("ada")) == [("mentor", 1), ("mentor", 2)]
    assert gk.balance("ada", "participation") == 5 * 50
    for mentee in mentees:
        assert gk.balance(mentee, "participation") == 20
        assert [b.badge_slug for b in gk.badges(mentee)] == ["mentee"]
    completed = [a for a in rows(gk, Activity) if a.type == "mentorship.completed"]
    assert len(completed) == 5
    assert {a.key for a in completed} == {f"mentorship.completed:{m.id}" for m in rows(gk, Mentorship)}


def test_sweep_expires_requests_once(gk: GuildKit, gk_clock: Clock) -> None:
    offer(gk)
    old = gk.mentorship.request("bob", "ada", goals="learn")
    gk_clock.advance(days=10)
    fresh = gk.mentorship.request("cy", "ada", goals="learn")
    gk_clock.advance(days=4)
    assert gk.mentorship.sweep() == {"expired": 1, "retained": 0}
    assert gk.mentorship.sweep() == {"expired": 0, "retained": 0}
    assert gk.mentorship.get(old.id, "ada").state == "expired"
    assert gk.mentorship.get(fresh.id, "ada").state == "requested"
    assert [n.text for n in rows(gk, Notification) if n.member_id == gk.member("bob").id] == [
        "Your request to User ada expired unanswered."
    ]


def test_sweep_records_a_retained_mentee_exactly_once(gk: GuildKit, gk_clock: Clock) -> None:
    offer(gk)
    kept, gone = build(gk, gk_clock, "completed", ["bob", "cy"])
    gk_clock.advance(days=89)
    gk.record("answer.posted", actor="bob", key="early")  # before completion + 90 days: not yet
    assert gk.mentorship.sweep()["retained"] == 0
    gk_clock.advance(days=2)
    assert gk.mentorship.sweep()["retained"] == 0
    gk.record("answer.posted", actor="bob", key="late")
    assert gk.mentorship.sweep()["retained"] == 1
    assert gk.mentorship.sweep()["retained"] == 0
    retained = [a for a in rows(gk, Activity) if a.type == "mentorship.mentee_retained"]
    assert [(a.key, a.subject) for a in retained] == [(f"mentorship.mentee_retained:{kept}", f"mentorship:{kept}")]
    assert ("lasting-impact", 1) in [(b.badge_slug, b.level) for b in gk.badges("ada")]
    assert gk.mentorship.get(gone, "ada").retained_at is None


def test_the_other_side_is_notified(gk: GuildKit, gk_clock: Clock) -> None:
    gk.join("ada", name="Ada")
    gk.join("bob", name="Bob")
    offer(gk)
    [mentorship_id] = build(gk, gk_clock, "active", ["bob"])
    gk.mentorship.complete(mentorship_id, "bob")
    gk.mentorship.complete(mentorship_id, "ada")

    def texts(user: str) -> list[str]:
        member_id = gk.member(user).id
        return [n.text for n in rows(gk, Notification) if n.member_id == member_id and n.kind == "mentorship"]

    assert texts("ada") == [
        "Bob asked you to be their mentor.",
        "Bob started your mentorship.",
        "Bob confirmed your mentorship is complete: confirm it too to finish.",
    ]
    assert texts("bob") == ["Ada accepted your mentorship request.", "Your mentorship with Ada is complete. Well done!"]
    told = [n for n in rows(gk, Notification) if n.kind == "mentorship"]
    assert told and all(set(n.data) == {"mentorship_id", "said"} for n in told)
    assert all(n.data["mentorship_id"] == mentorship_id for n in told)
    # Each kept as said, for its reader's language: the name a value, never part of the message.
    assert {n.data["said"]["message"] for n in told} >= {"%(name)s asked you to be their mentor."}
    assert all(n.data["said"]["values"]["name"] in ("Ada", "Bob") for n in told)


class ChangeWatcher:
    """A real plugin: sees every mentorship change, and the committed state at that moment."""

    def __init__(self) -> None:
        self.seen: list[tuple[str | None, str, str | None, str]] = []

    @hookimpl
    def guildkit_mentorship_changed(self, gk: GuildKit, change: MentorshipChange) -> None:
        with gk.store.engine.connect() as conn:  # a fresh connection: sees only committed rows
            stored = conn.execute(sa.select(Mentorship.state).where(Mentorship.id == change.mentorship_id)).scalar()
        assert stored == change.new_state
        self.seen.append((change.old_state, change.new_state, change.by, change.reason))


def test_hook_and_signal_are_told_after_commit(gk: GuildKit, gk_clock: Clock) -> None:
    watcher = ChangeWatcher()
    gk.register(watcher)
    signalled: list[MentorshipChange] = []

    def receiver(sender: GuildKit, change: MentorshipChange) -> None:
        signalled.append(change)

    signals.mentorship_changed.connect(receiver, sender=gk)
    try:
        offer(gk)
        [mentorship_id] = build(gk, gk_clock, "ended", ["bob"])
    finally:
        signals.mentorship_changed.disconnect(receiver, sender=gk)
    expected = [
        (None, "requested", "bob", ""),
        ("requested", "accepted", "ada", ""),
        ("accepted", "ended", "bob", "moving on"),
    ]
    assert watcher.seen == expected
    assert [(c.old_state, c.new_state, c.by, c.reason) for c in signalled] == expected
    assert {(c.mentorship_id, c.mentor, c.mentee) for c in signalled} == {(mentorship_id, "ada", "bob")}
    assert rows(gk, Activity)  # and nothing failed
    assert gk.session.execute(sa.text("SELECT count(*) FROM guildkit_hook_failures")).scalar() == 0


def test_listing_and_inbox(gk: GuildKit, gk_clock: Clock) -> None:
    offer(gk)
    offer(gk, "bob")
    first = gk.mentorship.request("cy", "ada", goals="one").id
    second = gk.mentorship.request("ada", "bob", goals="two").id
    third = gk.mentorship.request("dee", "ada", goals="three").id
    gk.mentorship.accept(third, "ada")
    assert [m.id for m in gk.mentorship.inbox("ada")] == [first]
    assert [m.id for m in gk.mentorship.mentorships_of("ada")] == [third, second, first]
    assert [m.id for m in gk.mentorship.mentorships_of("ada", role="mentee")] == [second]
    assert [m.id for m in gk.mentorship.mentorships_of("ada", "mentor", ["accepted"])] == [third]
    assert [m.id for m in gk.mentorship.mentorships_of("ada", limit=1, before=third)] == [second]
    assert gk.mentorship.mentorships_of("stranger") == []
    profile = gk.mentorship.profile("ada")
    assert (profile.capacity, profile.active_count, profile.free, profile.topics) == (10, 1, 9, ("python", "flask"))


def test_sweep_command_prints_json_counts(gk_app: Flask, gk: GuildKit, gk_clock: Clock) -> None:
    offer(gk)
    gk.mentorship.request("bob", "ada", goals="learn")
    gk_clock.advance(days=30)
    runner = gk_app.test_cli_runner()
    result = runner.invoke(args=["guildkit", "mentorship", "sweep"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"expired": 1, "retained": 0}
    again = runner.invoke(args=["guildkit", "mentorship", "sweep"])
    assert json.loads(again.output) == {"expired": 0, "retained": 0}
