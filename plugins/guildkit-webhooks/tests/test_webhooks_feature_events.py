"""The events of guildkit's features (groups, kudos, nominations, challenges, objectives): each is
sent, signed, when the real action happens through ``gk``, with exactly the documented ``data``;
the plugin loads and delivers the core's events with those features switched off, or on a
guildkit that never declared their hooks; erasing a member empties what they wrote in them.
On every backend."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pluggy
import pytest
from guildkit import ActivityTypeDef, GuildKit, PointTypeDef, hookimpl, hookspecs
from guildkit.testing import Clock, Members, make_app

import guildkit_webhooks
from guildkit_webhooks import EVENTS, deliver_due, verify_signature
from guildkit_webhooks.admin import create_endpoint, list_deliveries
from guildkit_webhooks.events import FEATURE_FIELDS
from guildkit_webhooks.testing import Receiver

#: The feature plugins whose events these are.
FEATURES = (
    "guildkit.groups",
    "guildkit.kudos",
    "guildkit.nominations",
    "guildkit.challenges",
    "guildkit.objectives",
)


class Community:
    """An activity type to count and a point type to reward with."""

    @hookimpl
    def guildkit_register_activity_types(self, gk: GuildKit) -> list[ActivityTypeDef]:
        return [ActivityTypeDef("answer.posted", "Answer", goal="Answer {n} questions", goal_one="Answer a question")]

    @hookimpl
    def guildkit_register_point_types(self, gk: GuildKit) -> list[PointTypeDef]:
        return [PointTypeDef("rep", "Reputation")]


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (guildkit_webhooks, Community())


def at(clock: Clock) -> str:
    """The clock's time as the payloads write it."""
    return clock().strftime("%Y-%m-%dT%H:%M:%SZ")


# -- one real action per event, and the data it must deliver ---------------------------------

Scenario = Callable[[GuildKit, Clock, Members], list[dict[str, Any]]]


def group_joined(gk: GuildKit, clock: Clock, members: Members) -> list[dict[str, Any]]:
    owner, ann, bob = members("Olive"), members("Ann"), members("Bob")
    group = gk.groups.create(None, name="Night Owls", policy="request")  # made by host code
    gk.groups.add(group.id, owner, role="owner")
    gk.groups.request(group.id, ann)  # asking is not joining
    gk.groups.approve(owner, group.id, ann)
    open_group = gk.groups.create(None, name="Early Birds", policy="open")
    gk.groups.join(open_group.id, bob)
    night = {"group_id": group.id, "group_slug": "night-owls", "group_name": "Night Owls"}
    early = {"group_id": open_group.id, "group_slug": "early-birds", "group_name": "Early Birds"}
    return [
        night | {"user_id": owner, "member_id": gk.member(owner).id, "role": "owner", "via": "add", "by": None},
        night | {"user_id": ann, "member_id": gk.member(ann).id, "role": "member", "via": "approve", "by": owner},
        early | {"user_id": bob, "member_id": gk.member(bob).id, "role": "member", "via": "join", "by": None},
    ]


def group_goal_reached(gk: GuildKit, clock: Clock, members: Members) -> list[dict[str, Any]]:
    ann = members("Ann")
    group = gk.groups.create(None, name="Night Owls", policy="open")
    gk.groups.join(group.id, ann)
    start, end = clock() - timedelta(days=1), clock() + timedelta(days=6)
    goal = gk.groups.create_goal(
        None, group.id, name="Two answers", activity_type="answer.posted", target=2, starts_at=start, ends_at=end
    )
    gk.record("answer.posted", key="a1", actor=ann)
    clock.advance(minutes=5)
    gk.record("answer.posted", key="a2", actor=ann)
    gk.record("answer.posted", key="a3", actor=ann)  # reached already: told once
    return [
        {
            "group_id": group.id,
            "group_slug": "night-owls",
            "group_name": "Night Owls",
            "goal_id": goal.id,
            "goal_name": "Two answers",
            "activity_type": "answer.posted",
            "target": 2,
            "count": 2,
            "period_start": "2026-01-04T12:00:00Z",
            "period_end": "2026-01-11T12:00:00Z",
            "reached_at": "2026-01-05T12:05:00Z",
            "badge": goal.badge,
        }
    ]


