"""Kudos (guildkit/kudos, docs/kudos.md): giving from a budget that refills, idempotent gives,
bad input refused with nothing written, the trust minimum, the default rewards (with caps and
the review hook applying), the told hook, the notification, retraction and data rights.
Each test runs on every backend (``gk_backend``)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from guildkit import ActivityView, GuildKit, PointsRule, PointTypeDef, hookimpl
from guildkit.errors import ConfigurationError, MemberInactive, ValidationError
from guildkit.kudos.budget import period_of
from guildkit.kudos.errors import KeyReused, KudosToSelf, OverBudget, TrustTooLow, UnknownKudos, UnknownReceiver
from guildkit.kudos.hookspecs import KudosGiven, kudos_given
from guildkit.kudos.models import Kudos, KudosBudget
from guildkit.models import Activity, Notification, table_of
from guildkit.rules.base import Outcome, Veto
from guildkit.testing import Clock, make_app
from tests.plugins import qa_rules

KUDOS = table_of(Kudos)
BUDGETS = table_of(KudosBudget)
ACTIVITIES = table_of(Activity)
NOTIFICATIONS = table_of(Notification)
#: A Wednesday.
WEDNESDAY = datetime(2027, 3, 17, 12, tzinfo=UTC)


@pytest.fixture
def people(gk: GuildKit, gk_clock: Clock) -> list[str]:
    gk_clock.set(WEDNESDAY - timedelta(days=30))
    users = ["ann", "bob", "cat", "dan", "eve", "fay", "gus"]
    for user in users:
        gk.join(user, name=user.title())
    gk_clock.set(WEDNESDAY)
    return users


def stored(gk: GuildKit) -> dict[str, int]:
    """What giving writes: kudos rows, kudos activities, budget spent, notifications, kudos points."""
    with gk.store.engine.connect() as conn:
        return {
            "kudos": conn.scalar(sa.select(sa.func.count()).select_from(KUDOS)) or 0,
            "activities": conn.scalar(
                sa.select(sa.func.count()).select_from(ACTIVITIES).where(ACTIVITIES.c.type == "kudos.given")
            )
            or 0,
            "used": conn.scalar(sa.select(sa.func.coalesce(sa.func.sum(BUDGETS.c.used), 0))) or 0,
            "notes": conn.scalar(
                sa.select(sa.func.count()).select_from(NOTIFICATIONS).where(NOTIFICATIONS.c.kind == "kudos.given")
            )
            or 0,
        }


# -- giving ---------------------------------------------------------------------------------


def test_a_kudos_is_stored_recorded_rewarded_and_spends_one(gk: GuildKit, people: list[str]) -> None:
    given = gk.kudos.give("ann", "bob", "  Thanks for the review!\r\nIt helped.  ")
    assert (given.giver, given.receiver, given.message) == ("ann", "bob", "Thanks for the review!\nIt helped.")
    assert given.points == (("kudos-points", 10),) and not given.duplicate
    assert given.period == date(2027, 3, 15)  # the Monday of its week
    assert gk.balance("bob", "kudos-points") == 10
    assert gk.balances("ann") == {}  # giving earns the giver no points
    assert stored(gk) == {"kudos": 1, "activities": 1, "used": 1, "notes": 1}
    budget = gk.kudos.budget("ann")
    assert (budget.budget, budget.used, budget.left, budget.period) == (5, 1, 4, "week")
    assert budget.refills_at == datetime(2027, 3, 22, tzinfo=UTC)
    assert gk.kudos.get(given.id) == dataclasses.replace(given, duplicate=False)
    activity = gk.session.execute(sa.select(ACTIVITIES).where(ACTIVITIES.c.type == "kudos.given")).one()
    assert (activity.key, activity.subject) == (f"guildkit.kudos:{given.id}", f"kudos:{given.id}")


def test_the_same_key_again_returns_the_first_kudos_and_spends_nothing(gk: GuildKit, people: list[str]) -> None:
    first = gk.kudos.give("ann", "bob", "Thanks!", key="click-1")
    again = gk.kudos.give("ann", "bob", "Thanks!", key="click-1")
    assert again.duplicate and again.id == first.id and again.points == first.points
    assert stored(gk) == {"kudos": 1, "activities": 1, "used": 1, "notes": 1}
    with pytest.raises(KeyReused) as refused:
        gk.kudos.give("ann", "bob", "Thanks a lot!", key="click-1")
    assert refused.value.code == "idempotency_conflict"
    with pytest.raises(KeyReused):
        gk.kudos.give("ann", "cat", "Thanks!", key="click-1")
    # Keys are each giver's own: Cat's "click-1" is another give.
    assert not gk.kudos.give("cat", "bob", "Thanks!", key="click-1").duplicate
    assert stored(gk)["kudos"] == 2


def test_the_budget_is_spent_then_refills_on_monday(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    for n, receiver in enumerate(["bob", "cat", "dan", "eve", "fay"]):
        gk.kudos.give("ann", receiver, f"Thanks {n}")
    before = stored(gk)
    with pytest.raises(OverBudget) as refused:
        gk.kudos.give("ann", "gus", "One more")
    assert (refused.value.budget, refused.value.period) == (5, "week")
    assert refused.value.refills_at == datetime(2027, 3, 22, tzinfo=UTC)
    assert refused.value.code == "kudos_budget_spent"
    assert stored(gk) == before  # nothing written: no kudos, no activity, no notification
    assert gk.kudos.budget("ann").can_give is False
    assert gk.kudos.give("bob", "gus", "Bob has his own budget").receiver == "gus"
    gk_clock.set(datetime(2027, 3, 21, 23, 59, tzinfo=UTC))  # Sunday night: still this week
    with pytest.raises(OverBudget):
        gk.kudos.give("ann", "gus", "One more")
    gk_clock.set(datetime(2027, 3, 22, 0, 0, tzinfo=UTC))  # Monday: a new week
    assert gk.kudos.give("ann", "gus", "One more").period == date(2027, 3, 22)
    assert gk.kudos.budget("ann").left == 4


@pytest.mark.parametrize(
    ("period", "moment", "start", "refill"),
    [
        ("day", datetime(2027, 3, 17, 22, 30, tzinfo=UTC), date(2027, 3, 17), datetime(2027, 3, 18)),
        ("week", datetime(2027, 3, 17, 12, tzinfo=UTC), date(2027, 3, 15), datetime(2027, 3, 22)),
        ("week", datetime(2027, 3, 21, 23, 30, tzinfo=UTC), date(2027, 3, 22), datetime(2027, 3, 29)),
        ("month", datetime(2027, 12, 31, 12, tzinfo=UTC), date(2027, 12, 1), datetime(2028, 1, 1)),
        ("month", datetime(2027, 2, 28, 23, 30, tzinfo=UTC), date(2027, 3, 1), datetime(2027, 4, 1)),
    ],
)
def test_periods_start_at_midnight_in_the_community_time_zone(
    period: str, moment: datetime, start: date, refill: datetime
) -> None:
    berlin = ZoneInfo("Europe/Berlin")  # Sunday 23:30 UTC is Monday 00:30 in Berlin
    found = period_of(moment, period, berlin)
    assert found.start == start and found.refills_at == refill.replace(tzinfo=berlin)


def test_a_week_across_the_change_to_summer_time_refills_at_local_midnight() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    found = period_of(datetime(2027, 3, 27, 12, tzinfo=UTC), "week", berlin)  # clocks go forward on the 28th
    assert found.refills_at.astimezone(UTC) == datetime(2027, 3, 28, 22, tzinfo=UTC)


# -- bad input: a clear error, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("receiver", "message", "error", "field"),
    [
        ("ann", "Thanks me", KudosToSelf, "receiver"),
        ("nobody", "Thanks", UnknownReceiver, "receiver"),
        ("", "Thanks", ValidationError, "receiver"),
        (None, "Thanks", ValidationError, "receiver"),
        ("bob", "", ValidationError, "message"),
        ("bob", "   \n ", ValidationError, "message"),
        ("bob", "x" * 281, ValidationError, "message"),
        ("bob", "bell\x07", ValidationError, "message"),
        ("bob", 42, ValidationError, "message"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    gk: GuildKit, people: list[str], receiver: Any, message: Any, error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as refused:
        gk.kudos.give("ann", receiver, message)
    assert isinstance(refused.value, ValidationError) and field in refused.value.errors
    assert stored(gk) == {"kudos": 0, "activities": 0, "used": 0, "notes": 0}


def test_every_bad_field_is_named_at_once(gk: GuildKit, people: list[str]) -> None:
    with pytest.raises(ValidationError) as refused:
        gk.kudos.give("ann", "ann", "", key="k" * 101)
    assert set(refused.value.errors) == {"receiver", "message", "key"}
    assert stored(gk)["kudos"] == 0


@pytest.mark.parametrize("kudos_id", ["1", 0, True, 2**31, 2**40, 2**64], ids=repr)
def test_an_id_no_kudos_can_have_names_none(gk: GuildKit, people: list[str], kudos_id: Any) -> None:
    with pytest.raises(UnknownKudos):
        gk.kudos.get(kudos_id)
    with pytest.raises(ValidationError) as bad:
        gk.kudos.wall(before=(WEDNESDAY, kudos_id))
    assert bad.value.field == "before"


def test_kudos_to_a_member_who_is_not_active_or_from_a_suspended_one(gk: GuildKit, people: list[str]) -> None:
    gk.set_status("bob", "suspended", reason="spam")
    with pytest.raises(UnknownReceiver) as refused:
        gk.kudos.give("ann", "bob", "Thanks")
    assert "not an active member" in refused.value.message
    with pytest.raises(MemberInactive):
        gk.kudos.give("bob", "ann", "Thanks")
    assert stored(gk) == {"kudos": 0, "activities": 0, "used": 0, "notes": 0}


def test_a_host_user_who_never_took_part_can_give_and_becomes_a_member(gk: GuildKit, people: list[str]) -> None:
    assert gk.kudos.budget("newcomer").left == 5
    gk.kudos.give("newcomer", "ann", "Welcome thanks")
    assert gk.member("newcomer").status == "active"


# -- the trust minimum ----------------------------------------------------------------------


def test_the_trust_minimum_is_asked_of_the_trust_feature(tmp_path: Path, gk_backend: str, gk_clock: Clock) -> None:
    config = {"GUILDKIT_KUDOS_MIN_TRUST_LEVEL": 2}
    with make_app(gk_backend, tmp_path, config=config, clock=gk_clock) as (_, gk):
        for user in ("ann", "bob"):
            gk.join(user)
        budget = gk.kudos.budget("ann")
        assert (budget.trusted, budget.can_give, budget.min_trust_level) == (False, False, 2)
        with pytest.raises(TrustTooLow) as refused:
            gk.kudos.give("ann", "bob", "Thanks")
        assert (refused.value.level, refused.value.required) == (0, 2)
        assert stored(gk) == {"kudos": 0, "activities": 0, "used": 0, "notes": 0}
        gk.trust.set_level("ann", 2, reason="known")
        assert gk.kudos.give("ann", "bob", "Thanks").receiver == "bob"
        assert gk.kudos.budget("ann").trusted


def test_with_trust_switched_off_there_is_no_minimum(tmp_path: Path, gk_backend: str, gk_clock: Clock) -> None:
    config = {"GUILDKIT_KUDOS_MIN_TRUST_LEVEL": 3, "GUILDKIT_PLUGINS_DENY": ["guildkit.trust", "guildkit.moderation"]}
    with make_app(gk_backend, tmp_path, config=config, clock=gk_clock) as (_, gk):
        gk.join("ann")
        gk.join("bob")
        assert gk.kudos.give("ann", "bob", "Thanks").receiver == "bob"
        assert gk.kudos.budget("ann").min_trust_level == 0


# -- rewards: the defaults, caps and the review hook ------------------------------------------


def test_the_generous_badge_goes_to_givers_in_tiers(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    receivers = ["bob", "cat", "dan", "eve", "fay"]
    for n, receiver in enumerate(receivers[:4]):
        gk.kudos.give("ann", receiver, f"Thanks {n}")
    assert gk.badges("ann") == []
    gk.kudos.give("ann", "fay", "Five")
    assert [(b.badge_slug, b.level) for b in gk.badges("ann")] == [("kudos-giver", 1)]
    assert gk.registry.badges["kudos-giver"].level_title(1) == "Generous"
    assert gk.badges("fay") == []  # receiving is not giving


def test_the_pair_cap_limits_what_one_giver_earns_one_receiver(gk: GuildKit, people: list[str]) -> None:
    earned = [gk.kudos.give("ann", "bob", f"Thanks {n}").points for n in range(4)]
    assert earned == [(("kudos-points", 10),)] * 3 + [()]  # 30 a week from one giver
    assert gk.balance("bob", "kudos-points") == 30
    assert gk.kudos.give("cat", "bob", "Me too").points == (("kudos-points", 10),)
    assert stored(gk)["kudos"] == 5  # the capped kudos is on the wall all the same


def test_a_host_rule_on_kudos_is_capped_like_any_rule(gk: GuildKit, people: list[str]) -> None:
    gk.define(
        point_types=[PointTypeDef("karma", "Karma", daily_cap=25)],
        rules=[PointsRule("kudos-karma", "kudos.given", 10, "karma", to="target")],
    )
    for giver in ("ann", "cat", "dan"):
        gk.kudos.give(giver, "bob", "Thanks")
    assert gk.balance("bob", "karma") == 25  # 10 + 10 + 5: the daily cap
    assert gk.balance("bob", "kudos-points") == 30


class VetoKudosPoints:
    """An anti-abuse plugin: no points for kudos between members it suspects."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def guildkit_review_award(self, activity: ActivityView, rule: str, outcome: Outcome) -> Outcome | Veto | None:
        self.seen.append(rule)
        if activity.type == "kudos.given" and activity.actor_user_id == "eve":
            return Veto("eve's kudos are under review")
        return None


