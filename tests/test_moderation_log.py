"""The public moderation log's exact counts (months in the community's time zone), and the
guildkit_case_resolved hook and signal (told after commit, contained when a plugin raises)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import CaseResolved, GuildKit, hookimpl, signals
from guildkit.errors import UnknownActivity, ValidationError
from guildkit.models import HookFailure
from guildkit.moderation import LogCount, LogMonth
from guildkit.moderation.models import ModerationCase
from guildkit.testing import Clock, Members


def resolve_at(
    gk: GuildKit, members: Members, clock: Clock, moment: datetime, categories: list[str], action: str
) -> int:
    offender = members()
    subject = f"post:{offender}"
    case_id = 0
    for category in categories:
        case_id = gk.moderation.report(members(), subject=subject, user_id=offender, category=category).case_id
    clock.set(moment)
    args: dict[str, Any] = {"hours": 1} if action == "mute" else {}
    gk.moderation.resolve(None, case_id, action=action, reason="r", **args)
    return case_id


@pytest.mark.parametrize("gk_config", [{"GUILDKIT_TIMEZONE": "Europe/Berlin"}])
def test_counts_by_month_category_and_action_in_the_community_time_zone(
    gk: GuildKit, gk_members: Members, gk_clock: Clock
) -> None:
    cases = [
        (datetime(2026, 1, 3, 9, 0, tzinfo=UTC), ["spam"], "dismiss"),
        (datetime(2026, 1, 20, 9, 0, tzinfo=UTC), ["spam", "spam", "harassment"], "warn"),
        (datetime(2026, 1, 21, 9, 0, tzinfo=UTC), ["harassment", "spam"], "mute"),  # tie: spam comes first
        (datetime(2026, 1, 22, 9, 0, tzinfo=UTC), ["spam"], "dismiss"),
        # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin: February's.
        (datetime(2026, 1, 31, 23, 30, tzinfo=UTC), ["off-topic"], "warn"),
        (datetime(2026, 3, 31, 21, 59, tzinfo=UTC), ["harassment"], "ban"),  # 23:59 on 31 March (summer time)
        (datetime(2026, 3, 31, 22, 0, tzinfo=UTC), ["other"], "dismiss"),  # 00:00 on 1 April: outside
        (datetime(2025, 12, 31, 22, 59, tzinfo=UTC), ["spam"], "dismiss"),  # 23:59 on 31 December: outside
    ]
    for moment, categories, action in cases:
        gk_clock.set(datetime(2025, 12, 1, tzinfo=UTC))
        resolve_at(gk, gk_members, gk_clock, moment, categories, action)
    gk.moderation.report(gk_members(), subject="open:1", user_id=gk_members(), category="spam")  # open: not counted

    log = gk.moderation.public_log(date(2026, 1, 1), date(2026, 3, 31))
    assert log == [
        LogMonth(
            "2026-01",
            4,
            [LogCount("spam", "dismiss", 2), LogCount("spam", "warn", 1), LogCount("spam", "mute", 1)],
        ),
        LogMonth("2026-02", 1, [LogCount("off-topic", "warn", 1)]),
        LogMonth("2026-03", 1, [LogCount("harassment", "ban", 1)]),
    ]
    assert gk.moderation.public_log(date(2026, 2, 1), date(2026, 2, 1)) == [
        LogMonth("2026-02", 1, [LogCount("off-topic", "warn", 1)])
    ]
    assert gk.moderation.public_log(date(2026, 1, 31), date(2026, 1, 31)) == [LogMonth("2026-01", 0, [])]


def test_the_period_is_checked(gk: GuildKit) -> None:
    bad: list[tuple[Any, Any, str]] = [
        (date(2026, 2, 1), date(2026, 1, 1), "end"),
        ("2026-01-01", date(2026, 1, 1), "start"),
        (date(2026, 1, 1), datetime(2026, 2, 1, tzinfo=UTC), "end"),
        (date(2000, 1, 1), date(2026, 1, 1), "end"),  # more than 120 months
        (date(1, 1, 1), date(1, 1, 2), "start"),
    ]
    for start, end, field in bad:
        with pytest.raises(ValidationError) as raised:
            gk.moderation.public_log(start, end)
        assert raised.value.field == field


class Told:
    def __init__(self) -> None:
        self.cases: list[CaseResolved] = []
        self.statuses: list[str | None] = []

    @hookimpl
    def guildkit_case_resolved(self, gk: GuildKit, case: CaseResolved) -> None:
        self.cases.append(case)
        with gk.store.engine.connect() as conn:  # a fresh connection: the resolution is committed
            self.statuses.append(conn.scalar(sa.select(ModerationCase.status).where(ModerationCase.id == case.case_id)))


class Broken:
    @hookimpl
    def guildkit_case_resolved(self, gk: GuildKit, case: CaseResolved) -> None:
        raise RuntimeError("boom")


def test_case_resolved_is_told_after_commit_for_actions_and_mediations(gk: GuildKit, gk_members: Members) -> None:
    told, received = Told(), []
    gk.register(Broken())  # raises first: the others are still told and the request goes on
    gk.register(told)

    def receive(sender: GuildKit, case: CaseResolved) -> None:
        received.append(case)

    mod, offender, ann = gk_members(roles=["moderator"]), gk_members(), gk_members()
    first = gk.moderation.report(ann, subject="post:1", user_id=offender, category="spam").case_id
    second = gk.moderation.report(ann, subject="post:2", user_id=offender, category="harassment").case_id
    signals.case_resolved.connect(receive, sender=gk)
    try:
        assert gk.moderation.resolve(mod, first, action="warn", reason="no ads").status == "resolved"
        mediation = gk.moderation.start_mediation(mod, second)
        gk.moderation.agree(mod, mediation.id, outcome="they shook hands")
    finally:
        signals.case_resolved.disconnect(receive, sender=gk)
    expected = [
        CaseResolved(first, "post:1", offender, "warn", "no ads", mod, False),
        CaseResolved(second, "post:2", offender, "mediate", "they shook hands", mod, False),
    ]
    assert told.cases == received == expected
    assert told.statuses == ["resolved", "resolved"]
    failures = gk.session.scalars(sa.select(HookFailure.hook)).all()
    assert failures == ["guildkit_case_resolved", "guildkit_case_resolved"]


def test_a_failed_resolution_tells_nothing(gk: GuildKit, gk_members: Members) -> None:
    told = Told()
    gk.register(told)
    offender = gk_members()
    case_id = gk.moderation.report(gk_members(), subject="post:1", user_id=offender, category="spam").case_id
    with pytest.raises(UnknownActivity):  # raised inside the transaction: rolled back, nothing told
        gk.moderation.resolve(None, case_id, action="retract", reason="x", activity_key="missing")
    assert told.cases == []
    assert gk.moderation.case(None, case_id).status == "open"
