"""Mediation: the transition table, who may read and write, the agreed outcome resolving the case."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from guildkit import GuildKit
from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.models import Notification
from guildkit.moderation.errors import UnknownMediation
from guildkit.testing import Members


def texts(gk: GuildKit, user: str) -> list[str]:
    member_id = gk.member(user).id
    query = sa.select(Notification.text).where(
        Notification.member_id == member_id, Notification.kind == "moderation.mediation"
    )
    return list(gk.session.scalars(query.order_by(Notification.id)))


def test_a_mediation_from_start_to_agreement(gk: GuildKit, gk_members: Members) -> None:
    mod, other_mod = gk_members(roles=["moderator"]), gk_members(roles=["moderator"])
    offender, ann, bob, outsider = gk_members(), gk_members(), gk_members(), gk_members()
    case_id = gk.moderation.report(ann, subject="post:1", user_id=offender, category="harassment").case_id
    gk.moderation.report(bob, subject="post:1", user_id=offender, category="harassment")

    started = gk.moderation.start_mediation(mod, case_id)
    assert (started.respondent, started.party, started.mediator, started.state, started.started_by) == (
        offender,
        ann,  # the first reporter by default
        mod,
        "open",
        mod,
    )
    assert gk.moderation.queue(mod)[0].mediation_id == started.id
    invited = f"A moderator invited you to a mediation about a reported post (mediation #{started.id})"
    assert texts(gk, offender) == texts(gk, ann) == [invited]
    assert texts(gk, bob) == []

    gk.moderation.add_statement(offender, started.id, "I was angry, sorry")
    gk.moderation.add_statement(ann, started.id, "Apology accepted if it stops")
    gk.moderation.add_statement(mod, started.id, "Shall we agree on that?")
    for who in (offender, ann, mod, other_mod):  # the parties, the mediator and moderators read it
        seen = gk.moderation.mediation(who, started.id)
        assert [(s.author, s.body) for s in seen.statements] == [
            (offender, "I was angry, sorry"),
            (ann, "Apology accepted if it stops"),
            (mod, "Shall we agree on that?"),
        ]
    for who in (outsider, bob):  # nobody else, not even another reporter
        with pytest.raises(NotAllowed):
            gk.moderation.mediation(who, started.id)
        with pytest.raises(NotAllowed):
            gk.moderation.add_statement(who, started.id, "me too")
    assert texts(gk, ann)[-1] == f"New statement in mediation #{started.id}"

    with pytest.raises(InvalidTransition):  # 409: resolve it through the mediation
        gk.moderation.resolve(other_mod, case_id, action="warn", reason="x")
    for who in (offender, ann, other_mod):
        with pytest.raises(NotAllowed):
            gk.moderation.agree(who, started.id, outcome="we agree")

    agreed = gk.moderation.agree(mod, started.id, outcome="Apology given; no contact for a month")
    assert (agreed.state, agreed.outcome) == ("agreed", "Apology given; no contact for a month")
    case = gk.moderation.case(mod, case_id)
    assert (case.status, case.action, case.reason, case.resolved_by, case.mediation_id) == (
        "resolved",
        "mediate",
        "Apology given; no contact for a month",
        mod,
        None,
    )
    assert [(e.actor, e.action, e.target) for e in gk.moderation.audit(mod, case_id=case_id)] == [
        (mod, "mediate", offender),
        (mod, "mediation_start", offender),
    ]
    assert texts(gk, offender)[-1] == (
        f"Mediation #{started.id} ended with an agreement: Apology given; no contact for a month"
    )
    with pytest.raises(InvalidTransition) as raised:
        gk.moderation.add_statement(ann, started.id, "one more thing")
    assert str(raised.value) == "cannot add a statement to a mediation that is agreed"
    with pytest.raises(InvalidTransition):
        gk.moderation.agree(mod, started.id, outcome="again")
    with pytest.raises(InvalidTransition):
        gk.moderation.abandon_mediation(mod, started.id, reason="late")
    assert [m.id for m in gk.moderation.mediations_of(ann)] == [started.id]
    assert gk.moderation.mediations_of(bob) == []


def test_who_may_start_a_mediation(gk: GuildKit, gk_members: Members) -> None:
    mod, mod_reporter, ann = gk_members(roles=["moderator"]), gk_members(roles=["moderator"]), gk_members()
    offender = gk_members()
    case_id = gk.moderation.report(mod_reporter, subject="post:2", user_id=offender, category="spam").case_id
    with pytest.raises(NotAllowed):
        gk.moderation.start_mediation(ann, case_id)  # members do not
    with pytest.raises(NotAllowed):
        gk.moderation.start_mediation(mod_reporter, case_id)  # the first reporter would be a party and mediator
    with pytest.raises(NotAllowed):
        gk.moderation.start_mediation(mod, case_id, mediator=mod_reporter)
    with pytest.raises(ValidationError) as raised:
        gk.moderation.start_mediation(mod, case_id, mediator=ann)
    assert raised.value.field == "mediator"  # a mediator moderates
    with pytest.raises(ValidationError) as raised:
        gk.moderation.start_mediation(mod, case_id, party=offender)
    assert raised.value.field == "party"
    about_mod = gk.moderation.report(ann, subject="post:3", user_id=mod, category="spam").case_id
    with pytest.raises(NotAllowed):
        gk.moderation.start_mediation(mod, about_mod, party=ann, mediator=mod_reporter)  # not about yourself

    started = gk.moderation.start_mediation(mod, case_id, party=ann, mediator=mod_reporter)
    assert (started.party, started.mediator, started.started_by) == (ann, mod_reporter, mod)
    with pytest.raises(InvalidTransition):
        gk.moderation.start_mediation(mod, case_id, party=ann)  # one open mediation per case
    with pytest.raises(UnknownMediation):
        gk.moderation.mediation(mod, 999)


def test_a_flagged_case_needs_a_named_party(gk: GuildKit, gk_members: Members) -> None:
    mod, offender, ann = gk_members(roles=["moderator"]), gk_members(), gk_members()
    case_id = gk.moderation.flag(subject="post:4", user_id=offender, category="other", comment="detector")
    with pytest.raises(ValidationError) as raised:
        gk.moderation.start_mediation(mod, case_id)
    assert raised.value.field == "party"
    assert gk.moderation.start_mediation(mod, case_id, party=ann).party == ann


def test_abandoning_returns_the_case_to_the_queue(gk: GuildKit, gk_members: Members) -> None:
    mod, other_mod, offender, ann = (
        gk_members(roles=["moderator"]),
        gk_members(roles=["moderator"]),
        gk_members(),
        gk_members(),
    )
    case_id = gk.moderation.report(ann, subject="post:5", user_id=offender, category="harassment").case_id
    started = gk.moderation.start_mediation(mod, case_id)
    for party in (offender, ann):
        with pytest.raises(NotAllowed):
            gk.moderation.abandon_mediation(party, started.id, reason="no")
    closed = gk.moderation.abandon_mediation(other_mod, started.id, reason="no show")
    assert (closed.state, closed.outcome) == ("abandoned", "no show")
    case = gk.moderation.case(mod, case_id)
    assert (case.status, case.mediation_id) == ("open", None)
    assert gk.moderation.audit(mod, case_id=case_id)[0].action == "mediation_abandon"
    assert texts(gk, ann)[-1] == f"Mediation #{started.id} was closed without an agreement: no show"
    gk.moderation.resolve(mod, case_id, action="warn", reason="be kind")  # now it can be resolved directly
    with pytest.raises(InvalidTransition):
        gk.moderation.start_mediation(mod, case_id)  # not on a resolved case