def test_the_review_hook_can_veto_what_a_kudos_earns(tmp_path: Path, gk_backend: str, gk_clock: Clock) -> None:
    reviewer = VetoKudosPoints()
    with make_app(gk_backend, tmp_path, plugins=(qa_rules, reviewer), clock=gk_clock) as (_, gk):
        for user in ("ann", "bob", "eve"):
            gk.join(user)
        vetoed = gk.kudos.give("eve", "bob", "Thanks from a sock puppet")
        assert vetoed.points == () and gk.balances("bob") == {}
        assert "kudos-received" in reviewer.seen
        assert gk.kudos.get(vetoed.id).message == "Thanks from a sock puppet"  # the kudos itself stands
        assert gk.kudos.give("ann", "bob", "Real thanks").points == (("kudos-points", 10),)


def test_without_the_default_rewards_kudos_are_still_recorded(tmp_path: Path, gk_backend: str) -> None:
    with make_app(gk_backend, tmp_path, config={"GUILDKIT_KUDOS_REWARDS": False}) as (_, gk):
        assert "kudos-points" not in gk.registry.point_types and "kudos-giver" not in gk.registry.badges
        gk.join("ann")
        gk.join("bob")
        given = gk.kudos.give("ann", "bob", "Thanks")
        assert given.points == () and stored(gk)["activities"] == 1


