"""Streak freezes under real concurrency: threads released together by a barrier, on every
backend. One member holding 3 freezes comes back after a missed day in 8 streaks at once:
exactly 3 gaps are bridged, the balance ends at 0 and never goes below it; 8 grants at once all
count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import BadgeDef, BadgeRule, GuildKit, Streak, hookimpl
from guildkit.models import Counter, table_of
from guildkit.streaks.models import FreezeLogEntry
from guildkit.testing import Clock
from tests.test_kudos_concurrency import at_once

TYPES = [f"habit{n}" for n in range(8)]
COUNTERS = table_of(Counter)
LOG = table_of(FreezeLogEntry)
DAY0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


class EightStreaks:
    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        return [BadgeDef(t, t.title()) for t in TYPES]

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> list[object]:
        return [BadgeRule(t, t, Streak(t), (30,)) for t in TYPES]


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (EightStreaks(),)


def test_eight_gaps_at_once_with_three_freezes_bridge_exactly_three(
    gk_app: Flask, gk: GuildKit, gk_clock: Clock
) -> None:
    gk_clock.set(DAY0)
    for t in TYPES:
        gk.record(t, actor="ann", key=f"{t}:0")
    gk.streaks.grant_freezes("ann", 3, reason="welcome")
    gk_clock.set(DAY0 + timedelta(days=2))  # day 1 missed in every streak
    calls: list[Callable[[], Any]] = [lambda t=t: gk.record(t, actor="ann", key=f"{t}:2") for t in TYPES]
    outcomes = at_once(gk_app, calls)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert gk.streaks.held("ann") == 0
    member = gk.member("ann").id
    with gk.store.engine.connect() as conn:
        current = conn.execute(
            sa.select(COUNTERS.c.name, COUNTERS.c.value).where(
                COUNTERS.c.member_id == member, COUNTERS.c.name.like("streak:%:actor:current")
            )
        ).all()
        used = conn.scalar(sa.select(sa.func.count()).select_from(LOG).where(LOG.c.kind == "used"))
    assert sorted(v for _, v in current) == [1] * 5 + [2] * 3
    assert used == 3


def test_grants_at_once_all_count(gk_app: Flask, gk: GuildKit) -> None:
    gk.join("ann")
    outcomes = at_once(gk_app, [lambda: gk.streaks.grant_freezes("ann", 2, reason="gift") for _ in range(8)])
    assert sorted(outcomes) == list(range(2, 17, 2)), outcomes
    assert gk.streaks.held("ann") == 16
