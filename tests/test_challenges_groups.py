"""Group challenges: a group's members' activities count for the group, a group's owner makes
challenges for it, and on completion every member of the group is rewarded exactly once, also
when many of them finish the last step at once. On every backend (``gk_backend``).

Challenges see groups only through a ``gk.groups`` service. These tests give them one from a
small plugin of their own (:class:`TinyGroups`, below: a real registered plugin with its own
tables, offering exactly the four methods challenges use), with the groups feature switched off,
so they do not depend on how that feature is built."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, hookimpl
from guildkit.challenges.errors import AlreadyJoined
from guildkit.challenges.models import ChallengeParticipant
from guildkit.errors import NotAllowed, NotFound, ValidationError
from guildkit.testing import Clock, make_app
from tests.plugins import qa_rules
from tests.test_challenges import KEYS, Told, Words, rewards_of
from tests.webclient import Site, mount

START = datetime(2027, 3, 1, 9, tzinfo=UTC)
END = START + timedelta(days=7)
DURING = START + timedelta(days=1)
GROUPS = sa.MetaData()
GROUP_ROWS = sa.Table(
    "test_groups",
    GROUPS,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
)
MEMBERSHIPS = sa.Table(
    "test_group_members",
    GROUPS,
    sa.Column("group_id", sa.Integer, sa.ForeignKey("test_groups.id"), primary_key=True),
    sa.Column("member_id", sa.Integer, primary_key=True),
    sa.Column("role", sa.String(20), nullable=False),
)


@dataclass(frozen=True)
class GroupView:
    id: int
    name: str
    slug: str
    url: str | None


class TinyGroups:
    """``gk.groups`` with the four methods challenges use, over two tables of its own."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def group_ids_of(self, conn: sa.Connection, member_id: int) -> list[int]:
        query = sa.select(MEMBERSHIPS.c.group_id).where(MEMBERSHIPS.c.member_id == member_id)
        return sorted(conn.execute(query).scalars())

    def can_manage(self, conn: sa.Connection, group_id: int, member_id: int) -> bool:
        role = conn.scalar(
            sa.select(MEMBERSHIPS.c.role).where(
                MEMBERSHIPS.c.group_id == group_id, MEMBERSHIPS.c.member_id == member_id
            )
        )
        return role in ("owner", "maintainer")

    def get(self, group_id: int) -> GroupView:
        with self.gk.store.engine.connect() as conn:
            name = conn.scalar(sa.select(GROUP_ROWS.c.name).where(GROUP_ROWS.c.id == group_id))
        if name is None:
            raise NotFound(f"no group {group_id}")
        return GroupView(group_id, name, name.lower().replace(" ", "-"), f"/groups/{group_id}")

    def members_of(self, conn: sa.Connection, group_id: int) -> list[int]:
        return sorted(
            conn.execute(sa.select(MEMBERSHIPS.c.member_id).where(MEMBERSHIPS.c.group_id == group_id)).scalars()
        )

    def make(self, name: str, roles: Mapping[str, str]) -> int:
        """A group with these members (user id → role), for the tests."""
        ids = {user: self.gk.member(user).id for user in roles}
        with self.gk.store.engine.begin() as conn:
            group_id = int(
                conn.execute(sa.insert(GROUP_ROWS).values(name=name).returning(GROUP_ROWS.c.id)).scalar_one()
            )
            rows = [{"group_id": group_id, "member_id": ids[user], "role": role} for user, role in roles.items()]
            conn.execute(sa.insert(MEMBERSHIPS), rows)
        return group_id


class TinyGroupsPlugin:
    @hookimpl
    def guildkit_register_services(self, gk: GuildKit) -> dict[str, Any]:
        return {"groups": TinyGroups}

    @hookimpl
    def guildkit_register_tables(self, gk: GuildKit) -> list[sa.Table]:
        return [GROUP_ROWS, MEMBERSHIPS]


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def gk_plugins(told: Told) -> tuple[object, ...]:
    return (qa_rules, Words(), told, TinyGroupsPlugin())


@pytest.fixture
def gk_config() -> dict[str, Any]:
    # The groups feature may offer gk.groups too: these tests use their own.
    return {"GUILDKIT_PLUGINS_DENY": ["guildkit.groups"]}


PEOPLE = ("olga", "mia", "ned", "ivy", "kai", "lou", "max", "zoe", "out")


