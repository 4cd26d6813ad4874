"""``Store.run_write`` retries deadlocks, also those raised on the bare cursor of the hot path.

The write path's prepared statements run on the DBAPI cursor (``guildkit.store.Prepared``), so
their errors are the driver's own (``psycopg.errors.DeadlockDetected``), not SQLAlchemy's
``DBAPIError``. Two threads lock two members in opposite orders there: PostgreSQL aborts one,
and ``run_write`` must run that one again rather than fail the call.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from guildkit.store import fetch
from guildkit.testing import make_app, require_backend
from guildkit.unit_sql import LOCK_MEMBER_IDS


def test_a_deadlock_on_the_bare_cursor_is_retried(tmp_path: Path) -> None:
    require_backend("postgresql")
    with make_app("postgresql", tmp_path) as (app, gk):
        gk.record("visit", actor="ann", key="v:ann")
        gk.record("visit", actor="bob", key="v:bob")
        ids = [int(i) for i in gk.session.scalars(sa.text("SELECT id FROM guildkit_members ORDER BY id"))]
        gk.session.rollback()
        both_hold_one = threading.Barrier(2, timeout=30)
        attempts = {"first": 0, "second": 0}
        errors: list[BaseException] = []

        def lock(name: str, order: list[int]) -> None:
            def body(conn: sa.Connection) -> None:
                attempts[name] += 1
                fetch(conn, LOCK_MEMBER_IDS, {"ids": [order[0]]})
                if attempts[name] == 1:
                    both_hold_one.wait()  # each holds one row and asks for the other's: a deadlock
                fetch(conn, LOCK_MEMBER_IDS, {"ids": [order[1]]})

            try:
                with app.app_context():
                    gk.store.run_write(body)
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=lock, args=("first", ids)),
            threading.Thread(target=lock, args=("second", ids[::-1])),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        # PostgreSQL aborted one of them; it ran again and went through.
        assert sorted(attempts.values()) == [1, 2]


@pytest.mark.parametrize("text", ["deadlock detected", "database is locked"])
def test_what_is_retried(text: str) -> None:
    from guildkit.store import _is_retryable

    assert _is_retryable(RuntimeError(f"x: {text} (y)"))
    assert not _is_retryable(RuntimeError("duplicate key value violates unique constraint"))
