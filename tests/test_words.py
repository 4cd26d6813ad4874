"""Words for members: activity types in sentences, subjects by their host titles, rules as goals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import (
    ActivityTypeDef,
    BadgeDef,
    BadgeRule,
    Count,
    Distinct,
    EventBadgeRule,
    GuildKit,
    PointsTotal,
    Streak,
    Subject,
    ValidationError,
    hookimpl,
)
from guildkit.errors import DuplicateDefinition, RuleFileError
from guildkit.models import HookFailure, Member, Notification
from guildkit.rules.loader import parse_rules
from guildkit.subjects import resolve
from guildkit.words import Words, readable
from tests.webclient import PREFIX, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

ANSWERS = [
    ActivityTypeDef(
        "answer.posted",
        "Answer",
        actor="You answered {subject}",
        public="{actor} answered {subject}",
        goal="Answer {n} questions",
        goal_one="Answer a question",
        subject="a question",
    ),
    ActivityTypeDef(
        "answer.upvoted",
        "Upvote on an answer",
        actor="You upvoted an answer to {subject}",
        target="Your answer to {subject} was upvoted",
        received_goal="Get {n} upvotes on your answers",
        received_goal_one="Get an upvote on an answer",
        subject="a question",
    ),
    ActivityTypeDef("visit", "Visit", goal_one="Visit the community"),
]


class Described:
    """A plugin describing the Q&A types and titling the subjects it knows, counting its calls."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    @hookimpl
    def guildkit_register_activity_types(self, gk: GuildKit) -> list[ActivityTypeDef]:
        return ANSWERS

    @hookimpl
    def guildkit_resolve_subjects(self, gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject]:
        self.asked.append(list(keys))
        return {k: Subject(f"Question {k.split(':')[1]}", f"/questions/{k.split(':')[1]}") for k in keys}


@pytest.fixture
def described(gk: GuildKit) -> Described:
    plugin = Described()
    gk.register(plugin)
    return plugin


def test_activity_type_words_are_checked_naming_the_field() -> None:
    with pytest.raises(ValidationError) as bad_placeholder:
        ActivityTypeDef("answer.posted", "Answer", actor="You answered {title}")
    assert bad_placeholder.value.field == "actor" and "{subject}" in str(bad_placeholder.value)
    with pytest.raises(ValidationError) as bad_goal:
        ActivityTypeDef("answer.posted", "Answer", goal="Answer {subject} questions")
    assert bad_goal.value.field == "goal"
    with pytest.raises(ValidationError) as broken:
        ActivityTypeDef("answer.posted", "Answer", target="Your {answer")
    assert broken.value.field == "target"
    with pytest.raises(ValidationError) as no_label:
        ActivityTypeDef("answer.posted", " ")
    assert no_label.value.field == "label"
    with pytest.raises(ValidationError) as bad_url:
        Subject("A question", "javascript:alert(1)")
    assert bad_url.value.field == "url"


def test_two_plugins_describing_one_type_is_a_duplicate(gk: GuildKit, described: Described) -> None:
    class Again:
        @hookimpl
        def guildkit_register_activity_types(self, gk: GuildKit) -> list[ActivityTypeDef]:
            return [ActivityTypeDef("visit", "Came by")]

    gk.register(Again())
    with pytest.raises(DuplicateDefinition, match="visit"):
        gk.reload_definitions()


def test_a_rule_file_describes_activity_types() -> None:
    ruleset = parse_rules(
        {"activity_types": [{"type": "question.posted", "label": "Question", "goal": "Ask {n} questions"}]}
    )
    assert ruleset.activity_types == [ActivityTypeDef("question.posted", "Question", goal="Ask {n} questions")]
    with pytest.raises(RuleFileError, match=r"activity_types\[0\]: unknown key 'lable'"):
        parse_rules({"activity_types": [{"type": "question.posted", "lable": "Question"}]})
    with pytest.raises(RuleFileError, match=r"activity_types\[0\]\.goal"):
        parse_rules({"activity_types": [{"type": "q", "label": "Q", "goal": "Ask {count}"}]})


