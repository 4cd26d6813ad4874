"""The workload every write-path benchmark shares: the rule set, the activities, the apps.

Only guildkit's public API is used (``GuildKit(app)``, ``gk.define``, ``gk.record_many``,
configuration keys), so the same file measures any source tree: ``bench/ab_record.py`` runs it
against an older commit's ``src/``.

* :func:`define` — 20 rules over two point types (8 points rules with daily and per-rule caps,
  10 three-level badge rules over counts, streaks, distinct targets and point totals, 2 role
  rules) and a level scale;
* :func:`define_extra` — another 980 rules on activity types the workload never sends (to see
  that the cost of a call does not grow with the size of the rule set);
* :func:`activities` — six activity types with random actors and targets among ``members``
  members: 1.5 ledger rows per activity on average;
* :func:`make_app` — a Flask app with guildkit on SQLite (a file) or on PostgreSQL (a throwaway
  schema of the server named by ``GUILDKIT_TEST_POSTGRES_URL``).
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from guildkit import (
    BadgeDef,
    BadgeLevel,
    BadgeRule,
    Count,
    Distinct,
    GuildKit,
    Levels,
    PointsRule,
    PointsTotal,
    PointTypeDef,
    RoleDef,
    RoleRule,
    Streak,
)

POSTGRES_ENV = "GUILDKIT_TEST_POSTGRES_URL"
MEMBERS = 10_000
TYPES = ("answer.upvoted", "question.upvoted", "answer.posted", "question.posted", "answer.accepted", "visit")
#: Types with a target (another member) and a subject.
TARGETED = frozenset({"answer.upvoted", "question.upvoted", "answer.accepted"})
#: What the hand-written floor writes for each type: (member, point type, amount) per ledger row,
#: the member being "actor" or "target". The same as the points rules in :func:`define` give.
LEDGER_ROWS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "answer.upvoted": (("target", "reputation", 10), ("actor", "xp", 1)),
    "question.upvoted": (("target", "reputation", 5), ("actor", "xp", 1)),
    "answer.accepted": (("target", "reputation", 15), ("actor", "reputation", 2)),
    "answer.posted": (("actor", "xp", 5),),
    "question.posted": (("actor", "xp", 3),),
    "visit": (("actor", "xp", 1),),
}
#: A moment safely in the past: activities are dated from here, a minute apart.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def backends(wanted: str | None = None) -> list[str]:
    """``sqlite``, plus ``postgresql`` when ``GUILDKIT_TEST_POSTGRES_URL`` is set (or as asked)."""
    available = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])
    if not wanted:
        return available
    chosen = [b.strip() for b in wanted.split(",") if b.strip()]
    for backend in chosen:
        if backend not in available:
            raise SystemExit(f"backend {backend!r} is not available (PostgreSQL needs {POSTGRES_ENV})")
    return chosen


def define(gk: GuildKit) -> int:
    """The benchmark's rule set (20 rules and a level scale). Returns the number of rules."""
    tiers = (BadgeLevel("bronze"), BadgeLevel("silver"), BadgeLevel("gold"))
    rules: list[Any] = [
        PointsRule("answer-upvoted", "answer.upvoted", 10, "reputation"),
        PointsRule("question-upvoted", "question.upvoted", 5, "reputation"),
        PointsRule("answer-accepted", "answer.accepted", 15, "reputation", capped=False),
        PointsRule("accepter", "answer.accepted", 2, "reputation", to="actor", capped=False),
        PointsRule("answer-xp", "answer.posted", 5, "xp", to="actor"),
        PointsRule("question-xp", "question.posted", 3, "xp", to="actor"),
        PointsRule("visit-xp", "visit", 1, "xp", to="actor", daily_cap=1),
        PointsRule("voter-xp", ("answer.upvoted", "question.upvoted"), 1, "xp", to="actor", daily_cap=30),
        BadgeRule("answerer", "answerer", Count("answer.posted"), (1, 10, 100)),
        BadgeRule("asker", "asker", Count("question.posted"), (1, 10, 100)),
        BadgeRule("enthusiast", "enthusiast", Streak("visit"), (3, 10, 30)),
        BadgeRule("supporter", "supporter", Distinct("answer.upvoted", "actor", "target"), (5, 25, 100)),
        BadgeRule("popular", "popular", Count("answer.upvoted", "target"), (10, 50, 200)),
        BadgeRule("reputable", "reputable", PointsTotal("reputation"), (100, 1000, 10000)),
        BadgeRule("accepted", "accepted", Count("answer.accepted", "target"), (1, 10, 50)),
        BadgeRule("experienced", "experienced", PointsTotal("xp"), (50, 500, 5000)),
        RoleRule("trusted", "trusted", PointsTotal("reputation"), 500),
        RoleRule("regular", "regular", Count("visit"), 20),
        BadgeRule("curious", "curious", Distinct("question.upvoted", "actor", "target"), (5, 25, 100)),
        BadgeRule("voter", "voter", Count("question.upvoted"), (10, 100, 1000)),
        Levels("xp", (10, 100, 1000, 10000)),
    ]
    badges = [BadgeDef(r.badge, r.badge.title(), levels=tiers) for r in rules if isinstance(r, BadgeRule)]
    gk.define(
        point_types=[PointTypeDef("reputation", "Reputation", floor=1, daily_cap=200), PointTypeDef("xp", "XP")],
        badges=badges,
        roles=[RoleDef("trusted", "Trusted"), RoleDef("regular", "Regular")],
        rules=rules,
    )
    return sum(1 for r in rules if not isinstance(r, Levels))


