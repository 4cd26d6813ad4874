"""Community objectives (guildkit/objectives, docs/objectives.md): targets on the analytics KPIs,
read from real activities through ``gk.analytics``; validation naming every field and writing
nothing; permissions; every (state, action) pair of the lifecycle; the due-date job deciding each
objective once (also when runs overlap), telling its owner and the ``guildkit_objective_decided``
hook; data rights; the migration. What reads or writes data runs on every backend (``gk_backend``);
the rule is tested as pure functions, and the table of bad fields, which Python refuses before any
transaction opens, on SQLite only. A table of cases runs as subtests in one app: a fresh app per
case would cost more than all the cases together."""

from __future__ import annotations

import itertools
import sqlite3
import statistics
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from guildkit import GuildKit, hookimpl, migrate, signals
from guildkit.definitions import RoleDef
from guildkit.errors import ConfigurationError, InvalidTransition, NotAllowed, ValidationError
from guildkit.models import AuditRecord, Notification, table_of
from guildkit.objectives import progress, states
from guildkit.objectives.hookspecs import ObjectiveDecision
from guildkit.objectives.models import STATES, Objective, ObjectiveReading
from guildkit.objectives.plugin import plugin as objectives_plugin
from guildkit.plugins import DEFAULT_PLUGINS
from guildkit.store import OwnStore
from guildkit.testing import Clock, make_app, postgres_schema, postgres_url, require_backend
from tests.plugins import qa_rules

OBJECTIVES = table_of(Objective)
READINGS = table_of(ObjectiveReading)
NOTIFICATIONS = table_of(Notification)
AUDIT = table_of(AuditRecord)
#: Registered by hand until guildkit.objectives is one of DEFAULT_PLUGINS (then it is already there).
REGISTERED = "guildkit.objectives" in dict(DEFAULT_PLUGINS)
OWN = () if REGISTERED else (objectives_plugin,)

#: Day 0 of the made-up history, and "today" once it is recorded (day 60, at noon UTC).
DAY0 = date(2026, 1, 1)
DAYS = 60
TODAY = DAY0 + timedelta(days=DAYS)
NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC)
MEMBERS = 20
DUE = date(2026, 6, 30)


def on(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def history() -> list[tuple[str, date]]:
    """Who was active when: member ``m<i>`` from day 2i on, every third day; so MAU grows steadily
    to every member."""
    return [(f"m{i}", DAY0 + timedelta(days=d)) for i in range(MEMBERS) for d in range(2 * i, DAYS) if d % 3 == i % 3]


def hand_mau(day: date) -> int:
    """MAU on ``day``, counted by hand from :func:`history`."""
    return len({user for user, when in history() if day - timedelta(days=29) <= when <= day})


class Told:
    """A plugin that keeps what ``guildkit_objective_decided`` tells it."""

    def __init__(self) -> None:
        self.decisions: list[ObjectiveDecision] = []

    @hookimpl
    def guildkit_objective_decided(self, gk: GuildKit, decision: ObjectiveDecision) -> None:
        self.decisions.append(decision)


TOLD = Told()


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules, *OWN, TOLD)


def open_community(gk: GuildKit, clock: Clock) -> GuildKit:
    """What each test's GuildKit needs beside the database: the ``analyst`` role defined, no
    decisions told yet, the clock at noon on day 60."""
    TOLD.decisions.clear()
    gk.define(roles=[RoleDef("analyst", "Analyst", "Reads the analytics", permissions=("analytics.view",))])
    clock.set(NOW)
    return gk


def add_people(gk: GuildKit, clock: Clock) -> GuildKit:
    """20 members and no activity yet: ``boss`` (admin) manages objectives, ``ann`` may see the
    analytics, ``bob`` may not; the clock at noon on day 60."""
    open_community(gk, clock)
    clock.set(on(DAY0, 8))
    for user in ("boss", "ann", "bob", *(f"m{i}" for i in range(MEMBERS))):
        gk.join(user, name=user.title())
    gk.award("boss", role="admin", reason="runs the community")
    gk.award("ann", role="analyst", reason="reads the numbers")
    clock.set(NOW)
    return gk


