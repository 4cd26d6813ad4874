"""Appeals: once per action, decided by another moderator, overturns lifting sanctions (and what that
does to earning and access), and two moderators deciding at once."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.models import Notification
from guildkit.moderation.models import Sanction
from guildkit.testing import Clock, Members

PRIVILEGES = {"GUILDKIT_PRIVILEGES": {"post": {"trust_level": 0}}}


def reputation(gk: GuildKit, user: str) -> int:
    return gk.balances(user).get("reputation", 0)


def sanctioned(gk: GuildKit, members: Members, by: str | None, action: str, **args: object) -> tuple[str, int, int]:
    """A member resolved against with ``action``: their user id, the case id and the sanction id."""
    offender = members()
    case_id = gk.moderation.report(members(), subject=f"post:{offender}", user_id=offender, category="spam").case_id
    gk.moderation.resolve(by, case_id, action=action, reason=f"{action} for spam", **args)  # type: ignore[arg-type]
    sanction_id = gk.session.scalar(sa.select(Sanction.id).where(Sanction.case_id == case_id))
    return offender, case_id, sanction_id or 0


def test_an_overturned_suspension_lets_the_member_earn_again(gk: GuildKit, gk_members: Members) -> None:
    mod, judge = gk_members(roles=["moderator"]), gk_members(roles=["moderator"])
    offender, _, sanction_id = sanctioned(gk, gk_members, mod, "suspend", hours=72)
    assert gk.member(offender).status == "suspended"
    appeal = gk.moderation.appeal(offender, sanction_id=sanction_id, statement="It was my brother")  # while suspended
    assert (appeal.kind, appeal.acted_by, appeal.action_reason, appeal.state) == (
        "suspend",
        mod,
        "suspend for spam",
        "pending",
    )
    with pytest.raises(ValidationError) as raised:
        gk.moderation.appeal(offender, sanction_id=sanction_id, statement="again")
    assert raised.value.field == "sanction_id"  # once per action
    with pytest.raises(NotAllowed):
        gk.moderation.decide_appeal(mod, appeal.id, decision="overturn", reason="I was wrong")  # not who acted
    with pytest.raises(NotAllowed):
        gk.moderation.decide_appeal(offender, appeal.id, decision="overturn", reason="mine")
    assert [a.id for a in gk.moderation.appeals(judge)] == [appeal.id]

    gk.record("answer.upvoted", actor="bob", target=offender, key="v1")
    assert reputation(gk, offender) == 0  # suspended: earns nothing
    decided = gk.moderation.decide_appeal(judge, appeal.id, decision="overturn", reason="Shared account, fixed")
    assert (decided.state, decided.decided_by, decided.decision_reason) == (
        "overturned",
        judge,
        "Shared account, fixed",
    )
    assert gk.member(offender).status == "active"
    [sanction] = gk.moderation.sanctions(offender)
    assert (sanction.overturned, sanction.active) == (True, False)
    gk.record("answer.upvoted", actor="bob", target=offender, key="v2")
    assert reputation(gk, offender) == 10
    assert gk.moderation.sweep() == []  # nothing left to lift
    latest = gk.moderation.audit(judge)[0]
    assert (latest.actor, latest.action, latest.target, latest.reason, latest.details) == (
        judge,
        "appeal_overturn",
        offender,
        "Shared account, fixed",
        {"appeal_id": appeal.id, "sanction_id": sanction_id, "status": "active"},
    )
    told = gk.session.scalars(sa.select(Notification.text).where(Notification.kind == "moderation.appeal")).all()
    assert told == ["Your appeal of the suspension was accepted: the suspension is lifted. Shared account, fixed"]
    assert gk.moderation.appeals(judge) == []
    with pytest.raises(InvalidTransition):
        gk.moderation.decide_appeal(judge, appeal.id, decision="uphold", reason="changed my mind")


def test_an_upheld_ban_stands(gk: GuildKit, gk_members: Members) -> None:
    judge = gk_members(roles=["moderator"])
    offender, _, sanction_id = sanctioned(gk, gk_members, None, "ban")
    appeal = gk.moderation.appeal(offender, sanction_id=sanction_id, statement="please")
    assert appeal.acted_by is None  # host code acted: any moderator may decide
    with pytest.raises(ValidationError) as raised:
        gk.moderation.decide_appeal(judge, appeal.id, decision="uphold", reason="")
    assert raised.value.field == "reason"
    with pytest.raises(ValidationError) as raised:
        gk.moderation.decide_appeal(judge, appeal.id, decision="pardon", reason="x")
    assert raised.value.field == "decision"
    decided = gk.moderation.decide_appeal(judge, appeal.id, decision="uphold", reason="Repeated spam")
    assert decided.state == "upheld"
    assert gk.member(offender).status == "banned"
    assert gk.moderation.sanctions(offender)[0].active is True
    assert [a.state for a in gk.moderation.appeals_of(offender)] == ["upheld"]


def test_overturning_a_suspension_under_a_ban_keeps_the_ban(gk: GuildKit, gk_members: Members) -> None:
    judge = gk_members(roles=["moderator"])
    offender, _, suspension = sanctioned(gk, gk_members, None, "suspend")
    other = gk.moderation.report(gk_members(), subject="post:x", user_id=offender, category="spam").case_id
    gk.moderation.resolve(None, other, action="ban", reason="again")
    appeal = gk.moderation.appeal(offender, sanction_id=suspension, statement="the first was wrong")
    gk.moderation.decide_appeal(judge, appeal.id, decision="overturn", reason="agreed")
    assert gk.member(offender).status == "banned"


@pytest.mark.parametrize("gk_config", [PRIVILEGES])
def test_an_overturned_mute_gives_privileges_back(gk: GuildKit, gk_members: Members) -> None:
    judge = gk_members(roles=["moderator"])
    offender, _, sanction_id = sanctioned(gk, gk_members, None, "mute", hours=24)
    assert gk.can(offender, "post") is False
    appeal = gk.moderation.appeal(offender, sanction_id=sanction_id, statement="context")
    gk.moderation.decide_appeal(judge, appeal.id, decision="overturn", reason="fair point")
    assert gk.can(offender, "post") is True
    assert gk.moderation.muted_until(offender) is None


def test_an_overturned_badge_revocation_awards_it_again(gk: GuildKit, gk_members: Members) -> None:
    mod, judge, offender = gk_members(roles=["moderator"]), gk_members(roles=["moderator"]), gk_members()
    gk.record("answer.posted", actor=offender, key="p1")
    case_id = gk.moderation.report(gk_members(), subject="a:1", user_id=offender, category="spam").case_id
    gk.moderation.resolve(mod, case_id, action="revoke_badge", reason="gamed", badge="first-answer")
    assert "first-answer" not in {a.badge_slug for a in gk.badges(offender)}
    [action] = gk.moderation.actions(offender)
    assert (action.kind, action.case_id, action.sanction_id, action.appeal) == ("revoke_badge", case_id, None, None)
    appeal = gk.moderation.appeal(offender, case_id=case_id, statement="I earned it")
    assert (appeal.kind, appeal.acted_by) == ("revoke_badge", mod)
    gk.moderation.decide_appeal(judge, appeal.id, decision="overturn", reason="it was earned")
    assert "first-answer" in {a.badge_slug for a in gk.badges(offender)}
    assert gk.moderation.audit(judge)[0].details["restored"] == ["first-answer:1"]
    [action] = gk.moderation.actions(offender)
    assert action.overturned is True and action.appeal is not None and action.appeal.state == "overturned"


def test_what_can_be_appealed_and_by_whom(gk: GuildKit, gk_members: Members) -> None:
    mod, ann = gk_members(roles=["moderator"]), gk_members()
    offender, warn_case, warning = sanctioned(gk, gk_members, mod, "warn")
    with pytest.raises(ValidationError) as raised:
        gk.moderation.appeal(ann, sanction_id=warning, statement="not mine")
    assert raised.value.field == "sanction_id"  # only your own
    with pytest.raises(ValidationError) as raised:
        gk.moderation.appeal(offender, case_id=warn_case, statement="x")
    assert raised.value.field == "case_id"  # a warning is appealed by its sanction
    for both in ({}, {"sanction_id": warning, "case_id": warn_case}):
        with pytest.raises(ValidationError) as raised:
            gk.moderation.appeal(offender, statement="x", **both)
        assert raised.value.field == "sanction_id"
    with pytest.raises(ValidationError) as raised:
        gk.moderation.appeal(offender, sanction_id=warning, statement="")
    assert raised.value.field == "statement"
    appeal = gk.moderation.appeal(offender, sanction_id=warning, statement="harsh")
    for who in (ann, gk_members()):  # members see no one else's appeals
        with pytest.raises(NotAllowed):
            gk.moderation.get_appeal(who, appeal.id)
        with pytest.raises(NotAllowed):
            gk.moderation.appeals(who)
        with pytest.raises(NotAllowed):
            gk.moderation.decide_appeal(who, appeal.id, decision="overturn", reason="x")
    assert gk.moderation.get_appeal(offender, appeal.id).statement == "harsh"
    # A moderator who appeals a sanction on themself cannot decide it either.
    other_mod = gk_members(roles=["moderator"])
    case_id = gk.moderation.report(ann, subject="m:1", user_id=other_mod, category="spam").case_id
    gk.moderation.resolve(mod, case_id, action="warn", reason="tone")
    sanction_id = gk.moderation.sanctions(other_mod)[0].id
    own = gk.moderation.appeal(other_mod, sanction_id=sanction_id, statement="no")
    with pytest.raises(NotAllowed):
        gk.moderation.decide_appeal(other_mod, own.id, decision="overturn", reason="me")


def test_two_moderators_deciding_at_once_make_one_decision(
    gk_app: Flask, gk: GuildKit, gk_members: Members, gk_clock: Clock
) -> None:
    judges = [gk_members(roles=["moderator"]) for _ in range(2)]
    offender, _, sanction_id = sanctioned(gk, gk_members, None, "suspend")
    appeal = gk.moderation.appeal(offender, sanction_id=sanction_id, statement="please")
    start = threading.Barrier(len(judges))
    outcomes: list[str] = []
    errors: list[Exception] = []

    def work(judge: str, decision: str) -> None:
        with gk_app.app_context():
            gk.moderation  # noqa: B018 - build the service before the race
            start.wait()
            try:
                gk.moderation.decide_appeal(judge, appeal.id, decision=decision, reason=f"{judge} decides")
                outcomes.append(decision)
            except InvalidTransition:
                outcomes.append("too late")
            except Exception as exc:  # collected and asserted below
                errors.append(exc)

    workers = [threading.Thread(target=work, args=pair) for pair in zip(judges, ("overturn", "uphold"), strict=True)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert sorted(outcomes) in (["overturn", "too late"], ["too late", "uphold"])
    decided = gk.moderation.get_appeal(None, appeal.id)
    winner = "overturned" if "overturn" in outcomes else "upheld"
    assert decided.state == winner
    assert decided.decision_reason == f"{decided.decided_by} decides"
    assert gk.member(offender).status == ("active" if winner == "overturned" else "suspended")
    decisions = [e for e in gk.moderation.audit(None) if e.action.startswith("appeal_")]
    assert len(decisions) == 1
