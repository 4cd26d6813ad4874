"""Kudos under real concurrency: threads released together by a barrier, on every backend
(guildkit's own SQLite, the host's SQLite, PostgreSQL).

* One giver with a budget of 5 gives 16 kudos at once: exactly 5 are stored, recorded and
  rewarded, the other 11 are refused as over budget, and the budget row says 5.
* 16 givers thank one receiver at once: every kudos goes through, and the receiver's points,
  notifications and kudos agree.
* One give sent 8 times at once with the same key: one kudos, every call answers with it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.kudos.errors import OverBudget
from guildkit.kudos.models import Kudos, KudosBudget
from guildkit.models import Activity, Notification, table_of

KUDOS = table_of(Kudos)
BUDGETS = table_of(KudosBudget)
ACTIVITIES = table_of(Activity)
NOTIFICATIONS = table_of(Notification)
THREADS = 16


def at_once(app: Flask, calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in a thread of its own, all released together; each outcome is what the
    call returned or the exception it raised."""
    outcomes: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def work(n: int) -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes[n] = calls[n]()
            except Exception as exc:  # the outcome under test
                outcomes[n] = exc

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def count(gk: GuildKit, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with gk.store.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0)


def test_sixteen_gives_at_once_from_a_budget_of_five_spend_exactly_five(gk_app: Flask, gk: GuildKit) -> None:
    gk.join("giver")
    receivers = [f"member-{n}" for n in range(THREADS)]
    for user in receivers:
        gk.join(user)
    outcomes = at_once(
        gk_app, [lambda user=user: gk.kudos.give("giver", user, f"Thanks, {user}") for user in receivers]
    )
    kinds = Counter(type(outcome).__name__ for outcome in outcomes)
    assert kinds == {"KudosView": 5, "OverBudget": 11}, outcomes
    assert all(o.budget == 5 for o in outcomes if isinstance(o, OverBudget))
    given = {o.receiver for o in outcomes if not isinstance(o, Exception)}
    assert count(gk, KUDOS) == 5 and count(gk, ACTIVITIES, ACTIVITIES.c.type == "kudos.given") == 5
    assert count(gk, NOTIFICATIONS, NOTIFICATIONS.c.kind == "kudos.given") == 5
    with gk.store.engine.connect() as conn:
        assert conn.execute(sa.select(BUDGETS.c.used)).scalars().all() == [5]
    assert {user for user in receivers if gk.balances(user).get("kudos-points") == 10} == given
    assert gk.kudos.budget("giver").left == 0


def test_sixteen_givers_thank_one_receiver_at_once(gk_app: Flask, gk: GuildKit) -> None:
    gk.join("star")
    givers = [f"fan-{n}" for n in range(THREADS)]
    for user in givers:
        gk.join(user)
    outcomes = at_once(gk_app, [lambda user=user: gk.kudos.give(user, "star", "You helped me") for user in givers])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({o.id for o in outcomes}) == THREADS
    assert gk.balance("star", "kudos-points") == 10 * THREADS
    assert count(gk, KUDOS, KUDOS.c.receiver_id == gk.member("star").id) == THREADS
    assert count(gk, NOTIFICATIONS, NOTIFICATIONS.c.member_id == gk.member("star").id) == THREADS
    assert gk.kudos.counts("star") == {"received": THREADS, "given": 0}
    with gk.store.engine.connect() as conn:
        assert conn.execute(sa.select(BUDGETS.c.used)).scalars().all() == [1] * THREADS


def test_one_give_sent_eight_times_at_once_with_its_key_gives_once(gk_app: Flask, gk: GuildKit) -> None:
    gk.join("ann")
    gk.join("bob")
    outcomes = at_once(gk_app, [lambda: gk.kudos.give("ann", "bob", "Thanks!", key="double-click")] * 8)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({o.id for o in outcomes}) == 1 and sum(not o.duplicate for o in outcomes) == 1
    assert count(gk, KUDOS) == 1 and gk.kudos.budget("ann").used == 1
    assert gk.balance("bob", "kudos-points") == 10