def kudos_given(gk: GuildKit, clock: Clock, members: Members) -> list[dict[str, Any]]:
    ann, bob = members("Ann"), members("Bob")
    given = gk.kudos.give(ann, bob, "Thanks for the review!", key="click-1")
    gk.kudos.give(ann, bob, "Thanks for the review!", key="click-1")  # a double click changes nothing
    return [
        {
            "kudos_id": given.id,
            "giver": ann,
            "receiver": bob,
            "message": "Thanks for the review!",
            "given_at": at(clock),
            "period": "2026-01-05",  # a Monday: the week's budget period starts that day
            "activity_key": f"guildkit.kudos:{given.id}",
        }
    ]


def nomination_decided(gk: GuildKit, clock: Clock, members: Members) -> list[dict[str, Any]]:
    ann, bob = members("Ann"), members("Bob")
    mo, max_ = members("Mo", roles=["moderator"]), members("Max", roles=["moderator"])
    made = gk.nominations.nominate(ann, bob, badge="community-champion", reason="Answers every newcomer, kindly.")
    gk.nominations.approve(mo, made.id, reason="Seen it myself.")
    done = gk.nominations.approve(max_, made.id, reason="Agreed.")
    assert done.state == "approved"
    return [
        {
            "nomination_id": made.id,
            "nominee": bob,
            "nominator": ann,
            "badge": "community-champion",
            "level": 1,
            "state": "approved",
            "by": max_,
            "reason": "Agreed.",
            "approvals": 2,
            "needed": 2,
            "award_key": f"nomination:{made.id}:award",
        }
    ]


def challenge_completed(gk: GuildKit, clock: Clock, members: Members) -> list[dict[str, Any]]:
    boss, ann = members("Boss", roles=["admin"]), members("Ann")
    made = gk.challenges.create(
        boss,
        title="Spring answers",
        starts_at=clock() + timedelta(hours=1),
        ends_at=clock() + timedelta(days=7),
        steps=[{"activity_type": "answer.posted", "count": 2}],
        reward_points=50,
        reward_point_type="rep",
        award_badge=True,
    )
    gk.challenges.join(ann, made.id)
    clock.advance(hours=2)
    gk.record("answer.posted", key="c1", actor=ann)
    gk.record("answer.posted", key="c2", actor=ann)
    gk.record("answer.posted", key="c3", actor=ann)  # completed already: told once
    [mine] = gk.challenges.progress(made.id, ann)
    return [
        {
            "challenge_id": made.id,
            "title": "Spring answers",
            "participant_id": mine.id,
            "user_id": ann,
            "group_id": None,
            "completed_at": "2026-01-05T14:00:00Z",
            "reward_points": 50,
            "reward_point_type": "rep",
            "badge": made.badge,
        }
    ]


def objective_decided(gk: GuildKit, clock: Clock, members: Members) -> list[dict[str, Any]]:
    boss = members("Boss", roles=["admin"])
    members("Ann")
    today = clock().date()
    made = gk.objectives.create(
        boss,
        title="Grow the community",
        kpi="members",
        direction="at_least",
        target=2,
        starts_on=today,
        due_on=today + timedelta(days=1),
    )
    clock.advance(days=2)
    assert gk.objectives.upkeep().met == 1
    assert gk.objectives.upkeep().met == 0  # decided once, however often the job runs
    decided = gk.objectives.get(made.id)
    assert (decided.baseline, decided.final_value) == (2, 2)  # Boss and Ann
    return [
        {
            "objective_id": made.id,
            "title": "Grow the community",
            "kpi": "members",
            "unit": gk.objectives.kpi("members").unit,
            "direction": "at_least",
            "target": 2,
            "baseline": 2,
            "value": 2,
            "outcome": "met",
            "starts_on": "2026-01-05",
            "due_on": "2026-01-06",
            "owner": boss,
            "decided_at": "2026-01-07T12:00:00Z",
        }
    ]


SCENARIOS: dict[str, Scenario] = {
    "group_joined": group_joined,
    "group_goal_reached": group_goal_reached,
    "kudos_given": kudos_given,
    "nomination_decided": nomination_decided,
    "challenge_completed": challenge_completed,
    "objective_decided": objective_decided,
}


