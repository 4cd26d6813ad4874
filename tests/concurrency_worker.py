"""Worker side of the concurrency tests: records a slice of activities in its own app.

Lives in its own module so ``multiprocessing`` (spawn) can import it in a fresh interpreter.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from guildkit import GuildKit
from tests.plugins import qa_rules


def host_app(url: str, engine_options: dict[str, Any]) -> tuple[Flask, GuildKit]:
    app = Flask("worker")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options,
        GUILDKIT_LOAD_ENTRY_POINTS=False,
    )
    db = SQLAlchemy()
    db.init_app(app)
    gk = GuildKit(app, db=db, plugins=[qa_rules])
    return app, gk


def deliver(gk: GuildKit, item: dict[str, Any]) -> bool:
    """Record an activity, or retract one (``{"retract": key}``); true if it was the first delivery."""
    if "retract" in item:
        return not gk.retract(item["retract"], reason="undone").duplicate
    return not gk.record(**item).duplicate


def deliver_slice(url: str, engine_options: dict[str, Any], items: list[dict[str, Any]]) -> int:
    """Deliver ``items`` one per transaction; returns how many were first deliveries."""
    app, gk = host_app(url, engine_options)
    with app.app_context():
        fresh = sum(deliver(gk, item) for item in items)
        gk.store.remove_session()
        gk.store.engine.dispose()
    return fresh