def test_sentences_per_audience_and_in_general_words_when_nothing_is_known(gk: GuildKit, described: Described) -> None:
    words = Words(gk.registry)
    title = Subject("How do I cache a join?", "/questions/7")
    assert (
        words.sentence("answer.upvoted", "target", subject=title) == "Your answer to How do I cache a join? was upvoted"
    )
    assert (
        words.sentence("answer.posted", "public", subject=title, actor="Ada") == "Ada answered How do I cache a join?"
    )
    html = words.sentence("answer.upvoted", "target", subject=Subject("<b>x</b>", "/q/1"), html=True)
    assert html == 'Your answer to <a href="/q/1">&lt;b&gt;x&lt;/b&gt;</a> was upvoted'
    # No title: the type's own word for its subject; no words at all: the type's name, readable.
    assert words.sentence("answer.upvoted", "target", subject_key="answer:9") == "Your answer to a question was upvoted"
    assert words.sentence("comment.flagged", "target", subject_key="comment:3") == "Comment flagged"
    assert words.subject("comment.flagged", "comment:3") == "a comment"
    assert words.subject("event.attended", "event:3") == "an event"
    assert readable("mentorship.completed") == "Mentorship completed"


def test_goals_and_criteria_in_words_with_units(gk: GuildKit, described: Described) -> None:
    words = Words(gk.registry)
    assert words.goal(Count("answer.posted"), 5) == "Answer 5 questions"
    assert words.goal(Count("answer.posted"), 1) == "Answer a question"
    assert words.goal(Count("answer.upvoted", role="target"), 1_000) == "Get 1,000 upvotes on your answers"
    assert words.goal(Count("question.posted"), 3) == "Question posted 3 times"
    assert words.goal(Count("question.posted"), 1) == "Question posted once"
    assert words.goal(Streak("visit"), 7) == "Visit the community on 7 days in a row"
    assert words.goal(Distinct("answer.upvoted"), 3) == "Upvote on an answer with 3 different members"
    assert words.goal(PointsTotal("reputation"), 500) == "Earn 500 Reputation"
    assert words.tiers(Count("answer.posted"), (5, 15, 40)) == "Answer 5 questions · 15 · 40"
    # The Q&A rules the tests share: answerer tiers, a repeatable badge, a threshold on points.
    assert words.criteria("answerer") == "Answer 2 questions · 4 · 6"
    assert words.criteria("accepted") == "Answer accepted once, each time"
    assert words.criteria("supporter") == "Upvote on an answer with 3 different members"
    assert words.role_criteria("trusted") == "Earn 50 Reputation"


def test_a_badge_may_say_its_own_criteria(gk: GuildKit) -> None:
    gk.define(
        badges=[BadgeDef("helper", "Helper", criteria="Help three newcomers find their feet"),
                BadgeDef("each", "Each", repeatable=True)],
        rules=[BadgeRule("helper", "helper", Count("answer.posted"), (3,)), EventBadgeRule("each", "each", "visit")],
    )  # fmt: skip
    words = Words(gk.registry)
    assert words.criteria("helper") == "Help three newcomers find their feet"
    assert words.criteria("each") == "Visit once, each time"
    with pytest.raises(ValidationError) as bad:
        BadgeDef("x", "X", criteria="")
    assert bad.value.field == "criteria"


def test_subjects_resolve_in_one_batch_per_request_host_first_and_failures_contained(
    gk_app: Flask, gk: GuildKit, described: Described
) -> None:
    host_calls: list[list[str]] = []

    @gk.subject_loader
    def host(keys: list[str]) -> dict[str, Any]:
        host_calls.append(keys)
        return {k: {"title": "Host's own title", "url": "/a/1"} for k in keys if k == "answer:1"}

    class Broken:
        @hookimpl
        def guildkit_resolve_subjects(self, gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject]:
            raise RuntimeError("the titles service is down")

    class Hostile:
        @hookimpl
        def guildkit_resolve_subjects(self, gk: GuildKit, keys: Sequence[str]) -> Any:
            return {k: {"title": "not a Subject"} for k in keys}

    gk.register(Broken())
    gk.register(Hostile())
    with gk_app.test_request_context("/"):
        found = resolve(gk, ["answer:1", "answer:2", None, "answer:1"])
        again = resolve(gk, ["answer:2", "answer:3"])
    assert found == {"answer:1": Subject("Host's own title", "/a/1"), "answer:2": Subject("Question 2", "/questions/2")}
    assert again["answer:3"] == Subject("Question 3", "/questions/3")
    assert host_calls == [["answer:1", "answer:2"], ["answer:3"]]  # each key asked once in the request
    assert described.asked == [["answer:1", "answer:2"], ["answer:3"]]
    failures = gk.session.scalars(sa.select(HookFailure)).all()
    assert {f.hook for f in failures} == {"guildkit_resolve_subjects"} and len(failures) == 4  # 2 plugins x 2 calls
    assert any("titles service is down" in f.error for f in failures)


