"""Real concurrency: 8 threads on SQLite, 8 processes on PostgreSQL, every delivery twice.

Two phases: all activities are recorded, then a third of them are retracted (each retraction
also delivered twice).

After the run, for every member and point type the ledger sums to the balance, no one-time
badge level is held twice, every activity is stored exactly once, and the totals equal those of
a sequential run of the same activities (the workload is order-independent by design: only
positive points, so floors never bite; caps and thresholds do not depend on order).
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.models import Activity, BadgeAward, Balance, LedgerEntry, Member, RoleGrant
from guildkit.testing import make_app, require_backend
from tests.concurrency_worker import deliver, deliver_slice
from tests.plugins import qa_rules

WORKERS = 8
MEMBERS = [f"m{n}" for n in range(12)]


def workload(seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    activities = []
    for n in range(240):
        actor, target = rng.sample(MEMBERS, 2)
        kind = rng.choice(["answer.upvoted", "answer.upvoted", "answer.posted", "answer.accepted", "visit"])
        if kind in ("answer.posted", "visit"):
            activities.append({"type": kind, "actor": actor, "key": f"a:{n}"})
        else:
            activities.append({"type": kind, "actor": actor, "target": target, "key": f"a:{n}"})
    return activities


def retractions(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"retract": a["key"]} for a in activities[::3]]


def deliveries(activities: list[dict[str, Any]], seed: int = 11) -> list[list[dict[str, Any]]]:
    """Every activity twice, shuffled, dealt round-robin to the workers."""
    doubled = activities + [dict(a) for a in activities]
    random.Random(seed).shuffle(doubled)
    return [doubled[i::WORKERS] for i in range(WORKERS)]


def snapshot(gk: GuildKit) -> dict[str, Any]:
    session = gk.session
    balances = {
        (user, pt): bal
        for user, pt, bal in session.execute(
            sa.select(Member.user_id, Balance.point_type, Balance.balance).join(Member, Member.id == Balance.member_id)
        )
    }
    sums = {
        (user, pt): int(total)
        for user, pt, total in session.execute(
            sa.select(Member.user_id, LedgerEntry.point_type, sa.func.sum(LedgerEntry.amount))
            .join(Member, Member.id == LedgerEntry.member_id)
            .group_by(Member.user_id, LedgerEntry.point_type)
        )
    }
    awards = Counter(
        tuple(row)
        for row in session.execute(
            sa.select(Member.user_id, BadgeAward.badge_slug, BadgeAward.level)
            .join(Member, Member.id == BadgeAward.member_id)
            .where(BadgeAward.revoked_at.is_(None))
        ).all()
    )
    roles = Counter(
        tuple(row)
        for row in session.execute(
            sa.select(Member.user_id, RoleGrant.role_slug)
            .join(Member, Member.id == RoleGrant.member_id)
            .where(RoleGrant.revoked_at.is_(None))
        ).all()
    )
    keys = Counter(session.scalars(sa.select(Activity.key)))
    return {"balances": balances, "sums": sums, "awards": awards, "roles": roles, "keys": keys}


def check(concurrent: dict[str, Any], sequential: dict[str, Any], activities: list[dict[str, Any]]) -> None:
    assert concurrent["sums"] == concurrent["balances"]
    assert set(concurrent["keys"]) == {a["key"] for a in activities}
    assert max(concurrent["keys"].values()) == 1
    one_time = {k: n for k, n in concurrent["awards"].items() if k[1] != "accepted"}
    assert max(one_time.values()) == 1
    assert max(concurrent["roles"].values()) == 1
    assert concurrent == sequential


def sequential_snapshot(tmp_path: Path, activities: list[dict[str, Any]]) -> dict[str, Any]:
    with make_app("sqlite", tmp_path / "sequential", plugins=(qa_rules,)) as (_, gk):
        for item in activities + retractions(activities):
            deliver(gk, item)
        snap = snapshot(gk)
        # The workload must stay order-independent: nobody may reach the daily cap.
        assert all(b < 200 for (_, pt), b in snap["balances"].items() if pt == "reputation")
        return snap


def run_threads(app: Flask, gk: GuildKit, chunks: list[list[dict[str, Any]]], expected_fresh: int) -> None:
    """One thread per chunk, released together; each delivers its chunk one per transaction."""
    errors: list[BaseException] = []
    fresh: list[int] = []
    start = threading.Barrier(len(chunks))

    def work(items: list[dict[str, Any]]) -> None:
        try:
            with app.app_context():
                start.wait()
                fresh.append(sum(deliver(gk, item) for item in items))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(fresh) == expected_fresh  # each delivery was "first" exactly once


@pytest.mark.parametrize("backend", ["sqlite", "sqlite-host"])
def test_eight_threads_on_sqlite(backend: str, tmp_path: Path) -> None:
    activities = workload()
    expected = sequential_snapshot(tmp_path, activities)
    with make_app(backend, tmp_path / "concurrent", plugins=(qa_rules,)) as (app, gk):
        for phase in (activities, retractions(activities)):
            run_threads(app, gk, deliveries(phase), expected_fresh=len(phase))
        check(snapshot(gk), expected, activities)


@pytest.mark.postgres
def test_eight_processes_on_postgresql(tmp_path: Path) -> None:
    activities = workload()
    expected = sequential_snapshot(tmp_path, activities)
    with make_app(require_backend("postgresql"), tmp_path / "concurrent", plugins=(qa_rules,)) as (app, gk):
        url, options = app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(WORKERS) as pool:
            for phase in (activities, retractions(activities)):
                fresh = pool.starmap(deliver_slice, [(url, options, chunk) for chunk in deliveries(phase)])
                assert sum(fresh) == len(phase)
        gk.session.expire_all()
        check(snapshot(gk), expected, activities)