@pytest.fixture
def world(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    gk_clock.set(START - timedelta(days=2))
    for user in (*PEOPLE, "boss"):
        gk.join(user, name=user.title())
    gk.award("boss", role="admin", reason="setup")
    return gk


@pytest.fixture
def team(world: GuildKit) -> int:
    roles = {user: "member" for user in PEOPLE if user != "out"} | {"olga": "owner"}
    group_id: int = world.groups.make("Night owls", roles)
    return group_id


def make(gk: GuildKit, by: str | None = "boss", **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "title": "Team answers",
        "starts_at": START,
        "ends_at": END,
        "audience": "group",
        "steps": [{"activity_type": "answer.posted", "count": 8}],
        "reward_points": 20,
        "reward_point_type": "reputation",
        "award_badge": True,
    } | extra
    return gk.challenges.create(by, **fields)


def do(gk: GuildKit, user: str, kind: str, times: int = 1) -> None:
    for _ in range(times):
        gk.record(kind, key=f"{kind}:{user}:{next(KEYS)}", actor=user)


def test_a_groups_members_count_together_and_each_is_rewarded_once(
    world: GuildKit, gk_clock: Clock, team: int, told: Told
) -> None:
    made = make(world, steps=[{"activity_type": "answer.posted", "count": 3}])
    joined = world.challenges.join("mia", made.id, group_id=team)
    assert (joined.group_id, joined.user_id, joined.joined_by) == (team, None, "mia")
    gk_clock.set(DURING)
    do(world, "mia", "answer.posted")
    do(world, "out", "answer.posted")  # not in the group
    do(world, "ned", "answer.posted")
    [mine] = world.challenges.progress(made.id, "olga")
    assert (mine.group_id, [s.count for s in mine.steps], mine.completed_at) == (team, [2], None)
    do(world, "ivy", "answer.posted")
    [mine] = world.challenges.progress(made.id, "zoe")
    assert mine.completed_at == DURING and mine.awarded_at == DURING
    members = [user for user in PEOPLE if user != "out"]
    for user in members:
        assert rewards_of(world, user) == [f"challenge:{made.id}:{user}"], user
        assert made.badge in [b.badge_slug for b in world.badges(user)]
        notes = [n.text for n in world.notifications(user) if n.kind == "challenge.completed"]
        assert notes == ["Your group Night owls completed the challenge Team answers: +20 Reputation."]
    assert rewards_of(world, "out") == []
    assert [(c.group_id, c.user_id) for c in told.completions] == [(team, None)]
    assert world.challenges.award_due() == 0  # nothing left for the job


def test_a_group_owner_makes_challenges_for_their_group_only(world: GuildKit, team: int) -> None:
    mine = make(world, by="olga", group_id=team)
    assert mine.group_id == team
    assert world.challenges.managed_groups("olga") == [team] and world.challenges.managed_groups("mia") == []
    with pytest.raises(NotAllowed):
        make(world, by="olga")  # for everyone: needs challenges.manage
    with pytest.raises(NotAllowed):
        make(world, by="mia", group_id=team)  # a member, not an owner
    with pytest.raises(ValidationError) as refused:
        make(world, group_id=9999)
    assert set(refused.value.errors) == {"group_id"}
    world.challenges.close(mine.id, by="olga")
    assert world.challenges.get(mine.id).state == "finished"


def test_joining_a_group_challenge_is_for_the_groups_members_and_once(world: GuildKit, team: int) -> None:
    other = world.groups.make("Early birds", {"out": "owner"})
    made = make(world)
    with pytest.raises(NotAllowed):
        world.challenges.join("out", made.id, group_id=team)  # not in the group
    with pytest.raises(ValidationError) as refused:
        world.challenges.join("mia", made.id)  # which group?
    assert refused.value.field == "group_id"
    world.challenges.join("mia", made.id, group_id=team)
    with pytest.raises(AlreadyJoined):
        world.challenges.join("ned", made.id, group_id=team)  # the group takes part already
    world.challenges.join("out", made.id, group_id=other)
    own = make(world, title="Owls only", group_id=team)
    with pytest.raises(NotAllowed):
        world.challenges.join("out", own.id, group_id=other)  # a challenge of one group
    assert world.challenges.join("kai", own.id).group_id == team  # its group, by default
    with world.store.engine.connect() as conn:
        entered = conn.execute(sa.select(ChallengeParticipant.challenge_id, ChallengeParticipant.group_id)).all()
    assert sorted(entered) == sorted([(made.id, team), (made.id, other), (own.id, team)])


def test_a_challenge_for_a_groups_members_one_by_one(world: GuildKit, gk_clock: Clock, team: int) -> None:
    made = make(world, audience="individual", group_id=team)
    with pytest.raises(NotAllowed):
        world.challenges.join("out", made.id)
    world.challenges.join("mia", made.id)
    gk_clock.set(DURING)
    do(world, "ned", "answer.posted", 8)  # another member's: each counts on their own
    [mine] = world.challenges.progress(made.id, "mia")
    assert [s.count for s in mine.steps] == [0]


def test_eight_members_finishing_the_last_step_at_once_reward_everyone_exactly_once(
    gk_app: Flask, world: GuildKit, gk_clock: Clock, team: int, told: Told
) -> None:
    made = make(world, steps=[{"activity_type": "answer.posted", "count": 10}])
    world.challenges.join("olga", made.id, group_id=team)
    gk_clock.set(DURING)
    do(world, "olga", "answer.posted", 6)  # four to go; eight arrive at once
    members = [user for user in PEOPLE if user != "out"]
    start = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def answer(user: str) -> None:
        try:
            with gk_app.app_context():
                start.wait()
                world.record("answer.posted", key=f"race:{user}", actor=user)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=answer, args=(user,)) for user in members]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    [mine] = world.challenges.progress(made.id, "olga")
    assert ([s.count for s in mine.steps], mine.steps_done) == ([10], 1) and mine.awarded_at is not None
    assert [(c.group_id, c.participant_id) for c in told.completions] == [(team, mine.id)]
    for user in members:
        assert rewards_of(world, user) == [f"challenge:{made.id}:{user}"], user
        assert [b.badge_slug for b in world.badges(user)].count(made.badge) == 1
    assert world.challenges.award_due() == 0