def add_history(gk: GuildKit) -> GuildKit:
    """The 60 days of :func:`history`, recorded."""
    activities = [
        {"type": "answer.posted", "key": f"a:{user}:{day}", "actor": user, "occurred_at": on(day)}
        for user, day in history()
    ]
    for start in range(0, len(activities), 500):
        gk.record_many(activities[start : start + 500])
    return gk


# -- the community a test starts from ---------------------------------------------------------
# ``people`` (and ``world``, with the history) are built by the functions above: on PostgreSQL for
# each test (a schema cannot be copied), on SQLite once a session, each test opening a copy.
# Creating the tables and 23 members costs a second or more on a busy disk; a copy, milliseconds.

#: Where guildkit.testing's ``make_app`` keeps a SQLite database: this file in the test's ``tmp_path``.
SQLITE_FILE = "guildkit.db"
#: The SQLite communities built this session, by (backend, plugins, config, with the history).
BUILT = pytest.StashKey[dict[tuple[str, tuple[str, ...], str, bool], Path]]()


def copy_community(
    request: pytest.FixtureRequest,
    backend: str,
    plugins: tuple[object, ...],
    config: dict[str, Any],
    into: Path,
    folders: pytest.TempPathFactory,
) -> str | None:
    """On SQLite, the community the test asks for (``people``, or ``world``: with the history)
    copied into the folder ``into``, before the test's app opens it: what was copied, or ``None``."""
    wanted = "world" if "world" in request.fixturenames else "people" if "people" in request.fixturenames else None
    if wanted is None or backend == "postgresql":
        return None
    built = request.config.stash.setdefault(BUILT, {})
    names = tuple(getattr(plugin, "__name__", type(plugin).__qualname__) for plugin in plugins)
    key = (backend, names, repr(sorted(config.items())), wanted == "world")
    if key not in built:
        folder = folders.mktemp(f"objectives-{backend}-{wanted}")
        clock = Clock()
        with make_app(backend, folder, config=config, plugins=plugins, clock=clock) as (_app, gk):
            opened(gk, folder)
            add_people(gk, clock)
            if wanted == "world":
                add_history(gk)
        built[key] = folder / SQLITE_FILE
    # SQLite's backup API: a consistent copy, whatever the journal mode (the WAL included).
    with closing(sqlite3.connect(built[key])) as source, closing(sqlite3.connect(into / SQLITE_FILE)) as copy:
        source.backup(copy)
    return wanted


def opened(gk: GuildKit, folder: Path) -> None:
    """Fail loudly if ``make_app`` no longer keeps its SQLite database where a copy is put."""
    assert gk.store.engine.url.database == str(folder / SQLITE_FILE), "make_app moved its SQLite file"