# -- told after commit, the receiver told, words ------------------------------------------------


class Listener:
    def __init__(self) -> None:
        self.told: list[KudosGiven] = []

    @hookimpl(optionalhook=True)
    def guildkit_kudos_given(self, gk: GuildKit, kudos: KudosGiven) -> None:
        with gk.store.engine.connect() as conn:  # after the commit: the row is there
            assert conn.scalar(sa.select(KUDOS.c.id).where(KUDOS.c.id == kudos.kudos_id)) is not None
        self.told.append(kudos)


def test_guildkit_kudos_given_and_the_signal_are_told_once_after_commit(
    tmp_path: Path, gk_backend: str, gk_clock: Clock
) -> None:
    listener = Listener()
    signalled: list[KudosGiven] = []

    def receive(sender: GuildKit, kudos: KudosGiven) -> None:
        signalled.append(kudos)

    kudos_given.connect(receive)
    try:
        with make_app(gk_backend, tmp_path, plugins=(listener,), clock=gk_clock) as (_, gk):
            gk_clock.set(WEDNESDAY)
            gk.join("ann")
            gk.join("bob")
            given = gk.kudos.give("ann", "bob", "Thanks", key="k1")
            gk.kudos.give("ann", "bob", "Thanks", key="k1")  # a repeat tells nobody
            with pytest.raises(KudosToSelf):
                gk.kudos.give("ann", "ann", "Me")
    finally:
        kudos_given.disconnect(receive)
    expected = KudosGiven(given.id, "ann", "bob", "Thanks", WEDNESDAY, date(2027, 3, 15), f"guildkit.kudos:{given.id}")
    assert listener.told == [expected] and signalled == [expected]
    assert dataclasses.asdict(expected)["giver"] == "ann"  # a webhook can serialise it
    with pytest.raises(dataclasses.FrozenInstanceError):
        expected.message = "changed"  # type: ignore[misc]


