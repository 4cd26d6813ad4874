"""Benchmark: every analytics KPI on a year of activity for 100,000 members, against a raw baseline.

    .venv/bin/python bench/bench_analytics.py                          # SQLite (a file)
    GUILDKIT_BENCH_POSTGRES_URL=postgresql+psycopg://... .venv/bin/python bench/bench_analytics.py
    .venv/bin/python bench/bench_analytics.py --activities 500000      # a quicker, smaller run
    .venv/bin/python bench/bench_analytics.py --keep /tmp/gk-bench     # build once, reuse after

With ``--keep NAME`` the data set survives the run: SQLite writes ``NAME.db`` and PostgreSQL a
schema named after NAME's last part; the next run with the same NAME (and the same ``--members``
and ``--activities``) reuses it instead of building it again, after creating any index the models
declare that it lacks (and ``ANALYZE``). ``--only TEXT`` times only the KPIs whose name contains it.

Set-up: ``--members`` members (default 100,000) joined over the year (a third before it started)
and ``--activities`` live activities (default 3,000,000) over 2025, skewed like a real community:
each member's share is drawn from a Pareto distribution, so most members barely act and a few act
a lot. Types: visits, posts, answers and comments (replies to another member), upvotes. About
0.4 ledger rows per activity and 20,000 badge awards. Rows are written with Core ``executemany``
(SQLite) or ``COPY`` (PostgreSQL), then the tables are ``ANALYZE``d.

First the rollups (``guildkit/analytics/rollup.py``) are timed: a build from scratch, a refresh
when nothing changed, and a refresh after ``--extra`` new activities (on the year's last two
days) and a tenth as many retractions of activities all over the year; the data set is then put
back and the rollups rebuilt. Then each KPI is timed three ways, in turns (A B C A B C …,
``--rounds`` rounds, medians): the baseline ``SELECT COUNT(*)`` over the activity table, the
query over the raw tables (``membership``, ``cohorts``, ``engagement``, ``recognition``: the
path before the rollups), and ``gk.analytics`` (refresh check + rollups). The "same" column says
whether the two give identical results (``out()``) on this data.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from guildkit import BadgeDef, GuildKit, PointTypeDef
from guildkit.analytics import cohorts, engagement, membership, recognition
from guildkit.models import Activity, BadgeAward, LedgerEntry, Member, table_of
from guildkit.models.base import Base
from guildkit.testing import postgres_schema

START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 365
#: (type, share of activities, is a reply to another member).
TYPES = (
    ("visit", 0.45, False),
    ("answer.upvoted", 0.20, True),
    ("answer.posted", 0.12, True),
    ("comment.posted", 0.10, True),
    ("question.posted", 0.08, False),
    ("event.attended", 0.05, False),
)
BADGES = [f"badge-{n}" for n in range(20)]
CHUNK = 50_000


@contextmanager
def community(backend: str, workdir: Path, keep: Path | None) -> Iterator[tuple[Flask, GuildKit]]:
    app = Flask("bench", instance_path=str(workdir / "instance"))
    app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, GUILDKIT_TIMEZONE="Europe/Berlin")
    app.config["GUILDKIT_ENGAGEMENT_WEIGHTS"] = {"*.posted": 3, "answer.upvoted": 1, "visit": 0.5, "*": 1}
    if backend == "sqlite":
        path = keep.with_suffix(".db") if keep else workdir / "analytics.db"
        app.config["GUILDKIT_DATABASE_URI"] = f"sqlite:///{path}"
        yield from _app(app)
        return
    url = os.environ.get("GUILDKIT_BENCH_POSTGRES_URL") or os.environ["GUILDKIT_TEST_POSTGRES_URL"]
    app.config["GUILDKIT_DATABASE_URI"] = url
    if keep:
        schema = "gk_bench_" + re.sub(r"[^a-z0-9_]", "_", keep.name.lower())
        admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        admin.dispose()
        app.config["GUILDKIT_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
        yield from _app(app)
        return
    with postgres_schema(url) as options:
        app.config["GUILDKIT_ENGINE_OPTIONS"] = options
        yield from _app(app)


def _app(app: Flask) -> Iterator[tuple[Flask, GuildKit]]:
    gk = GuildKit(app)
    gk.define(
        point_types=[PointTypeDef("reputation", "Reputation"), PointTypeDef("xp", "XP")],
        badges=[BadgeDef(slug, slug.title()) for slug in BADGES],
    )
    with app.app_context():
        gk.create_all()
        yield app, gk
        gk.store.dispose()  # type: ignore[attr-defined]


def build(gk: GuildKit, members: int, activities: int, seed: int = 7) -> dict[str, float]:
    """Write the data set; returns seconds per table."""
    rng = random.Random(seed)
    engine = gk.store.engine
    spent: dict[str, float] = {}
    started = time.perf_counter()
    joined = [START + timedelta(seconds=rng.uniform(-120 * 86400, (DAYS - 1) * 86400)) for _ in range(members)]
    member_rows = [
        {"id": n + 1, "user_id": f"u{n}", "status": "active", "display_name": f"Member {n}", "joined_at": joined[n]}
        for n in range(members)
    ]
    insert_rows(engine, table_of(Member), member_rows)
    spent["members"] = time.perf_counter() - started

    # Pareto shares: most members barely act, a few act a lot.
    weights = [rng.paretovariate(1.16) for _ in range(members)]
    actors = rng.choices(range(members), weights=weights, k=activities)
    kinds = rng.choices(range(len(TYPES)), weights=[t[1] for t in TYPES], k=activities)
    end = START + timedelta(days=DAYS)
    activity_rows: list[dict[str, Any]] = []
    ledger_rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for n in range(activities):
        actor = actors[n]
        kind, _, reply = TYPES[kinds[n]]
        first = max(joined[actor], START)
        when = first + (end - first) * rng.random()
        target = rng.randrange(members) if reply else None
        activity_rows.append(
            {
                "id": n + 1,
                "key": f"a{n}",
                "type": kind,
                "actor_id": actor + 1,
                "target_id": None if target is None else target + 1,
                "subject": None,
                "payload": {},
                "occurred_at": when,
                "recorded_at": when,
                "fingerprint": "0" * 64,
            }
        )
        if kind == "answer.upvoted" or kind == "answer.posted":
            point_type, amount, to = ("reputation", 10, target) if kind == "answer.upvoted" else ("xp", 5, actor)
            assert to is not None
            ledger_rows.append(
                {
                    "member_id": to + 1,
                    "point_type": point_type,
                    "amount": amount,
                    "balance_after": amount,
                    "activity_id": n + 1,
                    "rule": "bench",
                    "reason": "",
                    "capped": False,
                    "created_at": when,
                }
            )
        if len(activity_rows) >= CHUNK:
            insert_rows(engine, table_of(Activity), activity_rows)
            activity_rows = []
    insert_rows(engine, table_of(Activity), activity_rows)
    spent["activities"] = time.perf_counter() - started
    started = time.perf_counter()
    for at in range(0, len(ledger_rows), CHUNK):
        insert_rows(engine, table_of(LedgerEntry), ledger_rows[at : at + CHUNK])
    spent["ledger"] = time.perf_counter() - started
    started = time.perf_counter()
    awards = {(rng.randrange(members), rng.choice(BADGES)) for _ in range(20_000)}
    insert_rows(
        engine,
        table_of(BadgeAward),
        [
            {
                "member_id": m + 1,
                "badge_slug": slug,
                "level": 1,
                "once": True,
                "rule": "bench",
                "mode": "event",
                "reason": "",
                "awarded_at": START + timedelta(seconds=rng.uniform(0, DAYS * 86400)),
            }
            for m, slug in awards
        ],
    )
    spent["badge awards"] = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    spent["analyze"] = time.perf_counter() - started
    spent["ledger rows"] = len(ledger_rows)
    return spent


def reuse(gk: GuildKit, members: int, activities: int) -> bool:
    """True if the database already holds this data set; creates the indexes it lacks first."""
    engine = gk.store.engine
    with engine.connect() as conn:
        found = conn.scalar(sa.select(sa.func.count()).select_from(table_of(Activity)))
        found_members = conn.scalar(sa.select(sa.func.count()).select_from(table_of(Member)))
    if not found and not found_members:
        return False
    if (found, found_members) != (activities, members):
        raise SystemExit(f"the kept database holds {found_members:,} members and {found:,} activities: remove it")
    created = False
    inspector = sa.inspect(engine)
    for table in Base.metadata.sorted_tables:
        existing = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in existing:
                print(f"creating index {index.name}")
                index.create(engine)
                created = True
    if created:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return True


def insert_rows(engine: sa.Engine, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if engine.dialect.name == "postgresql":
        _copy(engine, table, rows)
        return
    with engine.begin() as conn:
        conn.execute(sa.insert(table), rows)


def _copy(engine: sa.Engine, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY, about twice as fast as executemany (docs/performance.md)."""
    import json

    columns = list(rows[0])
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(v)
                        if isinstance(v, dict)
                        else v.astimezone(UTC).replace(tzinfo=None)
                        if isinstance(v, datetime)
                        else v
                        for v in (row[c] for c in columns)
                    ]
                )
        raw.commit()
    finally:
        raw.close()