@pytest.fixture
def community(
    request: pytest.FixtureRequest,
    gk_backend: str,
    gk_plugins: tuple[object, ...],
    gk_config: dict[str, Any],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> str | None:
    return copy_community(request, gk_backend, gk_plugins, gk_config, tmp_path, tmp_path_factory)


@pytest.fixture
def gk_app(
    community: str | None,
    gk_backend: str,
    tmp_path: Path,
    gk_clock: Clock,
    gk_plugins: tuple[object, ...],
    gk_config: dict[str, Any],
) -> Iterator[Flask]:
    """guildkit.testing's ``gk_app``, on the database :func:`copy_community` put in place."""
    with make_app(gk_backend, tmp_path, config=gk_config, plugins=gk_plugins, clock=gk_clock) as (app, gk):
        if community is not None:
            opened(gk, tmp_path)
        yield app


@pytest.fixture
def people(gk: GuildKit, gk_clock: Clock, community: str | None) -> GuildKit:
    return open_community(gk, gk_clock) if community else add_people(gk, gk_clock)


@pytest.fixture
def world(people: GuildKit, community: str | None) -> GuildKit:
    return people if community == "world" else add_history(people)


def make(gk: GuildKit, by: str | None = "boss", **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "title": "Grow MAU", "kpi": "mau", "direction": "at_least", "target": 40,
        "starts_on": DAY0 + timedelta(days=20), "due_on": DUE,
    } | changes  # fmt: skip
    return gk.objectives.create(by, **fields)


def count(gk: GuildKit, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with gk.store.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0)


# -- the KPIs and the numbers ----------------------------------------------------------------


def test_the_kpis_are_analytics_kpis_with_names_and_units(world: GuildKit) -> None:
    kpis = {kpi.key: kpi for kpi in world.objectives.kpis()}
    assert {"mau", "wau", "dau", "members", "churn_rate", "first_response_hours"} <= set(kpis)
    assert (kpis["mau"].unit, kpis["churn_rate"].unit, kpis["first_response_hours"].unit) == (
        "count", "percent", "hours",
    )  # fmt: skip
    assert str(kpis["mau"].name) == "Monthly active members (MAU)"
    assert world.analytics.kpi_value("mau", TODAY) == world.analytics.actives(world.analytics.range(TODAY, TODAY)).mau


def test_the_baseline_progress_and_trend_come_from_the_recorded_activities(world: GuildKit) -> None:
    start = DAY0 + timedelta(days=20)
    objective = make(world, target=80, starts_on=start)
    baseline = hand_mau(start)
    assert objective.baseline == baseline and 0 < baseline < MEMBERS and objective.baseline_at == NOW
    standing = world.objectives.standing(objective)
    # A reading every 7 days from the start, and today's last.
    days = [day for day, _value in standing.trend]
    weekly = [start + timedelta(days=7 * n) for n in range((TODAY - start).days // 7 + 1)]
    assert days == weekly + ([TODAY] if weekly[-1] != TODAY else [])
    assert [value for _day, value in standing.trend] == [hand_mau(day) for day in days]
    assert standing.current == hand_mau(TODAY) == MEMBERS and standing.as_of == TODAY
    assert standing.progress == pytest.approx((MEMBERS - baseline) / (80 - baseline))
    # The projection is the least-squares line through the last six readings, at the due date.
    recent = days[-progress.FIT_READINGS :]
    fit = statistics.linear_regression([(d - start).days for d in recent], [hand_mau(d) for d in recent])
    expected = fit.intercept + fit.slope * (DUE - start).days
    assert standing.projected == pytest.approx(expected, abs=1e-3)
    assert standing.outlook == ("on_track" if expected >= 80 else "off_track")
    # The same trend against a target above and below the projection.
    above = world.objectives.standing(make(world, target=expected + 1, starts_on=start))
    below = world.objectives.standing(make(world, target=max(0, expected - 1), starts_on=start))
    assert (above.outlook, below.outlook) == ("off_track", "on_track")
    # Past readings are stored once, shared by the three objectives on MAU; today's is read live.
    assert count(world, READINGS) == len(days) - 1


def test_at_most_objectives_and_a_flat_trend(world: GuildKit) -> None:
    # Churn: nobody who was active stopped, so 0% the whole time: at most 5% is met and on track.
    churn = world.objectives.standing(make(world, kpi="churn_rate", direction="at_most", target=5))
    assert churn.current == world.analytics.kpi_value("churn_rate", TODAY) == 0
    assert (churn.reached, churn.progress, churn.outlook) == (True, 1.0, "on_track")
    # Members: 33 all along; at least 40 is off track, 0% of the way.
    members = world.objectives.standing(make(world, kpi="members", target=40))
    assert members.current == MEMBERS + 3 and members.projected == pytest.approx(MEMBERS + 3)
    assert (members.reached, members.progress, members.outlook) == (False, 0.0, "off_track")


def test_too_few_readings_are_not_enough_data_and_a_future_start_waits_for_the_job(
    world: GuildKit, gk_clock: Clock
) -> None:
    recent = world.objectives.standing(make(world, starts_on=TODAY - timedelta(days=6)))
    assert len(recent.trend) == 2 and (recent.outlook, recent.projected) == ("not_enough_data", None)
    later = make(world, starts_on=TODAY + timedelta(days=2))
    assert (later.baseline, later.baseline_at) == (None, None)
    assert world.objectives.standing(later).outlook == "not_started"
    assert world.objectives.upkeep().baselines == 0  # not yet
    gk_clock.set(NOW + timedelta(days=2))
    assert world.objectives.upkeep().baselines == 1
    captured = world.objectives.get(later.id)
    assert captured.baseline == world.analytics.kpi_value("mau", TODAY + timedelta(days=2))
    assert world.objectives.upkeep().baselines == 0  # once


def test_a_new_kpi_or_start_captures_the_baseline_again(world: GuildKit) -> None:
    objective = make(world)
    same = world.objectives.update("boss", objective.id, title="Grow MAU to 40", target=41)
    assert (same.baseline, same.baseline_at, same.target) == (objective.baseline, objective.baseline_at, 41)
    moved = world.objectives.update("boss", objective.id, starts_on=DAY0 + timedelta(days=40))
    assert moved.baseline == hand_mau(DAY0 + timedelta(days=40)) != objective.baseline
    switched = world.objectives.update("boss", objective.id, kpi="members")
    assert switched.baseline == MEMBERS + 3


# -- bad input -------------------------------------------------------------------------------


def test_every_bad_field_is_named_at_once_and_nothing_is_written(people: GuildKit) -> None:
    with pytest.raises(ValidationError) as caught:
        make(people, title="", kpi="happiness", direction="sideways", target="a lot",
             starts_on=date(2026, 6, 1), due_on=date(2026, 5, 1), owner="nobody")  # fmt: skip
    assert set(caught.value.errors or {}) == {"title", "kpi", "direction", "target", "due_on", "owner"}
    assert "due_on must be after the start date" in caught.value.errors["due_on"]  # type: ignore[index]
    assert count(people, OBJECTIVES) == 0 and count(people, AUDIT, AUDIT.c.area == "objectives") == 0


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"kpi": "churn_rate", "direction": "at_most", "target": 150}, "target"),  # a percentage
    ({"target": -1}, "target"),
    ({"target": float("nan")}, "target"),
    ({"target": True}, "target"),
    ({"due_on": TODAY}, "due_on"),  # must be after today
    ({"due_on": datetime(2026, 6, 30, tzinfo=UTC)}, "due_on"),  # a date, not a moment
    ({"starts_on": date(2019, 1, 1), "due_on": date(2026, 6, 30)}, "due_on"),  # over five years
    ({"owner": "bob"}, "owner"),  # may not see the analytics
    ({"title": "x" * 151}, "title"),
]