def test_the_receiver_is_told_in_a_kind_of_its_own(gk_app: Any, gk: GuildKit, people: list[str]) -> None:
    given = gk.kudos.give("ann", "bob", "Thanks for the review!")
    note = gk.session.execute(sa.select(NOTIFICATIONS).where(NOTIFICATIONS.c.kind == "kudos.given")).one()
    assert note.member_id == gk.member("bob").id
    assert (note.data["actor"], note.data["subject"]) == ("ann", f"kudos:{given.id}")
    with gk_app.test_request_context():
        kinds = gk.notifier.kinds()
    assert str(kinds["kudos.given"].label) == "Kudos"


def test_a_retracted_kudos_leaves_the_wall_and_its_points_go_back(gk: GuildKit, people: list[str]) -> None:
    kept = gk.kudos.give("ann", "bob", "Thanks")
    taken = gk.kudos.give("cat", "bob", "Serial thanks")
    gk.retract(f"guildkit.kudos:{taken.id}", reason="serial voting")
    assert [k.id for k in gk.kudos.wall().items] == [kept.id]
    assert gk.kudos.counts("bob") == {"received": 1, "given": 0}
    assert gk.balance("bob", "kudos-points") == 10
    with pytest.raises(UnknownKudos):
        gk.kudos.get(taken.id)
    assert gk.kudos.budget("cat").used == 1  # the budget spent is not given back


