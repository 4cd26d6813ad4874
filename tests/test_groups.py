"""Groups: the membership machine (every state and action), policies, capacity, roles, the host's
API and the service other features use (guildkit/groups, docs/groups.md). Each test runs on every
backend (``gk_backend``); nothing refused writes anything."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit
from guildkit.errors import CapacityReached, MemberInactive, NotAllowed, ValidationError
from guildkit.groups import transitions
from guildkit.groups.errors import (
    GroupFull,
    MembershipRefused,
    PolicyRefused,
    TooManyGroups,
    UnknownGoal,
    UnknownGroup,
)
from guildkit.groups.models import Group, GroupMembership
from guildkit.models import Activity, AuditRecord, Member, Notification, table_of
from guildkit.testing import Clock, make_app
from tests.plugins import qa_rules

GROUPS = table_of(Group)
MEMBERSHIPS = table_of(GroupMembership)
NOW = datetime(2027, 5, 10, 12, tzinfo=UTC)


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_GROUPS_CREATE": "members"}


@pytest.fixture
def people(gk: GuildKit, gk_clock: Clock) -> list[str]:
    gk_clock.set(NOW)
    users = ["own", "ann", "bob", "cat", "dan", "eve"]
    for user in users:
        gk.join(user, name=user.title())
    gk.join("boss", name="Boss")
    gk.award("boss", role="admin", reason="setup")
    return users


def snapshot(gk: GuildKit) -> dict[str, Any]:
    """Everything a membership action may write."""
    with gk.store.engine.connect() as conn:
        return {
            "memberships": sorted(tuple(r) for r in conn.execute(sa.select(MEMBERSHIPS)).all()),
            "counts": sorted(tuple(r) for r in conn.execute(sa.select(GROUPS.c.id, GROUPS.c.member_count)).all()),
            "members": conn.scalar(sa.select(sa.func.count()).select_from(table_of(Member))),
            "activities": conn.scalar(sa.select(sa.func.count()).select_from(table_of(Activity))),
            "notifications": conn.scalar(sa.select(sa.func.count()).select_from(table_of(Notification))),
            "audit": conn.scalar(sa.select(sa.func.count()).select_from(table_of(AuditRecord))),
        }


def stored_count(gk: GuildKit, group_id: int) -> tuple[int, int]:
    """(member_count on the group, member rows counted by hand)."""
    with gk.store.engine.connect() as conn:
        kept = conn.scalar(sa.select(GROUPS.c.member_count).where(GROUPS.c.id == group_id))
        counted = conn.scalar(
            sa.select(sa.func.count()).where(MEMBERSHIPS.c.group_id == group_id, MEMBERSHIPS.c.state == "member")
        )
    return int(kept or 0), int(counted or 0)


# -- the machine: every (state, action) pair ---------------------------------------------------


def _put_in(gk: GuildKit, group_id: int, user: str, state: str) -> None:
    """Bring ``user`` to ``state`` with the group (made taking requests, by "own")."""
    if state == "requested":
        gk.groups.request(group_id, user)
    elif state == "invited":
        gk.groups.invite("own", group_id, user)
    elif state == "member":
        gk.groups.add(group_id, user)


def test_every_state_and_action_pair_moves_as_the_table_says_or_is_refused_writing_nothing(
    gk: GuildKit, people: list[str]
) -> None:
    pairs = [(state, action) for state in transitions.STATES for action in transitions.ACTIONS]
    checked = []
    for n, (state, action) in enumerate(pairs):
        group = gk.groups.create("own", name=f"Group {n}", policy="request")
        user = f"user-{n}"
        gk.join(user, name=f"User {n}")
        _put_in(gk, group.id, user, state)
        # The policy that lets the action through when the table allows it.
        gk.groups.update("own", group.id, policy={"join": "open", "request": "request"}.get(action, "request"))
        expected = transitions.TABLE.get((state, action))
        before = snapshot(gk)
        by = "own" if transitions.ACTOR[action] == "manager" else None
        if expected is None:
            with pytest.raises(MembershipRefused) as refused:
                gk.groups.act(action, group.id, user, by=by)
            assert (refused.value.state, refused.value.action) == (state, action)
            assert refused.value.message and "cannot" not in refused.value.message  # a sentence, not parts
            assert snapshot(gk) == before, (state, action)
        else:
            after = gk.groups.act(action, group.id, user, by=by)
            assert (after.state if after else transitions.NONE) == expected, (state, action)
            found = gk.groups.membership(group.id, user)
            assert (found.state if found else transitions.NONE) == expected
            assert stored_count(gk, group.id)[0] == stored_count(gk, group.id)[1]
        checked.append((state, action))
    assert len(checked) == len(transitions.STATES) * len(transitions.ACTIONS) == 44
    # Every pair the table names leads to a state of the machine, and each action has one actor.
    assert set(transitions.TABLE.values()) <= set(transitions.STATES)
    assert set(transitions.ACTOR) == set(transitions.ACTIONS)


@pytest.mark.parametrize(
    ("policy", "action", "code"),
    [("invite", "join", "group_policy"), ("request", "join", "group_policy"), ("open", "request", "group_policy"),
     ("invite", "request", "group_policy")],
)  # fmt: skip
def test_a_policy_refuses_the_ways_in_it_does_not_take_writing_nothing(
    gk: GuildKit, people: list[str], policy: str, action: str, code: str
) -> None:
    group = gk.groups.create("own", name="Closed", policy=policy)
    before = snapshot(gk)
    with pytest.raises(PolicyRefused) as refused:
        gk.groups.act(action, group.id, "ann")
    assert refused.value.code == code and refused.value.policy == policy
    assert isinstance(refused.value, NotAllowed)
    assert snapshot(gk) == before


def test_an_invitation_is_the_way_into_an_invite_only_group(gk: GuildKit, people: list[str]) -> None:
    group = gk.groups.create("own", name="Inner circle", policy="invite")
    with pytest.raises(PolicyRefused):
        gk.groups.join(group.id, "ann")
    gk.groups.invite("own", group.id, "ann")
    assert gk.groups.accept(group.id, "ann").state == "member"
    with gk.store.engine.connect() as conn:
        assert gk.groups.members_of(conn, group.id) == [gk.member("own").id, gk.member("ann").id]


def test_joining_twice_is_refused_clearly_and_writes_nothing(gk: GuildKit, people: list[str]) -> None:
    group = gk.groups.create("own", name="Open", policy="open")
    gk.groups.join(group.id, "ann")
    before = snapshot(gk)
    with pytest.raises(MembershipRefused, match="already a member"):
        gk.groups.join(group.id, "ann")
    assert snapshot(gk) == before
    assert gk.groups.get(group.id).member_count == 2


def test_a_full_group_refuses_every_way_in_and_writes_nothing(gk: GuildKit, people: list[str]) -> None:
    group = gk.groups.create("own", name="Small", policy="request", capacity=2)
    gk.groups.request(group.id, "ann")
    gk.groups.request(group.id, "bob")
    gk.groups.invite("own", group.id, "cat")
    gk.groups.approve("own", group.id, "ann")  # own and ann: full
    assert gk.groups.get(group.id).full
    attempts: list[Callable[[], object]] = [
        lambda: gk.groups.approve("own", group.id, "bob"),
        lambda: gk.groups.accept(group.id, "cat"),
        lambda: gk.groups.add(group.id, "dan"),
    ]
    for attempt in attempts:
        before = snapshot(gk)
        with pytest.raises(GroupFull) as full:
            attempt()
        assert isinstance(full.value, CapacityReached) and full.value.capacity == 2
        assert snapshot(gk) == before
    gk.groups.update("own", group.id, policy="open")
    with pytest.raises(GroupFull):
        gk.groups.join(group.id, "eve")
    with pytest.raises(ValidationError) as low:
        gk.groups.update("own", group.id, capacity=1)
    assert low.value.field == "capacity"
    gk.groups.leave(group.id, "ann")
    assert gk.groups.join(group.id, "eve").state == "member"


def test_a_member_belongs_to_at_most_the_configured_number_of_groups(
    gk_clock: Clock, tmp_path: Path, gk_backend: str
) -> None:
    config = {"GUILDKIT_GROUPS_MAX_PER_MEMBER": 2}
    with make_app(gk_backend, tmp_path, plugins=(qa_rules,), clock=gk_clock, config=config) as (_app, gk):
        gk.join("ann", name="Ann")
        ids = [gk.groups.create(None, name=f"G{n}", policy="open").id for n in range(3)]
        gk.groups.join(ids[0], "ann")
        gk.groups.join(ids[1], "ann")
        before = snapshot(gk)
        with pytest.raises(TooManyGroups):
            gk.groups.join(ids[2], "ann")
        assert snapshot(gk) == before


def test_who_may_manage_and_what_owners_alone_may_do(gk: GuildKit, people: list[str]) -> None:
    group = gk.groups.create("own", name="Team", policy="request")
    for user in ("ann", "bob", "cat"):
        gk.groups.add(group.id, user)
    gk.groups.request(group.id, "dan")
    with pytest.raises(NotAllowed):  # a plain member manages nothing
        gk.groups.approve("ann", group.id, "dan")
    with pytest.raises(NotAllowed):  # roles are an owner's to give
        gk.groups.set_role("ann", group.id, "bob", "maintainer")
    assert gk.groups.set_role("own", group.id, "ann", "maintainer").role == "maintainer"
    assert gk.groups.approve("ann", group.id, "dan").state == "member"  # a maintainer approves
    with pytest.raises(NotAllowed):  # ... but removes no owner or maintainer
        gk.groups.remove("ann", group.id, "own")
    assert gk.groups.remove("ann", group.id, "dan") is None
    assert gk.groups.remove("boss", group.id, "ann") is None  # groups.manage acts as an owner
    with pytest.raises(MembershipRefused, match="last owner"):
        gk.groups.leave(group.id, "own")
    with pytest.raises(MembershipRefused, match="needs an owner"):
        gk.groups.set_role("own", group.id, "own", "member")
    gk.groups.set_role("own", group.id, "bob", "owner")
    assert gk.groups.leave(group.id, "own") is None
    assert stored_count(gk, group.id) == (2, 2)


def test_a_suspended_member_cannot_join(gk: GuildKit, people: list[str]) -> None:
    group = gk.groups.create("own", name="Open", policy="open")
    gk.set_status("ann", "suspended", reason="test")
    before = snapshot(gk)
    with pytest.raises(MemberInactive):
        gk.groups.join(group.id, "ann")
    assert snapshot(gk) == before
    with gk.store.engine.connect() as conn:
        assert not gk.groups.can_manage(conn, group.id, gk.member("ann").id)


def test_the_service_other_features_use(gk: GuildKit, people: list[str]) -> None:
    a = gk.groups.create("own", name="Alpha", policy="open")
    b = gk.groups.create("own", name="Beta", policy="open")
    gk.groups.join(a.id, "ann")
    gk.groups.join(b.id, "ann")
    gk.groups.join(b.id, "bob")
    gk.groups.set_role("own", b.id, "bob", "maintainer")
    ann, bob, cat, boss = (gk.member(u).id for u in ("ann", "bob", "cat", "boss"))
    with gk.store.engine.connect() as conn:
        assert gk.groups.group_ids_of(conn, ann) == [a.id, b.id]
        assert gk.groups.group_ids_of(conn, cat) == []
        assert gk.groups.members_of(conn, b.id) == sorted([gk.member("own").id, ann, bob])
        assert gk.groups.can_manage(conn, b.id, bob) and not gk.groups.can_manage(conn, a.id, bob)
        assert not gk.groups.can_manage(conn, a.id, ann)
        assert gk.groups.can_manage(conn, a.id, boss)  # groups.manage (admin)
    found = gk.groups.get(a.id)
    assert (found.name, found.slug, found.url) == ("Alpha", "alpha", None)  # no request: no URL
    with gk.store.engine.connect() as conn:
        assert set(gk.groups.members_of(conn, a.id)) == set(conn.execute(gk.groups.members_query(a.id)).scalars())
    with pytest.raises(UnknownGroup):
        gk.groups.get(10_000)
    with pytest.raises(UnknownGroup):
        gk.groups.find("no-such-group")


#: Ids no group can have: not integers, not positive, or past the 32-bit ids (which PostgreSQL
#: refuses to compare with an ``INTEGER`` column).
NOT_GROUP_IDS = ["1", 0, -1, True, 1.0, 2**31, 2**40, 2**64]


@pytest.mark.parametrize("group_id", NOT_GROUP_IDS, ids=repr)
def test_an_id_no_group_can_have_names_no_group_and_writes_nothing(
    gk: GuildKit, people: list[str], group_id: Any
) -> None:
    gk.groups.create("own", name="Open", policy="open")
    before = snapshot(gk)
    calls: list[Callable[[], object]] = [
        lambda: gk.groups.get(group_id),
        lambda: gk.groups.join(group_id, "ann"),
        lambda: gk.groups.invite("own", group_id, "ann"),
        lambda: gk.groups.add(group_id, "ann"),
        lambda: gk.groups.update(None, group_id, name="Renamed"),
        lambda: gk.groups.membership(group_id, "ann"),
        lambda: gk.groups.memberships(group_id),
        lambda: gk.groups.badges_of(group_id),
        lambda: gk.groups.goals(group_id),
        lambda: gk.groups.manages(group_id, "own"),
        lambda: gk.groups.members_query(group_id),
        lambda: gk.groups.leaderboard(group_id, "reputation"),
    ]
    for call in calls:
        with pytest.raises(UnknownGroup):
            call()
    with gk.store.engine.connect() as conn:
        with pytest.raises(UnknownGroup):
            gk.groups.members_of(conn, group_id)
        with pytest.raises(UnknownGroup):
            gk.groups.can_manage(conn, group_id, gk.member("own").id)
    with pytest.raises(UnknownGoal):
        gk.groups.goal(group_id)
    assert snapshot(gk) == before


def test_the_service_other_features_use_checks_its_arguments(gk: GuildKit, people: list[str]) -> None:
    group = gk.groups.create("own", name="Open", policy="open")
    own = gk.member("own").id
    with pytest.raises(ValidationError) as no_conn:
        gk.groups.group_ids_of(gk.store.engine, own)  # an Engine, not the caller's Connection
    assert no_conn.value.field == "conn"
    with gk.store.engine.connect() as conn:
        for member_id in ("1", None, 0, 2**31, 2**64):
            with pytest.raises(ValidationError) as bad:
                gk.groups.group_ids_of(conn, member_id)  # type: ignore[arg-type]
            assert bad.value.field == "member_id"
            with pytest.raises(ValidationError):
                gk.groups.can_manage(conn, group.id, member_id)  # type: ignore[arg-type]
        assert gk.groups.group_ids_of(conn, own) == [group.id]
        assert gk.groups.can_manage(conn, group.id, own)


def test_bad_arguments_are_refused_naming_the_field(gk: GuildKit, people: list[str]) -> None:
    group = gk.groups.create("own", name="Open", policy="open")
    before = snapshot(gk)
    refused: list[tuple[str, Callable[[], object]]] = [
        ("user_id", lambda: gk.groups.join(group.id, "ann\x00")),
        ("user_id", lambda: gk.groups.groups_of(["ann"])),  # type: ignore[arg-type]
        ("user_id", lambda: gk.groups.membership(group.id, 1.5)),  # type: ignore[arg-type]
        ("by", lambda: gk.groups.remove("\ud800", group.id, "ann")),
        ("by", lambda: gk.groups.update(object(), group.id, name="Renamed")),  # type: ignore[arg-type]
        ("action", lambda: gk.groups.act(["join"], group.id, "ann")),  # type: ignore[arg-type]
        ("nmae", lambda: gk.groups.check(nmae="Typo")),
        ("offset", lambda: gk.groups.memberships(group.id, offset=2**40)),
        ("after", lambda: gk.groups.directory(after=("Open", 2**40))),
        ("after", lambda: gk.groups.directory(after=["Open", 1])),  # type: ignore[arg-type]
        ("via", lambda: gk.groups.create(None, name="Made", via="cli\x00")),
        ("period_start", lambda: gk.groups.contributions(1, datetime(2027, 5, 1))),
    ]
    for field, call in refused:
        with pytest.raises(ValidationError) as bad:
            call()
        assert bad.value.field == field
    assert snapshot(gk) == before


def test_the_host_mirrors_its_teams_idempotently(gk: GuildKit, people: list[str]) -> None:
    first = gk.groups.ensure("team:42", name="Platform", capacity=10)
    again = gk.groups.ensure("team:42", name="Platform team", description="Keeps the lights on")
    assert again.id == first.id and again.slug == "platform"  # the address stays
    assert (again.name, again.description, again.capacity) == ("Platform team", "Keeps the lights on", 10)
    assert gk.groups.ensure("team:42", name="Platform team", capacity=None).capacity is None
    with gk.store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(GROUPS.c.host_key == "team:42")) == 1
    assert gk.groups.add(first.id, "ann", role="owner").role == "owner"
    assert gk.groups.add(first.id, "ann", role="owner").role == "owner"  # again: nothing new
    assert gk.groups.get(first.id).member_count == 1
    with pytest.raises(ValidationError) as taken:
        gk.groups.ensure("team:43", name="Other", slug="platform")
    assert taken.value.field == "slug"


def test_making_a_group_checks_every_field_at_once(gk: GuildKit, people: list[str]) -> None:
    before = snapshot(gk)
    with pytest.raises(ValidationError) as bad:
        gk.groups.create(None, name="  ", slug="Not A Slug", policy="closed", capacity=0)
    assert set(bad.value.errors) == {"name", "slug", "policy", "capacity"}
    assert snapshot(gk) == before
    made = gk.groups.create("boss", name="Staff room", slug="staff")
    assert gk.groups.membership(made.id, "boss").role == "owner"
    with pytest.raises(ValidationError) as taken:
        gk.groups.create("boss", name="Another", slug="staff")
    assert taken.value.field == "slug"
    entries = gk.audit_log(area="groups")
    assert "group.create" in {e.action for e in entries}


@pytest.mark.parametrize(("who", "ann_may"), [("permission", False), ("members", True), ("host", False)])
def test_who_may_make_groups_follows_the_config(
    gk_clock: Clock, tmp_path: Path, gk_backend: str, who: str, ann_may: bool
) -> None:
    with make_app(gk_backend, tmp_path, plugins=(qa_rules,), clock=gk_clock,
                  config={"GUILDKIT_GROUPS_CREATE": who}) as (_app, gk):  # fmt: skip
        gk.join("ann", name="Ann")
        gk.join("boss", name="Boss")
        gk.award("boss", role="admin", reason="setup")
        assert gk.groups.may_create("ann") is ann_may
        assert gk.groups.may_create("boss") and gk.groups.may_create(None)  # groups.manage, host code
        if not ann_may:
            with pytest.raises(NotAllowed):
                gk.groups.create("ann", name="Mine")


def test_the_directory_searches_and_pages_by_name(gk: GuildKit, people: list[str]) -> None:
    for name in ("Zeta readers", "Alpha coders", "Beta testers", "Gamma coders"):
        gk.groups.create(None, name=name, description="we like 100% of it")
    first, after = gk.groups.directory(limit=2)
    assert [g.name for g in first] == ["Alpha coders", "Beta testers"] and after is not None
    rest, end = gk.groups.directory(limit=2, after=after)
    assert [g.name for g in rest] == ["Gamma coders", "Zeta readers"] and end is None
    assert [g.name for g in gk.groups.directory(q="CODERS")[0]] == ["Alpha coders", "Gamma coders"]
    assert len(gk.groups.directory(q="100%")[0]) == 4  # % is a character here, not a wildcard
    assert gk.groups.directory(q="_")[0] == []


@pytest.mark.parametrize("threads", [8])
def test_concurrent_joins_for_the_last_places_fill_the_group_exactly(
    gk_app: Any, gk: GuildKit, people: list[str], threads: int
) -> None:
    group = gk.groups.create(None, name="Popular", policy="open", capacity=3)
    users = [f"racer-{n}" for n in range(threads)]
    for user in users:
        gk.join(user, name=user)
    start = threading.Barrier(threads)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def join(user: str) -> None:
        with gk_app.app_context():
            start.wait()
            try:
                gk.groups.join(group.id, user)
                outcomes.append("joined")
            except GroupFull:
                outcomes.append("full")
            except BaseException as exc:  # surfaced below
                failures.append(exc)

    workers = [threading.Thread(target=join, args=(user,)) for user in users]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert failures == []
    assert sorted(outcomes) == ["full"] * (threads - 3) + ["joined"] * 3
    assert stored_count(gk, group.id) == (3, 3)