# SQLite only: each field is checked in Python (the owner by a read of their member row) before a
# transaction opens, the same on every backend; the test above shows on each that a refusal writes
# nothing.
@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_a_bad_field_is_refused_by_name(people: GuildKit, subtests: pytest.Subtests) -> None:
    for changes, field in BAD_FIELDS:
        with subtests.test(field=field, changes=changes):
            with pytest.raises(ValidationError) as caught:
                make(people, **changes)
            assert set(caught.value.errors or {caught.value.field: []}) == {field}
            assert count(people, OBJECTIVES) == 0


def test_an_analyst_may_own_one_but_only_managers_set_and_change_them(people: GuildKit) -> None:
    owned = make(people, owner="ann")
    assert owned.owner == "ann" and owned.created_by == "boss"
    for by in ("ann", "bob"):
        with pytest.raises(NotAllowed):
            make(people, by=by)
        with pytest.raises(NotAllowed):
            people.objectives.update(by, owned.id, target=1)
        with pytest.raises(NotAllowed):
            people.objectives.archive(by, owned.id)
        with pytest.raises(NotAllowed):
            people.objectives.restore(by, owned.id)
    assert count(people, OBJECTIVES) == 1 and people.objectives.get(owned.id) == owned
    with pytest.raises(ValidationError) as caught:
        make(people, by=None)  # host code names the owner
    assert caught.value.field == "owner"
    assert make(people, by=None, owner="ann", via="cli").created_by is None


# -- the lifecycle ---------------------------------------------------------------------------


