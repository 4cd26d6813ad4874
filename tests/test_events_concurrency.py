"""Capacity and the waitlist under real concurrency: threads on SQLite (guildkit's own database and
the host's), spawned processes on PostgreSQL, all released together by a barrier.

* Many members answer ``going`` at once to an event with capacity K: exactly K are going, the
  rest waitlisted with distinct places 1..N-K.
* Going members withdraw while others join and waiting ones are moved in: never more than K
  going, nobody waits while a place is free, and every member moved in is notified.
* The event is cancelled while members answer: never more than K going, and every answer
  either went through or was refused as the event was cancelled.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.events.models import Rsvp
from guildkit.models import Member, Notification, utcnow
from guildkit.testing import make_app
from tests.events_concurrency_worker import Op, apply, apply_slice
from tests.plugins import qa_rules

WORKERS = 8
CAPACITY = 5

Runner = Callable[[int, list[list[Op]]], list[str]]


def new_event(gk: GuildKit) -> int:
    start = utcnow() + timedelta(days=3)
    event = gk.events.create(
        "org", title="Popular", starts_at=start, ends_at=start + timedelta(hours=2), timezone="UTC",
        location="Hall", capacity=CAPACITY,
    )  # fmt: skip
    return event.id


def rsvps(gk: GuildKit, event_id: int) -> list[tuple[str, str, int | None]]:
    query = (
        sa.select(Member.user_id, Rsvp.status, Rsvp.waitlist_position)
        .join(Member, Member.id == Rsvp.member_id)
        .where(Rsvp.event_id == event_id)
    )
    return [(u, s, p) for u, s, p in gk.session.execute(query)]


def promoted_notes(gk: GuildKit) -> Counter[str]:
    query = (
        sa.select(Member.user_id)
        .join(Notification, Notification.member_id == Member.id)
        .where(Notification.kind == "event.promoted")
    )
    return Counter(gk.session.scalars(query))


def threads(app: Flask, gk: GuildKit) -> Runner:
    def run(event_id: int, chunks: list[list[Op]]) -> list[str]:
        outcomes: list[str] = []
        errors: list[BaseException] = []
        start = threading.Barrier(len(chunks))

        def work(ops: list[Op]) -> None:
            try:
                with app.app_context():
                    start.wait()
                    outcomes.extend(apply(gk, event_id, op) for op in ops)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert errors == []
        return outcomes

    return run


@contextmanager
def setup(backend: str, tmp_path: Path) -> Iterator[tuple[GuildKit, Runner]]:
    """A GuildKit on ``backend`` and a way to run chunks of operations concurrently on it."""
    with make_app(backend, tmp_path, plugins=(qa_rules,)) as (app, gk):
        if backend != "postgresql":
            yield gk, threads(app, gk)
            return
        url, options = app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Manager() as manager, ctx.Pool(WORKERS) as pool:

            def run(event_id: int, chunks: list[list[Op]]) -> list[str]:
                barrier = manager.Barrier(len(chunks))
                results = pool.starmap(apply_slice, [(url, options, event_id, chunk, barrier) for chunk in chunks])
                gk.session.expire_all()
                return [outcome for result in results for outcome in result]

            yield gk, run


BACKENDS = [
    "sqlite",
    "sqlite-host",
    pytest.param("postgresql", marks=pytest.mark.postgres),
]


def deal(ops: list[Op]) -> list[list[Op]]:
    return [ops[i::WORKERS] for i in range(WORKERS)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_everyone_going_at_once_fills_capacity_exactly(backend: str, tmp_path: Path) -> None:
    with setup(backend, tmp_path) as (gk, run):
        event_id = new_event(gk)
        members = [f"m{n}" for n in range(WORKERS * 3)]
        outcomes = run(event_id, deal([("rsvp", m, "going") for m in members]))
        assert Counter(outcomes) == {"going": CAPACITY, "waitlisted": len(members) - CAPACITY}
        stored = rsvps(gk, event_id)
        assert sorted(u for u, _, _ in stored) == sorted(members)
        assert sum(s == "going" for _, s, _ in stored) == CAPACITY
        places = sorted(p for _, s, p in stored if s == "waitlisted")
        assert places == list(range(1, len(members) - CAPACITY + 1))
        waitlist = gk.events.attendees(event_id, "org").waitlist or ()
        assert [r.position for r in waitlist] == places


@pytest.mark.parametrize("backend", BACKENDS)
def test_withdrawals_joins_and_promotions_keep_the_capacity(backend: str, tmp_path: Path) -> None:
    with setup(backend, tmp_path) as (gk, run):
        event_id = new_event(gk)
        first = [f"first{n}" for n in range(CAPACITY)]
        waiting = [f"wait{n}" for n in range(6)]
        for user in first + waiting:
            gk.events.rsvp(event_id, user, "going")
        ops: list[Op] = [("rsvp", u, "not_going") for u in first[:3]]
        ops += [("rsvp", u, "maybe") for u in waiting[4:]]
        ops += [("rsvp", f"new{n}", "going") for n in range(10)]
        ops += [("rsvp", u, "going") for u in first[3:]]  # already going: unchanged
        run(event_id, deal(ops))
        stored = rsvps(gk, event_id)
        going = {u for u, s, _ in stored if s == "going"}
        waitlisted = sorted((p, u) for u, s, p in stored if s == "waitlisted")
        assert len(going) == CAPACITY  # never more; and nobody waits while a place is free
        assert set(first[3:]) <= going and not going & set(first[:3])
        assert [p for p, _ in waitlisted] == sorted({p for p, _ in waitlisted})  # distinct places
        # The three freed places went to the longest-waiting members who still wanted one.
        assert set(waiting[:3]) <= going
        assert set(promoted_notes(gk)) == going - set(first)
        assert max(promoted_notes(gk).values()) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancelling_while_members_answer(backend: str, tmp_path: Path) -> None:
    with setup(backend, tmp_path) as (gk, run):
        event_id = new_event(gk)
        ops: list[Op] = [("rsvp", f"m{n}", "going") for n in range(WORKERS * 3)]
        ops.insert(len(ops) // 2, ("cancel", "org", "double-booked"))
        outcomes = run(event_id, deal(ops))
        counts = Counter(outcomes)
        assert counts["cancelled"] == 1
        stored = rsvps(gk, event_id)
        assert len(stored) == counts["going"] + counts["waitlisted"]
        assert counts["refused"] == len(ops) - 1 - len(stored)
        assert sum(s == "going" for _, s, _ in stored) <= CAPACITY
        assert gk.events.get(event_id).cancelled
        # Everyone who had answered before the cancellation heard about it.
        told = gk.session.scalars(sa.select(Notification.kind).where(Notification.kind == "event.cancelled")).all()
        assert len(told) == len(stored)


def test_same_member_twice_at_once_keeps_one_rsvp(tmp_path: Path) -> None:
    with setup("sqlite", tmp_path) as (gk, run):
        event_id = new_event(gk)
        outcomes = run(event_id, [[("rsvp", "twin", "going")] for _ in range(WORKERS)])
        assert outcomes == ["going"] * WORKERS
        assert rsvps(gk, event_id) == [("twin", "going", None)]
