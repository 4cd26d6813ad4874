"""Nominations (guildkit/nominations, docs/nominations.md): the transition table pair by pair, the
rules that refuse bad input and write nothing, the award through the core, expiry, notifications,
the told hook, config and privacy (concurrency: tests/test_nominations_concurrency.py). Each test
runs on every backend (``gk_backend``: sqlite, sqlite-host, postgresql)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, hookimpl
from guildkit.builtin.manual import AWARD
from guildkit.errors import ConfigurationError, InvalidTransition, MemberInactive, NotAllowed, ValidationError
from guildkit.models import Activity, AuditRecord, BadgeAward, Notification, table_of
from guildkit.nominations import NominationDecided, states
from guildkit.nominations.errors import AlreadyVoted, DuplicateNomination, NotNominatable, UnknownNomination
from guildkit.nominations.models import STATES, Nomination, NominationVote
from guildkit.testing import Clock, make_app
from tests.plugins import qa_rules

NOMINATIONS = table_of(Nomination)
VOTES = table_of(NominationVote)
CHAMPION = "community-champion"
REASON = "Answers every newcomer's question, kindly."


class Told:
    """Remembers ``guildkit_nomination_decided`` calls, and whether the change was committed then."""

    def __init__(self) -> None:
        self.decisions: list[NominationDecided] = []
        self.committed: list[str | None] = []

    @hookimpl
    def guildkit_nomination_decided(self, gk: GuildKit, decision: NominationDecided) -> None:
        self.decisions.append(decision)
        with gk.store.engine.connect() as conn:  # another connection sees only what is committed
            stored = conn.scalar(sa.select(NOMINATIONS.c.state).where(NOMINATIONS.c.id == decision.nomination_id))
        self.committed.append(stored)


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def gk_plugins(told: Told) -> tuple[object, ...]:
    return (qa_rules, told)


@pytest.fixture
def people(gk: GuildKit) -> GuildKit:
    """Ann nominates, Bob is nominated; Mo, Max and Cy are moderators; Dan is a plain member."""
    for user in ("ann", "bob", "mo", "max", "cy", "dan"):
        gk.join(user, name=user.title())
    for user in ("mo", "max", "cy"):
        gk.award(user, role="moderator", reason="setup")
    return gk


def nominate(gk: GuildKit, nominee: str = "bob", by: str = "ann", **extra: Any) -> int:
    made = gk.nominations.nominate(by, nominee, badge=extra.pop("badge", CHAMPION), reason=REASON, **extra)
    return int(made.id)


def snapshot(gk: GuildKit) -> dict[str, Any]:
    """Everything a nomination action may write."""
    with gk.store.engine.connect() as conn:
        return {
            "nominations": conn.execute(sa.select(NOMINATIONS).order_by(NOMINATIONS.c.id)).all(),
            "votes": conn.execute(sa.select(VOTES).order_by(VOTES.c.id)).all(),
            "audit": conn.scalar(sa.select(sa.func.count()).select_from(AuditRecord)),
            "notifications": conn.scalar(sa.select(sa.func.count()).select_from(Notification)),
            "activities": conn.scalar(sa.select(sa.func.count()).select_from(Activity)),
            "awards": conn.scalar(sa.select(sa.func.count()).select_from(BadgeAward)),
        }


def badges_of(gk: GuildKit, user: str) -> list[str]:
    return sorted(b.badge_slug for b in gk.badges(user))


def notes_of(gk: GuildKit, user: str) -> list[tuple[str, str]]:
    member = gk.member(user).id
    with gk.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(Notification.kind, Notification.text).where(Notification.member_id == member)
        ).all()
    return [(kind, text) for kind, text in rows if kind.startswith("nominations.")]


# -- the happy path ------------------------------------------------------------------------------


def test_two_approvals_award_the_badge_through_the_core_naming_the_nomination(people: GuildKit, told: Told) -> None:
    gk = people
    nomination_id = nominate(gk)
    made = gk.nominations.get(nomination_id)
    assert (made.state, made.needed, made.role, made.approvals) == ("pending", 2, "moderator", 0)
    # The approvers hear of it; the nominee does not, while it is pending.
    for moderator in ("mo", "max", "cy"):
        assert notes_of(gk, moderator) == [
            ("nominations.awaiting", "Ann nominated Bob for Community Champion. Your decision is awaited.")
        ]
    assert notes_of(gk, "bob") == [] and notes_of(gk, "ann") == []

    half = gk.nominations.approve("mo", nomination_id, reason="Seen it myself.")
    assert (half.state, half.approvals) == ("pending", 1) and badges_of(gk, "bob") == []
    assert told.decisions == []
    done = gk.nominations.approve("max", nomination_id, reason="Agreed.")
    assert (done.state, done.approvals, done.decided_by) == ("approved", 2, "max")
    assert done.award_key == f"nomination:{nomination_id}:award"
    assert [(v.approver, v.decision) for v in done.votes] == [("mo", "approve"), ("max", "approve")]

    # The badge, once, through the core's award activity, which names the nomination.
    assert badges_of(gk, "bob") == [CHAMPION]
    award = gk.session.scalar(sa.select(BadgeAward).where(BadgeAward.badge_slug == CHAMPION))
    assert award is not None and award.reason == f"Approved nomination #{nomination_id}"
    activity = gk.session.scalar(sa.select(Activity).where(Activity.key == done.award_key))
    assert activity is not None and activity.type == AWARD and activity.subject == f"nomination:{nomination_id}"
    approved = gk.session.scalar(sa.select(Activity).where(Activity.type == "nomination.approved"))
    assert approved is not None and approved.subject == f"nomination:{nomination_id}"

    assert notes_of(gk, "bob") == [
        (
            "nominations.approved",
            "Ann nominated you for Community Champion, and the nomination was approved: the badge is yours.",
        )
    ]
    assert notes_of(gk, "ann") == [
        ("nominations.decided", "Your nomination of Bob for Community Champion was approved.")
    ]
    assert [(d.state, d.by, d.award_key, d.approvals, d.needed) for d in told.decisions] == [
        ("approved", "max", done.award_key, 2, 2)
    ]
    assert told.committed == ["approved"]  # told after the commit
    actions = [(e.action, e.actor, e.target) for e in gk.audit_log(area="nominations")]
    target = f"nomination:{nomination_id}"
    assert actions == [
        ("nomination.approve", "max", target),
        ("nomination.approve", "mo", target),
        ("nomination.create", "ann", target),
    ]


def test_a_rejection_ends_it_and_tells_the_nominator_with_the_reason(people: GuildKit, told: Told) -> None:
    gk = people
    nomination_id = nominate(gk)
    gk.nominations.approve("mo", nomination_id, reason="Yes.")
    done = gk.nominations.reject("max", nomination_id, reason="Not yet: only a month here.")
    assert (done.state, done.approvals, done.decided_by) == ("rejected", 1, "max")
    assert badges_of(gk, "bob") == []
    assert notes_of(gk, "ann") == [
        (
            "nominations.decided",
            "Your nomination of Bob for Community Champion was not approved: Not yet: only a month here.",
        )
    ]
    assert notes_of(gk, "bob") == []
    assert [(d.state, d.reason) for d in told.decisions] == [("rejected", "Not yet: only a month here.")]


# -- the transition table, every pair --------------------------------------------------------------


def reach(gk: GuildKit, clock: Clock, state: str) -> int:
    """A nomination of Bob in ``state`` (approved with two of three moderators)."""
    nomination_id = nominate(gk)
    if state == "approved":
        gk.nominations.approve("mo", nomination_id, reason="Yes.")
        gk.nominations.approve("max", nomination_id, reason="Yes.")
    elif state == "rejected":
        gk.nominations.reject("mo", nomination_id, reason="No.")
    elif state == "withdrawn":
        gk.nominations.withdraw("ann", nomination_id, reason="Too early.")
    elif state == "expired":
        clock.advance(days=31)
        assert gk.nominations.expire() == 1
    assert gk.nominations.get(nomination_id).state == state
    return nomination_id


def act(gk: GuildKit, clock: Clock, action: str, nomination_id: int) -> Any:
    if action == "approve":
        return gk.nominations.approve("cy", nomination_id, reason="Yes.")
    if action == "reject":
        return gk.nominations.reject("cy", nomination_id, reason="No.")
    if action == "withdraw":
        return gk.nominations.withdraw("ann", nomination_id)
    clock.advance(days=31)
    return gk.nominations.expire()


PAIRS = [(state, action) for state in STATES for action in states.ACTIONS]


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_every_state_and_action_is_allowed_by_the_table_or_refused_writing_nothing(
    people: GuildKit, gk_clock: Clock, state: str, action: str
) -> None:
    gk = people
    nomination_id = reach(gk, gk_clock, state)
    before = snapshot(gk)
    allowed = states.TRANSITIONS.get((state, action))
    if allowed is None:
        if action == "expire":
            assert act(gk, gk_clock, action, nomination_id) == 0  # the job leaves it alone
        else:
            with pytest.raises(InvalidTransition) as refused:
                act(gk, gk_clock, action, nomination_id)
            assert refused.value.state == state and "can no longer change" in refused.value.message
        assert snapshot(gk) == before
        return
    act(gk, gk_clock, action, nomination_id)
    after = gk.nominations.get(nomination_id).state
    assert after in allowed
    # One approval of two leaves it pending; the others end it.
    assert after == {"approve": "pending", "reject": "rejected", "withdraw": "withdrawn", "expire": "expired"}[action]
    assert snapshot(gk) != before


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_the_table_itself_names_every_pair(state: str, action: str) -> None:
    allowed = states.TRANSITIONS.get((state, action))
    if allowed is None:
        with pytest.raises(InvalidTransition):
            states.next_state(state, action)
    else:
        assert states.next_state(state, action) in allowed
        assert state == "pending" and set(states.FINAL_STATES).isdisjoint({state})
    assert states.next_state("pending", "approve", reached=True) == "approved"


# -- bad input: a clear error, nothing written --------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"nominee": "ann"}, ValidationError, "nominee"),  # oneself
        ({"nominee": "nobody"}, ValidationError, "nominee"),  # not a member
        ({"nominee": ""}, ValidationError, "nominee"),
        ({"badge": "first-answer"}, NotNominatable, "badge"),  # a badge, but not nominatable
        ({"badge": "no-such-badge"}, NotNominatable, "badge"),
        ({"badge": CHAMPION, "level": 2}, NotNominatable, "badge"),  # it has one level
        ({"level": 0}, ValidationError, "level"),
        ({"reason": "   "}, ValidationError, "reason"),
        ({"reason": "x" * 2001}, ValidationError, "reason"),
        ({"reason": "bad\x00text"}, ValidationError, "reason"),
    ],
)
def test_bad_nominations_are_refused_naming_the_field_and_write_nothing(
    people: GuildKit, change: dict[str, Any], error: type[Exception], field: str
) -> None:
    gk = people
    before = snapshot(gk)
    fields = {"nominee": "bob", "badge": CHAMPION, "level": 1, "reason": REASON} | change
    nominee = fields.pop("nominee")
    with pytest.raises(error) as refused:
        gk.nominations.nominate("ann", nominee, **fields)
    assert isinstance(refused.value, ValidationError) and field in refused.value.errors
    assert snapshot(gk) == before


def test_every_bad_field_is_named_at_once(people: GuildKit) -> None:
    with pytest.raises(ValidationError) as refused:
        people.nominations.nominate("ann", "ann", badge="first-answer", reason="")
    assert set(refused.value.errors) == {"nominee", "badge", "reason"}


def test_a_badge_the_nominee_holds_a_second_pending_one_and_an_inactive_member_are_refused(
    people: GuildKit,
) -> None:
    gk = people
    nominate(gk)
    before = snapshot(gk)
    with pytest.raises(DuplicateNomination):
        nominate(gk, by="dan")
    assert snapshot(gk) == before
    gk.award("cy", badge=CHAMPION, reason="by hand")
    with pytest.raises(ValidationError) as held:
        nominate(gk, "cy")
    assert held.value.errors == {"badge": ["this member already holds this badge"]}
    gk.set_status("dan", "suspended", reason="testing")
    with pytest.raises(ValidationError) as inactive:
        nominate(gk, "dan")
    assert "nominee" in inactive.value.errors
    with pytest.raises(MemberInactive):
        nominate(gk, "mo", by="dan")  # a suspended member may not nominate
    assert snapshot(gk)["nominations"] == before["nominations"]


def test_the_database_allows_one_pending_nomination_per_nominee_and_badge(people: GuildKit) -> None:
    gk = people
    nominate(gk)
    ann, bob = gk.member("ann").id, gk.member("bob").id
    row = {"nominee_id": bob, "nominator_id": ann, "badge": CHAMPION, "level": 1, "reason": "again",
           "state": "pending", "needed": 2, "role": "moderator", "approvals": 0, "created_at": gk.clock(),
           "withdraw_reason": ""}  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError), gk.store.engine.begin() as conn:
        conn.execute(NOMINATIONS.insert().values(row))
    with gk.store.engine.begin() as conn:  # a decided one may sit beside it
        conn.execute(NOMINATIONS.insert().values({**row, "state": "rejected"}))
    with pytest.raises(sa.exc.IntegrityError), gk.store.engine.begin() as conn:
        conn.execute(NOMINATIONS.insert().values({**row, "state": "pending", "nominee_id": ann}))  # oneself


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("ann", NotAllowed),  # approving one's own nomination
        ("bob", NotAllowed),  # the nominee
        ("dan", NotAllowed),  # no moderator role
    ],
)
def test_only_approvers_who_are_not_a_party_may_decide(people: GuildKit, who: str, error: type[Exception]) -> None:
    gk = people
    nomination_id = nominate(gk)
    before = snapshot(gk)
    for decide in (gk.nominations.approve, gk.nominations.reject):
        with pytest.raises(error):
            decide(who, nomination_id, reason="Me!")
    assert snapshot(gk) == before


def test_a_moderator_nominated_or_nominating_cannot_decide_on_it(people: GuildKit) -> None:
    gk = people
    nomination_id = nominate(gk, "cy", by="mo")
    for who in ("mo", "cy"):
        with pytest.raises(NotAllowed):
            gk.nominations.approve(who, nomination_id, reason="Yes.")
    assert gk.nominations.approve("max", nomination_id, reason="Yes.").approvals == 1


def test_each_approver_votes_once_and_withdrawing_is_the_nominators(people: GuildKit) -> None:
    gk = people
    nomination_id = nominate(gk)
    gk.nominations.approve("mo", nomination_id, reason="Yes.")
    before = snapshot(gk)
    with pytest.raises(AlreadyVoted):
        gk.nominations.approve("mo", nomination_id, reason="Yes again.")
    with pytest.raises(AlreadyVoted):
        gk.nominations.reject("mo", nomination_id, reason="Changed my mind.")
    with pytest.raises(NotAllowed):
        gk.nominations.withdraw("mo", nomination_id)
    with pytest.raises(ValidationError):
        gk.nominations.approve("max", nomination_id, reason="")
    with pytest.raises(UnknownNomination):
        gk.nominations.approve("max", 999_999, reason="Yes.")
    assert snapshot(gk) == before
    with gk.store.engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(VOTES.insert().values(nomination_id=nomination_id, approver_id=gk.member("mo").id,
                                           decision="approve", reason="twice", created_at=gk.clock()))  # fmt: skip
    withdrawn = gk.nominations.withdraw("ann", nomination_id, reason="Bob asked me not to.")
    assert (withdrawn.state, withdrawn.withdraw_reason, withdrawn.decided_by) == (
        "withdrawn",
        "Bob asked me not to.",
        "ann",
    )


def test_approvals_snapshot_the_rule_and_a_badge_config_can_ask_for_more(
    gk_backend: str, tmp_path: Path, gk_clock: Clock
) -> None:
    config = {
        "GUILDKIT_NOMINATIONS_BADGES": {"supporter": {"approvals": 3, "role": "trusted"}, "answerer": None},
        "GUILDKIT_NOMINATIONS_APPROVALS": 1,
    }
    with make_app(gk_backend, tmp_path, config=config, plugins=(qa_rules,), clock=gk_clock) as (_app, gk):
        for user in ("ann", "bob", "t1", "t2", "t3", "mo"):
            gk.join(user, name=user.title())
        for user in ("t1", "t2", "t3"):
            gk.award(user, role="trusted", reason="setup")
        gk.award("mo", role="moderator", reason="setup")
        options = [(o.badge, o.level, o.approvals, o.role) for o in gk.nominations.badges()]
        assert options == [
            ("supporter", 1, 3, "trusted"),
            ("answerer", 1, 1, "moderator"),
            ("answerer", 2, 1, "moderator"),
            ("answerer", 3, 1, "moderator"),
        ]
        assert CHAMPION not in gk.registry.badges  # the feature's own badge only while nominatable
        supporter = nominate(gk, badge="supporter")
        with pytest.raises(NotAllowed):
            gk.nominations.approve("mo", supporter, reason="Not my role.")
        for user in ("t1", "t2"):
            assert gk.nominations.approve(user, supporter, reason="Yes.").state == "pending"
        assert gk.nominations.approve("t3", supporter, reason="Yes.").state == "approved"
        gold = nominate(gk, badge="answerer", level=3)
        assert gk.nominations.approve("mo", gold, reason="Yes.").state == "approved"
        levels = {(b.badge_slug, b.level) for b in gk.badges("bob")}
        assert levels == {("supporter", 1), ("answerer", 3)}


# -- expiry -------------------------------------------------------------------------------------------


def test_a_nomination_past_its_time_expires_and_another_may_follow(
    people: GuildKit, gk_clock: Clock, told: Told
) -> None:
    gk = people
    nomination_id = nominate(gk)
    gk.nominations.approve("mo", nomination_id, reason="Yes.")
    gk_clock.advance(days=30, seconds=1)
    overdue = gk.nominations.get(nomination_id)
    assert (overdue.stored_state, overdue.state) == ("pending", "expired")  # reads as expired at once
    with pytest.raises(InvalidTransition):
        gk.nominations.approve("max", nomination_id, reason="Too late.")
    assert gk.nominations.queue("max") == []
    again = nominate(gk, by="dan")  # the overdue one is expired on the way: it does not block
    assert gk.nominations.get(nomination_id).stored_state == "expired"
    assert gk.nominations.get(again).state == "pending"
    assert [(d.nomination_id, d.state, d.by) for d in told.decisions] == [(nomination_id, "expired", None)]
    assert notes_of(gk, "ann")[-1] == (
        "nominations.decided",
        "Your nomination of Bob for Community Champion expired before it had the approvals it needed.",
    )
    assert gk.nominations.expire() == 0


def test_expiry_can_be_switched_off(gk_backend: str, tmp_path: Path, gk_clock: Clock) -> None:
    config = {"GUILDKIT_NOMINATIONS_EXPIRE_DAYS": None}
    with make_app(gk_backend, tmp_path, config=config, clock=gk_clock) as (_app, gk):
        for user in ("ann", "bob"):
            gk.join(user)
        nomination_id = nominate(gk)
        gk_clock.advance(days=3650)
        assert gk.nominations.expire() == 0
        assert gk.nominations.get(nomination_id).state == "pending"


# -- reading and visibility ---------------------------------------------------------------------------


def test_who_sees_what(people: GuildKit) -> None:
    gk = people
    gk.join("boss")
    gk.award("boss", role="admin", reason="setup")
    pending = gk.nominations.get(nominate(gk))
    see = {who: gk.nominations.can_see(pending.id, who) for who in ("ann", "bob", "mo", "dan", "boss", None)}
    assert see == {"ann": True, "bob": False, "mo": True, "dan": False, "boss": True, None: False}
    with pytest.raises(UnknownNomination):
        gk.nominations.visible(pending.id, "bob")
    assert [n.id for n in gk.nominations.queue("mo")] == [pending.id]
    assert gk.nominations.queue("dan") == [] and gk.nominations.queue("ann") == []
    assert gk.nominations.may_decide(pending.id, "mo") and not gk.nominations.may_decide(pending.id, "ann")
    gk.nominations.approve("mo", pending.id, reason="Yes.")
    assert gk.nominations.queue("mo") == []
    approved = gk.nominations.approve("max", pending.id, reason="Yes.")
    assert all(gk.nominations.can_see(approved.id, who) for who in ("bob", "dan", None))
    assert [n.id for n in gk.nominations.approved_of("bob")] == [approved.id]
    assert [n.id for n in gk.nominations.made_by("ann")] == [approved.id]


@pytest.mark.parametrize("nomination_id", ["1", 0, True, 2**31, 2**40, 2**64], ids=repr)
def test_an_id_no_nomination_can_have_names_none(people: GuildKit, nomination_id: Any) -> None:
    gk = people
    nominate(gk)
    before = snapshot(gk)
    for call in (
        lambda: gk.nominations.get(nomination_id),
        lambda: gk.nominations.can_see(nomination_id, "ann"),
        lambda: gk.nominations.may_decide(nomination_id, "mo"),
        lambda: gk.nominations.approve("mo", nomination_id, reason="Yes."),
    ):
        with pytest.raises(UnknownNomination):
            call()
    assert snapshot(gk) == before


def test_bad_arguments_are_refused_naming_the_field(people: GuildKit) -> None:
    gk = people
    nomination_id = nominate(gk)
    refused: list[tuple[str, Any]] = [
        ("viewer", lambda: gk.nominations.can_see(nomination_id, "mo\x00")),
        ("viewer", lambda: gk.nominations.may_decide(nomination_id, ["mo"])),
        ("before", lambda: gk.nominations.made_by("ann", before=2**40)),
        ("before", lambda: gk.nominations.list(before="9")),
        ("after", lambda: gk.nominations.queue("mo", after=2**31)),
        ("state", lambda: gk.nominations.list(state=["pending"])),
    ]
    for field, call in refused:
        with pytest.raises(ValidationError) as bad:
            call()
        assert bad.value.field == field
    assert gk.nominations.can_see(nomination_id, 12345) is False  # an int user id, as the host may give


# -- config ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"GUILDKIT_NOMINATIONS_BADGES": ["helper"]},
        {"GUILDKIT_NOMINATIONS_BADGES": {"Not A Slug": {}}},
        {"GUILDKIT_NOMINATIONS_BADGES": {"helper": {"approvals": 0}}},
        {"GUILDKIT_NOMINATIONS_BADGES": {"helper": {"quorum": 2}}},
        {"GUILDKIT_NOMINATIONS_BADGES": {"helper": {"role": ""}}},
        {"GUILDKIT_NOMINATIONS_APPROVALS": "two"},
        {"GUILDKIT_NOMINATIONS_APPROVALS": 21},
        {"GUILDKIT_NOMINATIONS_ROLE": None},
        {"GUILDKIT_NOMINATIONS_EXPIRE_DAYS": 0},
        {"GUILDKIT_NOMINATIONS_EXPIRE_DAYS": True},
    ],
)
def test_a_malformed_config_fails_start_up(tmp_path: Path, config: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="GUILDKIT_NOMINATIONS"), make_app("sqlite", tmp_path, config=config):
        pass


def test_badges_and_roles_the_registry_lacks_are_left_out_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = {"GUILDKIT_NOMINATIONS_BADGES": {"no-such-badge": {}, "regular": {"role": "no-such-role"}, CHAMPION: {}}}
    with make_app("sqlite", tmp_path, config=config, plugins=(qa_rules,)) as (app, gk):
        assert [o.badge for o in gk.nominations.badges()] == [CHAMPION]
        assert gk.nominations.problems() == [
            "GUILDKIT_NOMINATIONS_BADGES names the badge 'no-such-badge', which does not exist",
            "GUILDKIT_NOMINATIONS_BADGES['regular']: approvers hold the role 'no-such-role', which does not exist",
        ]
        assert "no-such-badge" in caplog.text
        result = app.test_cli_runner().invoke(args=["guildkit", "nominations", "check"])
        assert result.exit_code == 1 and "no-such-role" in result.output
        gk.join("ann")
        gk.join("bob")
        with pytest.raises(NotNominatable):
            gk.nominations.nominate("ann", "bob", badge="regular", reason=REASON)
    with make_app("sqlite", tmp_path / "fine", plugins=(qa_rules,)) as (app, gk):
        result = app.test_cli_runner().invoke(args=["guildkit", "nominations", "check"])
        assert result.exit_code == 0 and '"community-champion"' in result.output


def test_the_notification_kinds_are_declared(people: GuildKit) -> None:
    from guildkit.notifications.kinds import registered

    kinds = registered(people)
    assert {"nominations.awaiting", "nominations.decided", "nominations.approved"} <= set(kinds)


# -- privacy ---------------------------------------------------------------------------------------------


def test_the_export_has_what_they_made_received_and_decided(people: GuildKit) -> None:
    gk = people
    nomination_id = nominate(gk)
    gk.nominations.approve("mo", nomination_id, reason="Deserved.")
    bob = gk.privacy.export("bob")["plugins"]["nominations"]
    assert [(n["id"], n["nominator"], n["reason"], n["state"]) for n in bob["received"]] == [
        (nomination_id, "ann", REASON, "pending")
    ]
    assert bob["received"][0]["decisions"][0]["reason"] == "Deserved."
    assert "approver" not in bob["received"][0]["decisions"][0]
    ann = gk.privacy.export("ann")["plugins"]["nominations"]
    assert [(n["nominee"], n["reason"]) for n in ann["made"]] == [("bob", REASON)]
    mo = gk.privacy.export("mo")["plugins"]["nominations"]
    assert [(v["nomination_id"], v["decision"]) for v in mo["decisions_given"]] == [(nomination_id, "approve")]
    assert gk.privacy.export("dan")["plugins"].get("nominations") is None


def test_erasing_a_nominator_withdraws_their_pending_nominations_and_empties_their_words(
    people: GuildKit, told: Told
) -> None:
    gk = people
    pending = nominate(gk)
    gk.nominations.approve("mo", pending, reason="Ann said Bob helps.")
    approved = nominate(gk, "dan")
    for who in ("mo", "max"):
        gk.nominations.approve(who, approved, reason="Yes.")
    gk.privacy.erase("ann", confirm=True, reason="asked to")
    first, second = gk.nominations.get(pending), gk.nominations.get(approved)
    assert (first.state, first.reason, second.state, second.reason) == ("withdrawn", "", "approved", "")
    assert first.nominator.startswith("erased:") and badges_of(gk, "dan") == [CHAMPION]
    assert [(d.nomination_id, d.state) for d in told.decisions][-1] == (pending, "withdrawn")
    assert "Ann" not in first.votes[0].reason  # text about them is scrubbed
    for who in ("mo", "max", "cy"):
        assert all("Ann" not in text for _kind, text in notes_of(gk, who))


def test_erasing_a_nominee_or_an_approver(people: GuildKit) -> None:
    gk = people
    about_bob = nominate(gk)
    gk.nominations.approve("mo", about_bob, reason="Bob is great.")
    gk.privacy.erase("bob", confirm=True, reason="asked to")
    found = gk.nominations.get(about_bob)
    assert found.state == "withdrawn" and "Bob" not in found.votes[0].reason
    left = f"Nomination #{about_bob} was withdrawn: the member you nominated left the community."
    assert notes_of(gk, "ann")[-1][1] == left
    about_dan = nominate(gk, "dan")
    gk.nominations.approve("max", about_dan, reason="My own words.")
    gk.privacy.erase("max", confirm=True, reason="asked to")
    vote = gk.nominations.get(about_dan).votes[0]
    assert (vote.reason, vote.approver.startswith("erased:")) == ("", True)
    assert gk.nominations.get(about_dan).state == "pending"  # the approval still counts