def in_state(gk: GuildKit, clock: Clock, state: str, *, outcome: str = "met") -> int:
    """An objective in ``state`` (an archived one decided as ``outcome``), made the way a community
    gets there: set, then decided by the job, or archived. The clock ends back at :data:`NOW`."""
    due = TODAY + timedelta(days=1)
    target = 1 if state == "met" or (state == "archived" and outcome == "met") else 500
    objective = make(gk, kpi="members", target=target, due_on=due)
    if state in ("met", "missed") or (state == "archived" and outcome):
        clock.set(NOW + timedelta(days=2))
        gk.objectives.upkeep()
        clock.set(NOW)
    if state == "archived":
        gk.objectives.archive("boss", objective.id)
    found = gk.objectives.get(objective.id)
    assert found.state == state
    return found.id


ACT: dict[str, Callable[[GuildKit, Clock, int], Any]] = {
    "edit": lambda gk, clock, oid: gk.objectives.update("boss", oid, title="Changed"),
    "archive": lambda gk, clock, oid: gk.objectives.archive("boss", oid),
    "restore": lambda gk, clock, oid: gk.objectives.restore("boss", oid),
}


def test_every_state_and_action_pair_follows_the_table(
    people: GuildKit, gk_clock: Clock, subtests: pytest.Subtests
) -> None:
    # Each pair on an objective of its own, each reported as a subtest. The job may decide an
    # objective an earlier pair left active: no pair looks at another's objective.
    for state, action in itertools.product(STATES, states.ACTIONS):
        with subtests.test(state=state, action=action):
            try:
                follows_the_table(people, gk_clock, state, action)
            finally:
                gk_clock.set(NOW)


def follows_the_table(people: GuildKit, gk_clock: Clock, state: str, action: str) -> None:
    """``action`` on an objective in ``state`` does what :data:`states.TRANSITIONS` says."""
    oid = in_state(people, gk_clock, state)
    before = people.objectives.get(oid)
    allowed = states.TRANSITIONS.get((state, action))
    if action in ("meet", "miss"):
        # The job's decisions: it decides active objectives whose due date is over, nothing else.
        if state == "active":
            people.objectives.update("boss", oid, target=1 if action == "meet" else 500)
        gk_clock.set(NOW + timedelta(days=2))
        people.objectives.upkeep()
        after = people.objectives.get(oid)
        expected = allowed[0] if allowed else state
        assert after.state == expected
        assert (after.outcome, after.decided_at) == ((expected, NOW + timedelta(days=2)) if allowed else
                                                     (before.outcome, before.decided_at))  # fmt: skip
        with pytest.raises(InvalidTransition):
            states.next_state(after.state, action)  # decided: never again
        return
    if allowed is None:
        with pytest.raises(InvalidTransition) as caught:
            ACT[action](people, gk_clock, oid)
        assert caught.value.message == states.refusal(state, action)
        assert people.objectives.get(oid) == before
        return
    after = ACT[action](people, gk_clock, oid)
    assert after.state in allowed
    assert after.state == ((before.outcome or "active") if action == "restore" else allowed[0])
    assert after.outcome == before.outcome  # archiving and restoring keep the decision


def test_restoring_gives_back_the_decision(people: GuildKit, gk_clock: Clock) -> None:
    met = in_state(people, gk_clock, "archived", outcome="met")
    missed = in_state(people, gk_clock, "archived", outcome="missed")
    undecided = in_state(people, gk_clock, "archived", outcome="")
    assert [people.objectives.restore("boss", oid).state for oid in (met, missed, undecided)] == [
        "met", "missed", "active",
    ]  # fmt: skip


def test_the_table_names_only_known_states_and_actions() -> None:
    assert {state for state, _action in states.TRANSITIONS} <= set(STATES)
    assert {action for _state, action in states.TRANSITIONS} == set(states.ACTIONS)
    assert {next for nexts in states.TRANSITIONS.values() for next in nexts} <= set(STATES)


# -- the due-date job ------------------------------------------------------------------------