def define_peer(gk: GuildKit) -> int:
    """What bench/peer_bench.py gives both engines: a points rule and a three-level count badge."""
    tiers = (BadgeLevel("bronze"), BadgeLevel("silver"), BadgeLevel("gold"))
    gk.define(
        point_types=[PointTypeDef("reputation", "Reputation")],
        badges=[BadgeDef("popular", "Popular", levels=tiers)],
        rules=[
            PointsRule("answer-upvoted", "answer.upvoted", 10, "reputation"),
            BadgeRule("popular", "popular", Count("answer.upvoted", "target"), (10, 20, 30)),
        ],
    )
    return 2


def define_extra(gk: GuildKit, count: int) -> int:
    """``count`` more rules (half points rules, half three-level count badges) on types never sent."""
    tiers = (BadgeLevel("bronze"), BadgeLevel("silver"), BadgeLevel("gold"))
    rules: list[Any] = []
    badges = []
    for n in range(count):
        kind = f"extra.{n // 2}"
        if n % 2 == 0:
            rules.append(PointsRule(f"extra-points-{n}", kind, 1 + n % 7, "xp", to="actor"))
        else:
            slug = f"extra-{n}"
            rules.append(BadgeRule(slug, slug, Count(kind), (1, 10, 100)))
            badges.append(BadgeDef(slug, slug.title(), levels=tiers))
    gk.define(badges=badges, rules=rules)
    return count


def activities(
    count: int, seed: int, prefix: str, *, start: int = 0, kinds: tuple[str, ...] = TYPES
) -> list[dict[str, Any]]:
    """``count`` activities of ``kinds`` with random actors and targets, keyed ``prefix:n``."""
    rng = random.Random(seed)
    items = []
    for n in range(start, start + count):
        kind = rng.choice(kinds)
        item: dict[str, Any] = {
            "type": kind,
            "actor": f"u{rng.randrange(MEMBERS)}",
            "key": f"{prefix}:{n}",
            "occurred_at": EPOCH + timedelta(seconds=30 * n),
        }
        if kind in TARGETED:
            item["target"] = f"u{rng.randrange(MEMBERS)}"
            item["subject"] = f"post:{rng.randrange(50_000)}"
        items.append(item)
    return items


def seed_members(gk: GuildKit, members: int = MEMBERS, batch: int = 1000) -> None:
    """Make ``u0`` … ``u<members-1>`` members through the public API (an activity no rule reads)."""
    for start in range(0, members, batch):
        gk.record_many(
            {"type": "bench.seed", "actor": f"u{n}", "key": f"seed:{n}", "occurred_at": EPOCH - timedelta(days=30)}
            for n in range(start, min(members, start + batch))
        )


@dataclass
class Database:
    """Where one app keeps its tables: a URL, engine options for guildkit, and a DBAPI DSN."""

    backend: str
    url: str
    engine_options: dict[str, Any]
    #: sqlite3 path, or libpq conninfo
    dsn: str
    #: PostgreSQL ``options`` that select the schema (search_path), else ""
    pg_options: str = ""

    def connect_args(self) -> dict[str, Any]:
        return dict(self.engine_options.get("connect_args", {}))


@contextmanager
def database(backend: str, workdir: Path, name: str = "bench") -> Iterator[Database]:
    """A fresh SQLite file in ``workdir``, or a throwaway schema on the PostgreSQL server."""
    if backend == "sqlite":
        path = workdir / f"{name}.db"
        yield Database(backend, f"sqlite:///{path}", {}, str(path))
        return
    url = os.environ[POSTGRES_ENV]
    schema = f"gkb_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    options = f"-csearch_path={schema}"
    try:
        yield Database(backend, url, {"connect_args": {"options": options}}, pg_dsn(url), options)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def pg_dsn(url: str) -> str:
    """A SQLAlchemy ``postgresql+psycopg://`` URL as a libpq connection string."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(
    db: Database,
    workdir: Path,
    *,
    config: Mapping[str, Any] | None = None,
    engine_options: Mapping[str, Any] = (),
    rules: Callable[[GuildKit], int] | None = None,
) -> tuple[Flask, GuildKit]:
    """A Flask app with guildkit on ``db`` (tables created), with the benchmark's rule set (or ``rules``)."""
    app = Flask(f"bench-{uuid.uuid4().hex[:6]}", instance_path=str(workdir / "instance"))
    options = {**db.engine_options, **dict(engine_options)}
    options["connect_args"] = {**db.connect_args(), **dict(engine_options).get("connect_args", {})}
    app.config.update(
        GUILDKIT_LOAD_ENTRY_POINTS=False,
        GUILDKIT_DATABASE_URI=db.url,
        GUILDKIT_ENGINE_OPTIONS=options,
        GUILDKIT_BATCH_LIMIT=200_000,
    )
    app.config.update(config or {})
    gk = GuildKit(app)
    (rules or define)(gk)
    with app.app_context():
        gk.create_all()
    return app, gk


def ledger_rows(results: Any) -> int:
    """Ledger rows written, from the results ``record``/``record_many`` return."""
    return sum(len(r.points) for r in results)