# -- reading --------------------------------------------------------------------------------


def test_the_wall_and_a_members_kudos_page_newest_first(gk: GuildKit, people: list[str]) -> None:
    made = [gk.kudos.give(giver, receiver, f"{giver} thanks {receiver}").id
            for giver, receiver in [("ann", "bob"), ("cat", "bob"), ("bob", "ann"), ("dan", "bob")]]  # fmt: skip
    first = gk.kudos.wall(limit=3)
    assert [k.id for k in first.items] == made[::-1][:3] and first.next_before == (WEDNESDAY, made[1])
    rest = gk.kudos.wall(limit=3, before=first.next_before)
    assert [k.id for k in rest.items] == [made[0]] and rest.next_before is None
    assert [k.giver for k in gk.kudos.received("bob").items] == ["dan", "cat", "ann"]
    assert [k.receiver for k in gk.kudos.given("bob").items] == ["ann"]
    assert gk.kudos.counts("bob") == {"received": 3, "given": 1}
    with pytest.raises(UnknownKudos):
        gk.kudos.get(10**6)
    with pytest.raises(ValidationError):
        gk.kudos.wall(limit=0)
    with pytest.raises(ValidationError):
        gk.kudos.wall(before=(datetime(2027, 3, 17), 1))  # not an aware datetime