def test_the_job_decides_on_the_due_dates_value_once_and_tells_the_owner(world: GuildKit, gk_clock: Clock) -> None:
    due = TODAY + timedelta(days=3)
    value = hand_mau(due)  # MAU has reached 30: three more days change nothing
    met = make(world, title="Keep MAU", target=value, due_on=due, owner="ann")
    missed = make(world, title="Double MAU", target=value + 1, due_on=due)
    received: list[ObjectiveDecision] = []

    def receive(sender: object, decision: ObjectiveDecision) -> None:
        received.append(decision)

    with signals.objective_decided.connected_to(receive):
        gk_clock.set(on(due, 23))
        assert world.objectives.upkeep().out() == {"baselines": 0, "met": 0, "missed": 0}  # the day is not over
        gk_clock.set(on(due + timedelta(days=1), 1))
        assert world.objectives.upkeep().out() == {"baselines": 0, "met": 1, "missed": 1}
        for _ in range(2):
            assert world.objectives.upkeep().out() == {"baselines": 0, "met": 0, "missed": 0}
    decided = {o.id: o for o in (world.objectives.get(met.id), world.objectives.get(missed.id))}
    assert (decided[met.id].state, decided[met.id].final_value) == ("met", value)
    assert (decided[missed.id].state, decided[missed.id].outcome) == ("missed", "missed")
    assert [(d.objective_id, d.outcome, d.value, d.owner) for d in TOLD.decisions] == [
        (met.id, "met", value, "ann"), (missed.id, "missed", value, "boss"),
    ]  # fmt: skip
    assert [d.objective_id for d in received] == [met.id, missed.id]
    assert [n.kind for n in world.notifications("ann")] == ["objectives.decided", "role_granted"]
    assert [n.kind for n in world.notifications("boss")] == ["objectives.decided", "role_granted"]
    assert "“Keep MAU” was met" in world.notifications("ann")[0].text
    assert "“Double MAU” was missed" in world.notifications("boss")[0].text


def test_two_jobs_at_once_decide_each_objective_once(gk_app: Flask, people: GuildKit, gk_clock: Clock) -> None:
    ids = [
        make(people, title=f"Objective {n}", kpi="members", target=1, due_on=TODAY + timedelta(days=1)).id
        for n in range(3)
    ]
    gk_clock.set(NOW + timedelta(days=2))
    barrier = threading.Barrier(4)
    outcomes: list[Any] = []

    def run() -> None:
        with gk_app.app_context():
            barrier.wait()
            try:
                outcomes.append(people.objectives.upkeep().met)
            except Exception as exc:  # the outcome under test
                outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert all(isinstance(o, int) for o in outcomes) and sum(outcomes) == 3, outcomes
    assert all(people.objectives.get(oid).state == "met" for oid in ids)
    assert count(people, NOTIFICATIONS, NOTIFICATIONS.c.kind == "objectives.decided") == 3
    assert sorted(d.objective_id for d in TOLD.decisions) == ids


# -- switched off, data rights, the migration -------------------------------------------------


def test_objectives_need_analytics(gk_clock: Clock, tmp_path: Path) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.analytics"]}
    with pytest.raises(ConfigurationError, match=r"guildkit\.objectives needs guildkit\.analytics"):  # noqa: SIM117
        with make_app("sqlite", tmp_path, config=config, plugins=OWN, clock=gk_clock):
            pass


def test_bad_config_fails_start_up(gk_clock: Clock, tmp_path: Path) -> None:
    config = {"GUILDKIT_OBJECTIVES_READING_DAYS": 0}
    with pytest.raises(ConfigurationError, match="GUILDKIT_OBJECTIVES_READING_DAYS"):  # noqa: SIM117
        with make_app("sqlite", tmp_path, config=config, plugins=OWN, clock=gk_clock):
            pass