def _median(values: list[float]) -> float:
    return statistics.median(values)


def interleaved(runs: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Median seconds of each run, taken in turns (A B C A B C …) so load hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {name: _median(found) for name, found in times.items()}


def kpis(gk: GuildKit) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """Each KPI as (name, the query over the raw tables, the same through gk.analytics and its rollups)."""
    analytics = gk.analytics
    session = gk.session
    settings = analytics.settings
    last = date(2025, 12, 31)
    month = analytics.range(last - timedelta(days=29), last, "day")
    quarter = analytics.range(last - timedelta(days=90), last, "week")
    year = analytics.range(date(2025, 1, 1), last, "month")
    year_days = analytics.range(date(2025, 1, 1), last, "day")
    idle = settings.at_risk_idle_days
    return [
        ("growth, a year by month", lambda: membership.growth(session, year), lambda: analytics.growth(year)),
        (
            "activity, 30 days by day",
            lambda: membership.activity(session, month, settings.content_types),
            lambda: analytics.activity(month),
        ),
        (
            "activity, a year by month",
            lambda: membership.activity(session, year, settings.content_types),
            lambda: analytics.activity(year),
        ),
        (
            "activity, a year by day (365 buckets)",
            lambda: membership.activity(session, year_days, settings.content_types),
            lambda: analytics.activity(year_days),
        ),
        (
            "actives (DAU/WAU/MAU, stickiness)",
            lambda: membership.actives(session, month),
            lambda: analytics.actives(month),
        ),
        (
            "retention, 13 weekly cohorts",
            lambda: cohorts.retention(session, quarter),
            lambda: analytics.retention(quarter),
        ),
        (
            "retention, 53 weekly cohorts (a year)",
            lambda: cohorts.retention(session, year),
            lambda: analytics.retention(year),
        ),
        ("churn and at-risk lists", lambda: cohorts.churn(session, month, idle), lambda: analytics.churn(month)),
        (
            "first response, 91 days by week",
            lambda: cohorts.first_response(session, quarter, settings.content_types, settings.reply_types),
            lambda: analytics.first_response(quarter),
        ),
        (
            "engagement levels, 91 days",
            lambda: engagement.levels(session, quarter, settings.weights),
            lambda: analytics.levels(quarter),
        ),
        (
            "engagement levels, a year",
            lambda: engagement.levels(session, year, settings.weights),
            lambda: analytics.levels(year),
        ),
        (
            "recognition, a year by month",
            lambda: recognition.recognition(session, year),
            lambda: analytics.recognition(year),
        ),
        (
            "programmes, a year by month",
            lambda: recognition.programmes(session, year, analytics.measures()),
            lambda: analytics.programmes(year),
        ),
    ]


def time_rollup(gk: GuildKit, members: int, extra: int, seed: int = 11) -> dict[str, float]:
    """Seconds to build the rollups, to refresh them when nothing changed, and to take in
    ``extra`` new activities (on the year's last two days) and ``extra // 10`` retractions."""
    spent: dict[str, float] = {}
    started = time.perf_counter()
    built = gk.analytics.refresh(rebuild=True)
    spent["build"] = time.perf_counter() - started
    spent["build days"] = built.days
    spent["no-op refresh"] = interleaved({"noop": lambda: gk.analytics.refresh()}, 5)["noop"]
    rng = random.Random(seed)
    engine = gk.store.engine
    activities = table_of(Activity)
    with engine.connect() as conn:
        first = int(conn.scalar(sa.select(sa.func.max(activities.c.id))) or 0) + 1
        live = (
            conn.execute(
                sa.select(activities.c.id)
                .where(activities.c.retracted_at.is_(None))
                .order_by(activities.c.id.desc())
                .limit(5 * extra)
            )
            .scalars()
            .all()
        )
    end = START + timedelta(days=DAYS)
    rows = []
    for n in range(extra):
        when = end - timedelta(seconds=rng.uniform(0, 2 * 86400))
        rows.append(
            {
                "id": first + n,
                "key": f"extra{first + n}",
                "type": TYPES[n % len(TYPES)][0],
                "actor_id": rng.randrange(members) + 1,
                "target_id": None,
                "subject": None,
                "payload": {},
                "occurred_at": when,
                "recorded_at": when,
                "fingerprint": "0" * 64,
            }
        )
    insert_rows(engine, activities, rows)
    with engine.begin() as conn:
        conn.execute(
            activities.update()
            .where(activities.c.id.in_(rng.sample(list(live), extra // 10)))
            .values(retracted_at=end, retract_reason="bench")
        )
    started = time.perf_counter()
    gk.analytics.refresh()
    spent[f"refresh after {extra:,} new activities and {extra // 10:,} retractions"] = time.perf_counter() - started
    # Back to the data set as built (so --keep can reuse it), and the rollups rebuilt on it.
    with engine.begin() as conn:
        conn.execute(activities.delete().where(activities.c.id >= first))
        conn.execute(
            activities.update()
            .where(activities.c.retract_reason == "bench")
            .values(retracted_at=None, retract_reason=None)
        )
    started = time.perf_counter()
    gk.analytics.refresh(rebuild=True)
    spent["build, again"] = time.perf_counter() - started
    return spent


def measure(gk: GuildKit, rounds: int, only: str | None = None) -> list[tuple[str, float, float, float, bool]]:
    """Per KPI, interleaved with the COUNT(*) baseline: (name, baseline, raw query, rollup, same result)."""
    session = gk.session
    out = []
    for name, live, rolled_up in kpis(gk):
        if only and only not in name:
            continue
        same = _shape(live()) == _shape(rolled_up())
        found = interleaved(
            {
                "baseline": lambda: session.scalar(sa.text("SELECT COUNT(*) FROM guildkit_activities")),
                "raw": live,
                "rollup": rolled_up,
            },
            rounds,
        )
        out.append((name, found["baseline"], found["raw"], found["rollup"], same))
    return out


def _shape(result: Any) -> Any:
    return result.out()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=3_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per KPI (medians)")
    parser.add_argument("--extra", type=int, default=10_000, help="new activities for the refresh timing")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--keep", type=Path, help="keep the data set (NAME.db, or a schema) and reuse it")
    parser.add_argument("--only", help="time only the KPIs whose name contains this")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    has_postgres = bool(os.environ.get("GUILDKIT_BENCH_POSTGRES_URL") or os.environ.get("GUILDKIT_TEST_POSTGRES_URL"))
    for backend in backends:
        if backend == "postgresql" and not has_postgres:
            print("PostgreSQL: skipped (set GUILDKIT_BENCH_POSTGRES_URL or GUILDKIT_TEST_POSTGRES_URL)")
            continue
        with tempfile.TemporaryDirectory() as tmp, community(backend, Path(tmp), args.keep) as (_, gk):
            print(f"\n== {backend}: {args.members:,} members, {args.activities:,} activities")
            if reuse(gk, args.members, args.activities):
                print(f"reusing the data set kept at {args.keep}")
            else:
                spent = build(gk, args.members, args.activities)
                rows = int(spent.pop("ledger rows"))
                print(f"{rows:,} ledger rows; built in " + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items()))
            for what, value in time_rollup(gk, args.members, args.extra).items():
                print(f"rollup {what}: " + (f"{value:,.0f}" if what.endswith("days") else f"{value * 1000:,.1f} ms"))
            results = measure(gk, args.rounds, args.only)
            print(
                f"{f'KPI (medians of {args.rounds}, interleaved)':<45} {'COUNT(*)':>9} {'raw ms':>9}"
                f" {'rollup ms':>10} {'raw/rollup':>10} {'rollup/COUNT':>12} same"
            )
            for name, baseline, raw, rolled_up, same in results:
                print(
                    f"{name:<45} {baseline * 1000:>9.1f} {raw * 1000:>9.1f} {rolled_up * 1000:>10.1f}"
                    f" {raw / rolled_up:>10.1f} {rolled_up / baseline:>12.2f} {'yes' if same else 'NO'}"
                )


if __name__ == "__main__":
    main()
