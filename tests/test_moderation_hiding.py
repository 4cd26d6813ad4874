"""Trust-weighted reports, hiding on trusted members' spam reports (``content.visible``), and system flags."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import ConfigurationError, ValidationError
from guildkit.moderation.models import Report
from guildkit.testing import Clock, Members, make_app

PRIVILEGES = {"GUILDKIT_PRIVILEGES": {"post": {"trust_level": 0}}}


def at_level(gk: GuildKit, members: Members, level: int) -> str:
    user = members()
    if level:
        gk.trust.set_level(user, level, reason="test")
    return user


def test_a_report_counts_its_category_times_the_reporters_trust_weight(gk: GuildKit, gk_members: Members) -> None:
    mod, offender = gk_members(roles=["moderator"]), gk_members()
    # Default weights: levels 0 and 1 count 1, level 2 counts 2, levels 3 and 4 count 3.
    made = [
        gk.moderation.report(at_level(gk, gk_members, level), subject="answer:1", user_id=offender, category=category)
        for level, category in [(0, "spam"), (1, "harassment"), (2, "spam"), (3, "harassment"), (4, "off-topic")]
    ]
    assert [r.weight for r in made] == [1, 3, 2, 9, 3]
    case = gk.moderation.case(mod, made[0].case_id)
    assert (case.severity, case.report_count) == (18, 5)
    assert [r.weight for r in case.reports] == [1, 3, 2, 9, 3]
    assert gk.session.scalars(sa.select(Report.reporter_level).order_by(Report.id)).all() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("gk_config", [{"GUILDKIT_REPORT_TRUST_WEIGHTS": {0: 0, 1: 1, 2: 5, 3: 5, 4: 5}}])
def test_trust_weights_come_from_the_config(gk: GuildKit, gk_members: Members) -> None:
    offender = gk_members()
    newcomer = gk.moderation.report(gk_members(), subject="q:1", user_id=offender, category="harassment")
    trusted = gk.moderation.report(at_level(gk, gk_members, 2), subject="q:1", user_id=offender, category="spam")
    assert (newcomer.weight, trusted.weight) == (0, 5)
    assert gk.moderation.case(None, newcomer.case_id).severity == 5


@pytest.mark.parametrize(
    "config",
    [
        {"GUILDKIT_REPORT_TRUST_WEIGHTS": {0: 1, 1: 1, 2: 2, 3: 3}},
        {"GUILDKIT_REPORT_TRUST_WEIGHTS": {0: 1, 1: 1, 2: 2, 3: 3, 4: -1}},
        {"GUILDKIT_REPORT_TRUST_WEIGHTS": [1, 1, 2, 3, 3]},
        {"GUILDKIT_HIDE_MIN_TRUST_LEVEL": 5},
        {"GUILDKIT_HIDE_AFTER_SPAM_REPORTS": -1},
    ],
)
def test_bad_moderation_config_is_refused(tmp_path: Any, config: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError), make_app("sqlite", tmp_path, config=config):
        pass


@pytest.mark.parametrize("gk_config", [PRIVILEGES])
def test_trusted_spam_reports_hide_until_a_moderator_resolves(gk: GuildKit, gk_members: Members) -> None:
    mod, offender = gk_members(roles=["moderator"]), gk_members()
    assert [p.name for p in gk.privileges(offender)] == ["post", "content.visible"]
    assert gk.can(offender, "content.visible") is True
    # Spam reports from newcomers (level 0-1) and a harassment report from a trusted member do not count.
    for level in (0, 1, 1):
        gk.moderation.report(at_level(gk, gk_members, level), subject="answer:1", user_id=offender, category="spam")
    gk.moderation.report(at_level(gk, gk_members, 3), subject="answer:1", user_id=offender, category="harassment")
    for level in (2, 4):
        gk.moderation.report(at_level(gk, gk_members, level), subject="answer:1", user_id=offender, category="spam")
    [case] = gk.moderation.queue(mod)
    assert case.hidden is False and gk.can(offender, "content.visible") is True
    last = gk.moderation.report(at_level(gk, gk_members, 3), subject="answer:1", user_id=offender, category="spam")
    [case] = gk.moderation.queue(mod)
    assert case.hidden is True
    assert gk.can(offender, "content.visible") is False
    assert gk.moderation.is_hidden("answer:1") is True and gk.moderation.is_hidden("answer:2") is False
    assert gk.can(offender, "post") is True  # hiding is about content, not taking part
    gk.moderation.resolve(mod, last.case_id, action="dismiss", reason="not spam after all")
    assert gk.can(offender, "content.visible") is True
    assert gk.moderation.is_hidden("answer:1") is False
    assert gk.moderation.case(mod, last.case_id).hidden is True  # the record keeps that it was hidden


@pytest.mark.parametrize("gk_config", [{**PRIVILEGES, "GUILDKIT_HIDE_AFTER_SPAM_REPORTS": 1}])
def test_a_mute_does_not_hide_content_and_hiding_is_configurable(gk: GuildKit, gk_members: Members) -> None:
    offender = gk_members()
    gk.moderation.report(at_level(gk, gk_members, 2), subject="answer:1", user_id=offender, category="spam")
    assert gk.can(offender, "content.visible") is False  # one trusted report is enough here
    other = gk_members()
    case_id = gk.moderation.report(gk_members(), subject="answer:9", user_id=other, category="harassment").case_id
    gk.moderation.resolve(None, case_id, action="mute", reason="cool off", hours=2)
    assert gk.can(other, "post") is False and gk.can(other, "content.visible") is True


@pytest.mark.parametrize("gk_config", [{"GUILDKIT_HIDE_AFTER_SPAM_REPORTS": 0}])
def test_zero_never_hides(gk: GuildKit, gk_members: Members) -> None:
    offender = gk_members()
    for _ in range(3):
        gk.moderation.report(at_level(gk, gk_members, 4), subject="answer:1", user_id=offender, category="spam")
    assert gk.can(offender, "content.visible") is True


def test_a_suspended_members_content_is_not_visible(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    gk.set_status(ann, "suspended", reason="test")
    assert gk.can(ann, "content.visible") is False


def test_the_host_may_define_content_visible_itself(tmp_path: Any) -> None:
    privileges = {"content.visible": {"trust_level": 1}}
    with make_app("sqlite", tmp_path, config={"GUILDKIT_PRIVILEGES": privileges}) as (app, gk):
        assert app.config["GUILDKIT_PRIVILEGES"] == privileges
        gk.join("newcomer")
        assert gk.can("newcomer", "content.visible") is False


def test_system_flags_join_one_case_once(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    mod, offender, ann = gk_members(roles=["moderator"]), gk_members(), gk_members()
    details = {"detector": "vote-ring", "score": 0.97}
    first = gk.moderation.flag(subject="member:7", user_id=offender, category="other", comment="ring", details=details)
    again = gk.moderation.flag(subject="member:7", user_id=offender, category="other", comment="ring")
    assert first == again
    case = gk.moderation.case(mod, first)
    assert [(r.reporter, r.category, r.comment, r.details, r.weight) for r in case.reports] == [
        (None, "other", "ring", details, 1)
    ]
    assert (case.report_count, case.severity, case.user_id) == (1, 1, offender)
    # Members still report the same subject: they join the flagged case.
    assert gk.moderation.report(ann, subject="member:7", user_id=offender, category="spam").case_id == first
    gk.moderation.resolve(mod, first, action="dismiss", reason="false positive")
    later = gk.moderation.flag(subject="member:7", user_id=offender, category="other", comment="again")
    assert later != first
    with pytest.raises(ValidationError) as raised:
        gk.moderation.flag(subject="member:8", user_id=offender, category="fraudish", comment="")
    assert raised.value.field == "category"
    with pytest.raises(ValidationError) as raised:
        gk.moderation.flag(subject="", user_id=offender, category="other", comment="")
    assert raised.value.field == "subject"


def test_flagging_a_subject_already_reported_joins_its_case(gk_app: Flask, gk: GuildKit, gk_members: Members) -> None:
    offender = gk_members()
    case_id = gk.moderation.report(gk_members(), subject="answer:3", user_id=offender, category="spam").case_id
    assert gk.moderation.flag(subject="answer:3", user_id=offender, category="spam", comment="bot") == case_id
    rows = gk.session.execute(sa.select(Report.reporter_id).where(Report.case_id == case_id)).all()
    assert len(rows) == 2 and sum(1 for (r,) in rows if r is None) == 1