def test_the_owner_exports_their_objectives_and_erasure_scrubs_their_name(people: GuildKit) -> None:
    objective = make(people, title="Ann's push", notes="Ann leads this; ask ann.", owner="ann")
    exported = people.privacy.export("ann")["plugins"]["objectives"]
    assert [(o["id"], o["as"], o["title"]) for o in exported] == [(objective.id, "owner", "Ann's push")]
    assert [o["as"] for o in people.privacy.export("boss")["plugins"]["objectives"]] == ["creator"]
    people.privacy.erase("ann", confirm=True)
    after = people.objectives.get(objective.id)
    assert "Ann" not in after.title and "ann" not in after.notes.split() and after.owner.startswith("erased:")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    backend = require_backend(str(request.param))
    if backend == "sqlite":
        store = OwnStore(f"sqlite:///{tmp_path / 'm.db'}", {})
        yield store.engine
        store.dispose()
        return
    url = postgres_url()
    assert url is not None
    with postgres_schema(url) as options:
        store = OwnStore(url, options)
        yield store.engine
        store.dispose()


def test_the_migration_builds_what_the_models_declare(engine: sa.Engine) -> None:
    migrate.upgrade(engine, gk=GuildKit(plugins=OWN))
    ours = {table.name for table in objectives_plugin.tables()}
    assert ours <= set(sa.inspect(engine).get_table_names())

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return getattr(table, "name", None) in ours

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        assert compare_metadata(context, OBJECTIVES.metadata) == []
    checks = {c["name"] for c in sa.inspect(engine).get_check_constraints("guildkit_objectives")}
    assert {"ck_guildkit_objectives_decided_has_outcome", "ck_guildkit_objectives_due_after_start"} <= checks


# -- the rule, as pure functions -----------------------------------------------------------------


def test_reading_days_are_weekly_and_wider_for_long_objectives() -> None:
    start = date(2026, 1, 1)
    assert progress.reading_days(start, start + timedelta(days=15), 7) == [
        start, start + timedelta(days=7), start + timedelta(days=14), start + timedelta(days=15),
    ]  # fmt: skip
    assert progress.reading_days(start, start - timedelta(days=1), 7) == []
    year = progress.reading_days(start, start + timedelta(days=365), 7)
    assert len(year) <= progress.MAX_READINGS + 1 and year[-1] == start + timedelta(days=365)
    assert len({(b - a).days for a, b in itertools.pairwise(year[:-1])}) == 1


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "current", "expected"),
    [
        ("at_least", 100, 200, 150, 0.5),
        ("at_least", 100, 200, 90, 0.0),
        ("at_least", 100, 200, 250, 1.0),
        ("at_most", 10, 4, 7, 0.5),
        ("at_most", 10, 4, 3, 1.0),
        ("at_least", 300, 200, 150, 0.0),  # the baseline met it; the KPI fell back since
        ("at_least", None, 200, 150, None),
        ("at_least", 100, 200, None, None),
    ],
)
def test_progress_from_baseline_to_target(
    direction: str, baseline: float | None, target: float, current: float | None, expected: float | None
) -> None:
    assert progress.progress(direction, baseline, target, current) == expected


def test_the_projection_is_the_least_squares_line_through_the_recent_readings() -> None:
    start = date(2026, 1, 1)
    points = [(start + timedelta(days=7 * n), 10 + 2 * n) for n in range(4)]
    due = start + timedelta(days=70)
    assert progress.project(points, due) == pytest.approx(30)
    assert progress.outlook("at_least", 30, due, points, 3) == ("on_track", 30)
    assert progress.outlook("at_most", 29, due, points, 3) == ("off_track", 30)
    assert progress.outlook("at_least", 30, due, points[:2], 3) == ("not_enough_data", None)
    # An early jump no longer counts once six readings follow it; a percentage stays within 100.
    jumped = [(start, 100.0)] + [(start + timedelta(days=7 * n), 10.0) for n in range(1, 7)]
    assert progress.outlook("at_least", 11, due, jumped, 3) == ("off_track", 10)
    assert progress.outlook("at_least", 90, due, points, 3, most=25) == ("off_track", 25)
    falling = [(start + timedelta(days=7 * n), 10 - 3 * n) for n in range(4)]
    assert progress.outlook("at_most", 0, due, falling, 3) == ("on_track", 0)
