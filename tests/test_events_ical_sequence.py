"""An event's revision, iCalendar's ``SEQUENCE`` (RFC 5545, 3.8.7.4): 0 when created, one more with
each change the file shows and with the cancellation, counted by the database in the UPDATE that
makes the change, so changes within one second and concurrent changes each count.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from guildkit import GuildKit, migrate
from guildkit.models import Base
from guildkit.testing import Clock, make_app, require_backend
from tests.events_helpers import make_event
from tests.ical_reader import parse
from tests.test_migrations import engine_for

BACKENDS = ["sqlite", "sqlite-host", pytest.param("postgresql", marks=pytest.mark.postgres)]


def sequence(gk: GuildKit, event_id: int) -> int:
    """The ``SEQUENCE`` of the event's file (as its organizer sees it), which is the view's ``sequence``."""
    written = int(parse(gk.events.ics(event_id, "org")).only("VEVENT").value("SEQUENCE"))
    assert written == gk.events.get(event_id, "org").sequence
    return written


def test_a_cancel_within_the_same_second_is_a_new_revision(gk: GuildKit) -> None:
    event = make_event(gk)
    assert sequence(gk, event.id) == 0
    gk.events.cancel(event.id, "org", "Venue flooded")  # the clock has not moved
    assert sequence(gk, event.id) == 1
    assert parse(gk.events.ics(event.id)).only("VEVENT").value("STATUS") == "CANCELLED"


def test_two_edits_are_two_revisions(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk)
    gk.events.update(event.id, "org", title="Board games night (new room)")
    gk.events.update(event.id, "org", starts_at=event.starts_at + timedelta(hours=1))
    assert sequence(gk, event.id) == 2
    gk_clock.advance(minutes=5)
    gk.events.update(event.id, "org", timezone="Europe/London", location="The library, room 3")  # one edit
    assert sequence(gk, event.id) == 3
    gk.events.cancel(event.id, "org")
    assert sequence(gk, event.id) == 4


def test_changes_the_file_does_not_show_are_not_revisions(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk, online=True, location="", url="https://meet.example.org/a")
    gk_clock.advance(minutes=1)
    gk.events.update(event.id, "org", capacity=40, visibility="members")
    gk.events.update(event.id, "org", title=event.title)  # the same title: no change at all
    assert gk.events.get(event.id, "org").updated_at == gk_clock.now  # changed, though
    assert sequence(gk, event.id) == 0
    gk.events.update(event.id, "org", description="Bring dice")
    gk.events.update(event.id, "org", url="https://meet.example.org/b")
    gk.events.update(event.id, "org", online=False, location="Hall")
    assert sequence(gk, event.id) == 3


WORKERS = 6
EDITS = 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_edits_each_count(backend: str, tmp_path: Path) -> None:
    """Organizers editing at once, in threads released together: no revision is lost."""
    with make_app(require_backend(backend), tmp_path) as (app, gk):
        event = make_event(gk)
        start = threading.Barrier(WORKERS)
        errors: list[BaseException] = []

        def work(worker: int) -> None:
            try:
                with app.app_context():
                    start.wait()
                    for edit in range(EDITS):
                        gk.events.update(event.id, "org", title=f"Edit {worker}.{edit}")
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        gk.session.expire_all()
        assert sequence(gk, event.id) == WORKERS * EDITS


# -- the migration (events_0002) ----------------------------------------------------------------


def shape(engine: sa.Engine) -> dict[str, Any]:
    inspector = sa.inspect(engine)
    return {
        "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns("guildkit_events")],
        "checks": sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints("guildkit_events")),
        "indexes": sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes("guildkit_events")),
        "fks": sorted(str(fk["name"]) for fk in inspector.get_foreign_keys("guildkit_events")),
    }


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_events_made_before_the_counter_start_at_0_and_the_migration_undoes_cleanly(
    backend: str, tmp_path: Path
) -> None:
    events = next(branch for branch in migrate.branches() if branch.name == "events")
    with engine_for(require_backend(backend), tmp_path) as engine:
        migrate.upgrade(engine)
        at_head = shape(engine)
        with migrate._migrating(engine) as conn:
            command.downgrade(migrate.make_config(events, conn), "events_0001")
        undone = shape(engine)
        assert undone["columns"] == [c for c in at_head["columns"] if c[0] != "sequence"]
        for part in ("checks", "indexes", "fks"):  # the table rebuilt on SQLite keeps them all
            assert undone[part] == at_head[part], part
        moment = datetime(2026, 1, 5, 12)
        with engine.begin() as conn:
            conn.execute(sa.insert(Base.metadata.tables["guildkit_members"]).values(id=1, user_id="org"))
            conn.execute(
                sa.text(
                    "INSERT INTO guildkit_events (id, title, description, starts_at, ends_at, timezone, online, "
                    "location, visibility, created_by, created_at, updated_at, cancel_reason) VALUES (1, 'Old', '', "
                    ":at, :end, 'UTC', false, 'Hall', 'public', 1, :at, :at, '')"
                ),
                {"at": moment, "end": moment + timedelta(hours=1)},
            )
        migrate.upgrade(engine)
        assert migrate.currents(engine)["events"] == "events_0002"
        assert shape(engine) == at_head
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT sequence FROM guildkit_events")).scalars().all() == [0]