def test_with_the_groups_feature_itself(gk_backend: str, gk_clock: Clock, tmp_path: Any, told: Told) -> None:
    """The same, against ``gk.groups`` as the groups feature offers it (not the tests' own)."""
    with make_app(gk_backend, tmp_path, plugins=(qa_rules, Words(), told), clock=gk_clock) as (app, gk):
        gk_clock.set(START - timedelta(days=1))
        for user in ("olga", "mia", "ned", "out"):
            gk.join(user, name=user.title())
        group = gk.groups.create(None, name="Night owls")
        gk.groups.add(group.id, "olga", role="owner")
        for user in ("mia", "ned"):
            gk.groups.add(group.id, user)
        made = make(gk, by="olga", group_id=group.id, steps=[{"activity_type": "answer.posted", "count": 2}])
        with pytest.raises(NotAllowed):
            gk.challenges.join("out", made.id, group_id=group.id)
        gk.challenges.join("mia", made.id)
        gk_clock.set(DURING)
        do(gk, "ned", "answer.posted")
        do(gk, "olga", "answer.posted")
        [entered] = gk.challenges.progress(made.id, "mia")
        assert (entered.group_id, entered.completed_at) == (group.id, DURING)
        for user in ("olga", "mia", "ned"):
            assert rewards_of(gk, user) == [f"challenge:{made.id}:{user}"], user
        assert rewards_of(gk, "out") == [] and [c.group_id for c in told.completions] == [group.id]
        page = Site(mount(app, gk), gk).get(f"/challenges/{made.id}", user="mia")
        assert "Progress of Night owls" in page and "Completed on" in page


def test_a_member_enters_their_group_from_the_page(gk_app: Flask, world: GuildKit, team: int) -> None:
    made = make(world)
    site = Site(mount(gk_app, world), world)
    page = site.get(f"/challenges/{made.id}", user="mia")
    assert "Enter my group" in page and f'<option value="{team}">Night owls</option>' in page
    assert "Enter my group" not in site.get(f"/challenges/{made.id}", user="out")
    assert site.post(f"/challenges/{made.id}/join", {"group_id": str(team)}, user="out").status_code == 403
    done = site.post(f"/challenges/{made.id}/join", {"group_id": str(team)}, user="mia")
    assert done.status_code == 303
    page = site.get(f"/challenges/{made.id}", user="ned")
    assert "Progress of Night owls" in page and "Enter my group" not in page
    assert '<a href="/groups/' in page  # the group, linked, among those taking part
