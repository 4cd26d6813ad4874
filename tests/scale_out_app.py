"""Server side of tests/test_scale_out.py: the app its gunicorn and Celery worker processes run.

``gunicorn 'tests.scale_out_app:create_app()'`` serves it and ``flask --app
'tests.scale_out_app:create_app()' guildkit worker`` drains for it. The test passes the config as
JSON in ``GUILDKIT_TEST_SCALE_OUT_APP`` (the PostgreSQL schema it created, the broker, the queue),
so every process works on the same rows.

The rule set is :data:`POINTS` and one badge, kept small on purpose: the test computes every
member's expected balance from the keys it sent and this table, with nothing (caps, floors) in
between.

A worker started with ``GUILDKIT_TEST_SCALE_OUT_STALL`` set to a path is the victim: in its first
recording transaction that inserts activities, it writes the keys of those activities to that
path and then waits, inside the transaction, for the test's ``kill -9``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from guildkit import BadgeDef, BadgeRule, Count, GuildKit, PointsRule, PointTypeDef, hookimpl
from guildkit.web import make_blueprint

ENV = "GUILDKIT_TEST_SCALE_OUT_APP"
STALL_ENV = "GUILDKIT_TEST_SCALE_OUT_STALL"
PREFIX = "/community"

#: activity type -> (who gets them, point type, points) per award: the whole points rule set.
POINTS: dict[str, tuple[tuple[Literal["actor", "target"], str, int], ...]] = {
    "answer.upvoted": (("target", "reputation", 10),),
    "answer.downvoted": (("target", "reputation", -2), ("actor", "reputation", -1)),
    "answer.posted": (("actor", "xp", 5),),
}
#: Held by every member who posted an answer (one award each, whatever the concurrency).
BADGE = "first-answer"


class Rules:
    """The test's rule set, as a plugin."""

    @hookimpl
    def guildkit_register_point_types(self, gk: GuildKit) -> list[PointTypeDef]:
        return [PointTypeDef("reputation", "Reputation"), PointTypeDef("xp", "Experience")]

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        return [BadgeDef(BADGE, "First Answer", "Posted an answer")]

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> list[object]:
        rules: list[object] = [
            PointsRule(f"{type.replace('.', '-')}-{n}", type, points, point_type, to=to)
            for type, awards in POINTS.items()
            for n, (to, point_type, points) in enumerate(awards)
        ]
        rules.append(BadgeRule(BADGE, BADGE, Count("answer.posted"), (1,)))
        return rules


class Stall:
    """The victim worker's plugin: hold the first recording transaction open until killed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    @hookimpl
    def guildkit_earning_withheld(self, gk: GuildKit, conn: sa.Connection, member_ids: frozenset[int]) -> Iterable[int]:
        if self.marker.exists():
            return ()
        # The activities this transaction inserted (PostgreSQL: rows whose xmin is our xid).
        keys = conn.exec_driver_sql(
            "SELECT key FROM guildkit_activities WHERE xmin::text = mod(txid_current(), 4294967296)::text"
        ).scalars()
        held = sorted(keys)
        if not held:
            return ()  # only replays: nothing of its own to lose
        partial = self.marker.with_suffix(".tmp")
        partial.write_text(json.dumps({"pid": os.getpid(), "keys": held}))
        partial.rename(self.marker)
        while True:  # until SIGKILL: the claimed rows stay locked, the transaction open
            time.sleep(1)


def create_app() -> Flask:
    settings: dict[str, Any] = json.loads(os.environ[ENV])
    app = Flask("scale_out_app", instance_path=settings.pop("instance_path"))
    app.config.update(SECRET_KEY="scale-out", GUILDKIT_LOAD_ENTRY_POINTS=False, **settings)
    db = SQLAlchemy()
    db.init_app(app)
    plugins: list[object] = [Rules()]
    if os.environ.get(STALL_ENV):
        plugins.append(Stall(Path(os.environ[STALL_ENV])))
    GuildKit(app, db=db, plugins=plugins)
    app.register_blueprint(make_blueprint(), url_prefix=PREFIX)
    return app