def test_the_history_reads_in_sentences_newest_first_by_when_it_happened(
    gk_app: Flask, gk: GuildKit, described: Described
) -> None:
    client = mount(gk_app, gk)
    site = Site(client, gk)
    gk.join("ann", name="Ann")
    # Recorded out of order (as imports and seeds do): the page orders by when it happened.
    for n, day in enumerate([5, 1, 9, 3, 7, 2, 8, 4, 6]):
        with gk.clock_at(datetime(2026, 3, day, 12, tzinfo=UTC)):
            gk.record("answer.upvoted", actor=f"v{n}", target="ann", subject=f"answer:{day}", key=f"up{n}")
    html = site.get("/members/ann", user="ann")
    history = html.split('id="history"', 1)[1]
    assert 'Your answer to <a href="/questions/9">Question 9</a> was upvoted' in history
    assert "answer.upvoted" not in history and "answer:9" not in history
    assert "Balance after" in history and "Total" not in history
    # The API pages the same order with a cursor; a forged cursor is a 400 naming it.
    seen: list[str] = []
    cursor = None
    while True:
        url = f"{PREFIX}/api/members/ann/ledger?limit=4" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers={"X-User": "ann"}).get_json()
        seen += [row["description"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Your answer to Question {d} was upvoted" for d in range(9, 0, -1)]
    forged = client.get(f"{PREFIX}/api/members/ann/ledger?cursor=WyJub3QgYSBkYXRlIiwgMV0", headers={"X-User": "ann"})
    problem(forged, 400, "cursor")


def test_next_badges_say_what_the_next_level_asks(gk_app: Flask, gk: GuildKit, described: Described) -> None:
    site = Site(mount(gk_app, gk), gk)
    gk.record("answer.posted", actor="ann", subject="answer:1", key="p1")
    html = site.get("/members/ann", user="ann")
    assert "Answer 2 questions" in html and "1 of 2" in html
    assert "answer.posted done" not in html
    progress = site.client.get(f"{PREFIX}/api/members/ann/progress", headers={"X-User": "ann"}).get_json()
    answerer = next(p for p in progress if p["badge"] == "answerer")
    assert answerer["goal"] == "Answer 2 questions" and answerer["metric"] == "answer.posted done"


def test_the_docs_rule_file_example_of_activity_types_loads(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "docs" / "rules.md").read_text()
    block = text.split("<!-- rules:activity-types -->", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "rules.toml").write_text(block)
    from guildkit.rules.loader import load_rule_file

    ruleset = load_rule_file(tmp_path / "rules.toml")
    assert ruleset.activity_types and all(t.label for t in ruleset.activity_types)


def test_features_describe_their_activity_types_and_title_their_subjects(gk_app: Flask, gk: GuildKit) -> None:
    from tests.events_helpers import make_event

    words = Words(gk.registry)
    assert words.goal(Count("event.attended"), 3) == "Attend 3 events"
    assert words.goal(Count("mentorship.completed", role="target"), 1) == "Complete a mentorship as a mentee"
    assert words.label("guildkit.award") == "Award from the community team"
    event = make_event(gk, title="Board games night")
    mount(gk_app, gk)
    with gk_app.test_request_context(f"{PREFIX}/events"):
        gk_app.preprocess_request()
        found = resolve(gk, [f"event:{event.id}", "event:999999"])
    assert list(found) == [f"event:{event.id}"] and found[f"event:{event.id}"].title == "Board games night"
    # A page of guildkit's knows where the event's page is; a job (no request) gets the title only.
    url = found[f"event:{event.id}"].url
    assert url == f"{PREFIX}/events/{event.id}"
    with gk_app.app_context():
        assert resolve(gk, [f"event:{event.id}"])[f"event:{event.id}"].url is None


def test_switched_off_a_feature_takes_its_words_along(tmp_path: Path) -> None:
    from guildkit.testing import make_app

    with make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": ["guildkit.events"]}) as (_, gk):
        assert "event.attended" not in gk.registry.activity_types
        assert "guildkit.joined" in gk.registry.activity_types


def test_a_type_that_notifies_tells_the_member_it_was_done_to(gk: GuildKit) -> None:
    gk.define(activity_types=[ActivityTypeDef("answer.upvoted", "Upvote", target="{actor} upvoted {subject}",
                                              subject="your answer", notify="target")])  # fmt: skip
    gk.record("answer.upvoted", actor="ada", target="bob", subject="answer:1", key="up1")
    gk.record("answer.upvoted", actor="bob", target="bob", subject="answer:2", key="self")  # one's own: no news
    gk.import_history([{"type": "answer.upvoted", "key": "old", "actor": "cy", "target": "bob",
                        "subject": "answer:3", "occurred_at": "2020-01-01T00:00:00Z"}])  # fmt: skip
    rows = gk.session.execute(
        sa.select(Notification.kind, Notification.text, Notification.data)
        .join(Member, Member.id == Notification.member_id)
        .where(Member.user_id == "bob", Notification.kind == "answer.upvoted")
    ).all()
    assert [(kind, text) for kind, text, _ in rows] == [("answer.upvoted", "Someone upvoted your answer")]
    assert rows[0].data == {"activity_type": "answer.upvoted", "subject": "answer:1", "actor": "ada"}


def test_notifications_group_and_read_in_words_and_hidden_kinds_stay_hidden(
    gk_app: Flask, gk: GuildKit, described: Described
) -> None:
    site = Site(mount(gk_app, gk), gk)
    gk.define(activity_types=[ActivityTypeDef("answer.accepted", "Accepted", target="{actor} accepted {subject}",
                                              notify="target")])  # fmt: skip
    for name in ("Ada", "Bob", "Cy", "Dan"):
        gk.join(name.lower(), name=name)
    gk.record("answer.accepted", actor="ada", target="dan", subject="answer:1", key="acc1")
    gk.record("answer.accepted", actor="bob", target="dan", subject="answer:1", key="acc2")
    gk.record("answer.accepted", actor="cy", target="dan", subject="answer:2", key="acc3")
    html = site.get("/notifications", user="dan")
    assert 'Bob accepted <a href="/questions/1">Question 1</a>, and 1 other did too' in html
    assert 'Cy accepted <a href="/questions/2">Question 2</a>' in html
    assert "answer:1" not in html and "Someone" not in html
    before = gk.unread_count("dan")

    class Hides:
        @hookimpl
        def guildkit_hidden_notification_kinds(self, gk: GuildKit, member_id: int) -> list[str]:
            return ["answer.accepted"]

    gk.register(Hides())
    assert gk.unread_count("dan") == before - 3
    assert [n.kind for n in gk.notifications("dan") if n.kind == "answer.accepted"] == []
    assert "accepted <a href" not in site.get("/notifications", user="dan")


def test_level_names_are_one_name_space(gk: GuildKit) -> None:
    from guildkit import Levels, PointTypeDef
    from guildkit.errors import ConfigurationError
    from guildkit.rules.ruleset import RuleSet

    # A trust level's name on a points level: both named in the error, at the build.
    gk.define(rules=[Levels("xp", (10, 50, 100), ("Novice", "Member", "Expert"))])
    with pytest.raises(DuplicateDefinition):  # xp has its scale already (the Q&A rules')
        gk.reload_definitions()
    gk.pm.unregister(name=f"guildkit.define:{gk._defined}")
    gk.define(point_types=[PointTypeDef("karma", "Karma")], rules=[Levels("karma", (5,), ("Member",))])
    with pytest.raises(ConfigurationError, match=r"trust level 2 and level 1 of karma are both named 'Member'"):
        gk.reload_definitions()
    gk.pm.unregister(name=f"guildkit.define:{gk._defined}")
    gk.reload_definitions()
    # Two scales sharing a name; and a proposed change that would do it is refused, nothing applied.
    proposal = RuleSet([PointTypeDef("karma", "Karma")], rules=[Levels("karma", (5, 9), ("Hatchling", "Adept"))])
    with pytest.raises(ConfigurationError, match=r"level 2 of xp and level 2 of karma are both named 'Adept'"):
        gk.rules.preview(proposal)


def test_a_plugin_checks_the_definitions_as_a_whole(gk: GuildKit) -> None:
    from guildkit.errors import ConfigurationError
    from guildkit.registry import Registry

    class NoSecrets:
        @hookimpl
        def guildkit_check_definitions(self, gk: GuildKit, registry: Registry) -> None:
            secret = sorted(slug for slug, badge in registry.badges.items() if badge.secret)
            if secret:
                raise ConfigurationError(f"this community has no secret badges: {', '.join(secret)}")

    gk.register(NoSecrets())
    with pytest.raises(ConfigurationError, match="no secret badges: centurion"):
        gk.reload_definitions()