def test_pages_go_by_when_kudos_were_given(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    gk_clock.set(WEDNESDAY + timedelta(days=1))
    later = gk.kudos.give("ann", "bob", "Later")
    with gk.clock_at(WEDNESDAY):  # given earlier, stored after (an import, a backdated give)
        earlier = gk.kudos.give("cat", "bob", "Earlier")
    assert [k.id for k in gk.kudos.wall().items] == [later.id, earlier.id]
    page = gk.kudos.received("bob", limit=1)
    assert [k.id for k in page.items] == [later.id]
    assert [k.id for k in gk.kudos.received("bob", limit=1, before=page.next_before).items] == [earlier.id]


# -- data rights ----------------------------------------------------------------------------


def test_export_and_erase(gk: GuildKit, people: list[str]) -> None:
    to_erin = gk.kudos.give("ann", "eve", "Thanks Eve, you rock")
    from_erin = gk.kudos.give("eve", "bob", "Bob, thank you")
    section = gk.privacy.export("eve")["plugins"]["kudos"]
    assert [k["from"] for k in section["received"]] == ["ann"] and [k["to"] for k in section["given"]] == ["bob"]
    assert section["received"][0]["message"] == "Thanks Eve, you rock"
    assert section["budgets"] == [{"period": "2027-03-15", "used": 1}]
    gk.privacy.erase("eve", confirm=True)
    assert gk.kudos.get(from_erin.id).message == ""  # what she wrote is gone
    assert gk.kudos.get(to_erin.id).message == "Thanks A former member, you rock"  # others' words keep, scrubbed
    assert [k.id for k in gk.kudos.wall().items] == [from_erin.id, to_erin.id]
    assert gk.balance("bob", "kudos-points") == 10  # the receiver keeps what they earned
    with gk.store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(BUDGETS).where(
            BUDGETS.c.member_id == gk.member(gk.kudos.get(from_erin.id).giver).id)) == 0  # fmt: skip


# -- setting it up --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("GUILDKIT_KUDOS_BUDGET", 0),
        ("GUILDKIT_KUDOS_BUDGET", True),
        ("GUILDKIT_KUDOS_PERIOD", "fortnight"),
        ("GUILDKIT_KUDOS_MIN_TRUST_LEVEL", 5),
        ("GUILDKIT_KUDOS_MESSAGE_MAX", 0),
        ("GUILDKIT_KUDOS_REWARDS", "yes"),
    ],
)
def test_a_bad_config_value_fails_start_up(tmp_path: Path, key: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=key), make_app("sqlite", tmp_path, config={key: value}):
        pass


def test_a_smaller_budget_and_a_daily_period(tmp_path: Path, gk_backend: str, gk_clock: Clock) -> None:
    config = {"GUILDKIT_KUDOS_BUDGET": 1, "GUILDKIT_KUDOS_PERIOD": "day", "GUILDKIT_TIMEZONE": "Asia/Tokyo"}
    with make_app(gk_backend, tmp_path, config=config, clock=gk_clock) as (_, gk):
        gk_clock.set(datetime(2027, 3, 17, 14, 59, tzinfo=UTC))  # 23:59 in Tokyo
        gk.join("ann")
        gk.join("bob")
        gk.kudos.give("ann", "bob", "Thanks")
        with pytest.raises(OverBudget):
            gk.kudos.give("ann", "bob", "Again")
        gk_clock.set(datetime(2027, 3, 17, 15, 0, tzinfo=UTC))  # midnight in Tokyo
        assert gk.kudos.give("ann", "bob", "Again").period == date(2027, 3, 18)


def test_switched_off_there_is_no_service_and_no_tables(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": ["guildkit.kudos"]}) as (_, gk):
        with pytest.raises(AttributeError, match="GUILDKIT_PLUGINS_DENY"):
            _ = gk.kudos
        assert "kudos.given" not in gk.registry.activity_types
        assert not sa.inspect(gk.store.engine).has_table("guildkit_kudos")
