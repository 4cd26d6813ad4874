"""A mentor's capacity under concurrent accepts: 8 threads on SQLite (guildkit's own database and the
host's), 8 processes on PostgreSQL, all accepting requests for one mentor with room for 3.

Exactly 3 are accepted, the other 5 get CapacityReached, and never more than 3 of the mentor's
mentorships are accepted or active.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from guildkit import GuildKit
from guildkit.mentorship.models import HOLDING_STATES, MentorProfile, Mentorship
from guildkit.testing import make_app, require_backend
from tests.mentorship_worker import accept, accept_in_process

WORKERS = 8
CAPACITY = 3


def requests_for_one_mentor(gk: GuildKit) -> list[int]:
    gk.mentorship.offer("mentor", topics=["python"], languages=["en"], timezone="UTC", capacity=CAPACITY)
    return [gk.mentorship.request(f"mentee{n}", "mentor", goals="learn").id for n in range(WORKERS)]


def check(gk: GuildKit, outcomes: list[str]) -> None:
    assert Counter(outcomes) == {"accepted": CAPACITY, "full": WORKERS - CAPACITY}
    session = gk.session
    session.expire_all()
    states = Counter(session.scalars(sa.select(Mentorship.state)))
    assert sum(states[s] for s in HOLDING_STATES) == CAPACITY
    assert states["requested"] == WORKERS - CAPACITY
    assert session.scalar(sa.select(MentorProfile.taken)) == CAPACITY
    assert gk.mentorship.profile("mentor").free == 0


@pytest.mark.parametrize("backend", ["sqlite", "sqlite-host"])
def test_capacity_holds_under_concurrent_accepts_on_sqlite(backend: str, tmp_path: Path) -> None:
    with make_app(backend, tmp_path) as (app, gk):
        ids = requests_for_one_mentor(gk)
        outcomes: list[str] = []
        errors: list[BaseException] = []
        start = threading.Barrier(WORKERS)

        def work(mentorship_id: int) -> None:
            try:
                with app.app_context():
                    start.wait()
                    outcomes.append(accept(gk, mentorship_id, "mentor"))
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(m,)) for m in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        check(gk, outcomes)


@pytest.mark.postgres
def test_capacity_holds_under_concurrent_accepts_on_postgresql(tmp_path: Path) -> None:
    with make_app(require_backend("postgresql"), tmp_path) as (app, gk):
        url, options = app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        ids = requests_for_one_mentor(gk)
        gk.store.remove_session()
        ctx = multiprocessing.get_context("spawn")
        start = ctx.Barrier(WORKERS)
        results = ctx.Queue()
        processes = [ctx.Process(target=accept_in_process, args=(url, options, m, start, results)) for m in ids]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(timeout=60)
            assert process.exitcode == 0
        check(gk, outcomes)
