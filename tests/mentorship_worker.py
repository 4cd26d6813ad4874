"""Worker side of the mentorship capacity test: accepts one request in a fresh process (PostgreSQL).

Lives in its own module so ``multiprocessing`` (spawn) can import it in a fresh interpreter.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from guildkit import GuildKit
from guildkit.errors import CapacityReached


def host_app(url: str, engine_options: dict[str, Any]) -> tuple[Flask, GuildKit]:
    app = Flask("mentorship-worker")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options, GUILDKIT_LOAD_ENTRY_POINTS=False
    )
    db = SQLAlchemy()
    db.init_app(app)
    return app, GuildKit(app, db=db)


def accept(gk: GuildKit, mentorship_id: int, mentor: str) -> str:
    """``"accepted"``, or ``"full"`` when the mentor had no slot left."""
    try:
        gk.mentorship.accept(mentorship_id, mentor)
    except CapacityReached:
        return "full"
    return "accepted"


def accept_in_process(url: str, engine_options: dict[str, Any], mentorship_id: int, start: Any, results: Any) -> None:
    """Accept once every process is ready (``start`` is a barrier); put the outcome on ``results``."""
    app, gk = host_app(url, engine_options)
    with app.app_context():
        gk.mentorship  # noqa: B018 - build the service before the race, not during it
        start.wait()
        try:
            results.put(accept(gk, mentorship_id, "mentor"))
        except BaseException as exc:  # reported to the parent, which fails the test
            results.put(f"error: {exc!r}")
        finally:
            gk.store.remove_session()
            gk.store.engine.dispose()