@pytest.mark.parametrize("event", sorted(FEATURE_FIELDS))
def test_each_feature_event_is_delivered_with_its_documented_data(
    gk: GuildKit, gk_clock: Clock, gk_members: Members, receiver: Receiver, event: str
) -> None:
    endpoint = create_endpoint(gk, receiver.url, [event])
    expected = SCENARIOS[event](gk, gk_clock, gk_members)
    assert deliver_due(gk) == len(expected)
    sent = receiver.wait_for(len(expected))
    assert len(sent) == len(expected)
    rows = {row["delivery_id"]: row for row in list_deliveries(gk, limit=100)[0]}
    payloads = []
    for got in sent:
        delivery_id = verify_signature(endpoint["secret"], got.headers, got.body)
        assert rows[delivery_id]["status"] == "succeeded" and got.headers["Guildkit-Event"] == event
        payload = json.loads(got.body)
        assert (payload["event"], payload["id"]) == (event, rows[delivery_id]["event_id"])
        assert list(payload["data"]) == list(FEATURE_FIELDS[event]), "the documented fields, in order"
        payloads.append(payload["data"])
    assert payloads == expected


def test_every_event_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for event in EVENTS:
        assert f"`{event}`" in readme, event
    for event, fields in FEATURE_FIELDS.items():
        [row] = [line for line in readme.splitlines() if line.startswith(f"| `{event}` |")]
        assert [f.strip(" `") for f in row.split("|")[2].split(",")] == list(fields), event
    assert set(SCENARIOS) == set(FEATURE_FIELDS) <= set(EVENTS)


# -- the features switched off ---------------------------------------------------------------


def test_with_the_features_switched_off_the_plugin_loads_and_sends_the_cores_events(
    tmp_path: Path, gk_backend: str, gk_clock: Clock, receiver: Receiver
) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": list(FEATURES), "GUILDKIT_WEBHOOKS_WORKER": False}
    with make_app(gk_backend, tmp_path, config=config, plugins=(guildkit_webhooks,), clock=gk_clock) as (app, gk):
        assert gk.pm.get_plugin("guildkit_webhooks") is guildkit_webhooks
        assert all(gk.pm.get_plugin(feature) is None for feature in FEATURES)
        for service in ("groups", "kudos", "nominations", "challenges", "objectives"):
            with pytest.raises(AttributeError, match="GUILDKIT_PLUGINS_DENY"):
                getattr(gk, service)
        client = app.test_client()
        assert client.get("/guildkit/webhooks/endpoints").status_code == 401  # the admin API is there
        endpoint = create_endpoint(gk, receiver.url, ["*"])
        gk.join("ann", name="Ann")
        assert deliver_due(gk) == 1
        [got] = receiver.wait_for(1)
        verify_signature(endpoint["secret"], got.headers, got.body)
        payload = json.loads(got.body)
        assert (payload["event"], payload["data"]) == (
            "member_joined",
            {"user_id": "ann", "member_id": gk.member("ann").id},
        )


def test_the_plugin_registers_where_the_features_hooks_were_never_declared() -> None:
    """On a guildkit without those features (older, or built without them), their hooks are
    unknown: implemented as optional, they do not fail the plugin manager's check."""
    pm = pluggy.PluginManager("guildkit")
    pm.add_hookspecs(hookspecs)
    pm.register(guildkit_webhooks, name="webhooks")
    pm.check_pending()
    for event in FEATURE_FIELDS:
        caller = getattr(pm.hook, f"guildkit_{event}")
        assert not caller.has_spec() and caller.get_hookimpls(), event


# -- data rights -----------------------------------------------------------------------------


def test_erasing_a_giver_empties_their_messages_and_scrubs_the_ones_they_received(
    gk: GuildKit, gk_members: Members, receiver: Receiver
) -> None:
    create_endpoint(gk, receiver.url, ["kudos_given"])
    ann, bob, cat = gk_members("Ann"), gk_members("Bob"), gk_members("Cat")
    gk.kudos.give(ann, bob, "Thanks Bob, you fixed my build!")
    gk.kudos.give(bob, ann, "Thanks Ann, anytime!")
    gk.kudos.give(bob, cat, "Thanks Cat!")
    gk.privacy.erase(ann, confirm=True)
    [cats, to_ann, anns] = [row["payload"]["data"] for row in list_deliveries(gk)[0]]  # newest first
    assert anns["message"] == "" and anns["giver"].startswith("erased:") and anns["receiver"] == bob
    assert to_ann["message"] == "Thanks A former member, anytime!" and to_ann["receiver"] == anns["giver"]
    assert (cats["giver"], cats["receiver"], cats["message"]) == (bob, cat, "Thanks Cat!")
    assert deliver_due(gk) == 3
    messages = {json.loads(r.body)["data"]["message"] for r in receiver.wait_for(3)}
    assert messages == {"", "Thanks A former member, anytime!", "Thanks Cat!"}
