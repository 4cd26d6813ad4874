"""Test helpers for guildkit and its plugins: an app factory over real databases, and a clock.

Registered as a pytest plugin (entry point ``pytest11``), so any project with guildkit installed
gets these fixtures:

* ``gk_backend`` — ``"sqlite"`` (guildkit's own database), ``"sqlite-host"`` (the host's
  flask-sqlalchemy database) and ``"postgresql"`` (the host's database on the server named by
  ``GUILDKIT_TEST_POSTGRES_URL``, a fresh schema per test). Override it to narrow the set.
* ``gk_clock`` — a :class:`Clock` you move by hand; it is the GuildKit's clock.
* ``gk_plugins`` — plugins to register; override it in your ``conftest.py``.
* ``gk_app`` — the Flask app, inside an app context, tables created.
* ``gk`` — the :class:`~guildkit.GuildKit`.

A plugin's test then reads::

    def test_upvote_gives_ten(gk):
        gk.record("answer.upvoted", actor="v", target="a", key="vote:1")
        assert gk.balance("a", "reputation") == 10
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from .extension import GuildKit

POSTGRES_URL_ENV = "GUILDKIT_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "sqlite-host", "postgresql")


@dataclass
class Clock:
    """A clock for tests: call it for "now"; move it with :meth:`advance` or :meth:`set`."""

    now: datetime = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("use an aware datetime")
        self.now = moment
        return self.now


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@contextmanager
def postgres_schema(url: str) -> Iterator[dict[str, Any]]:
    """A throwaway schema on ``url``; yields engine options that make it the search path."""
    schema = f"gk_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@contextmanager
def make_app(
    backend: str,
    tmp_path: Path,
    *,
    config: dict[str, Any] | None = None,
    plugins: tuple[object, ...] = (),
    clock: Clock | None = None,
) -> Iterator[tuple[Flask, GuildKit]]:
    """An app with guildkit on ``backend``, tables created; disposed of on exit."""
    from flask_sqlalchemy import SQLAlchemy

    tmp_path.mkdir(parents=True, exist_ok=True)
    app = Flask("guildkit_test", instance_path=str(tmp_path / "instance"))
    app.config.update(TESTING=True, SECRET_KEY="test", GUILDKIT_LOAD_ENTRY_POINTS=False)
    app.config.update(config or {})
    with _database(backend, tmp_path) as (url, options):
        db: SQLAlchemy | None = None
        if backend == "sqlite":
            app.config["GUILDKIT_DATABASE_URI"] = url
        else:
            app.config["SQLALCHEMY_DATABASE_URI"] = url
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
            db = SQLAlchemy()
            db.init_app(app)
        gk = GuildKit(db=db, plugins=plugins)
        if clock is not None:
            gk.clock = clock
        gk.init_app(app)
        with app.app_context():
            gk.create_all()
            try:
                yield app, gk
            finally:
                gk.store.remove_session()
                engine = gk.store.engine
                engine.dispose()


@contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if backend in ("sqlite", "sqlite-host"):
        yield f"sqlite:///{tmp_path / 'guildkit.db'}", {"connect_args": {"timeout": 30}}
    elif backend == "postgresql":
        url = postgres_url()
        if url is None:
            pytest.skip(f"{POSTGRES_URL_ENV} is not set")
        with postgres_schema(url) as options:
            yield url, options
    else:
        raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")


# -- pytest fixtures (loaded through the pytest11 entry point) ----------------------------


def require_backend(backend: str) -> str:
    """``backend``, or skip the test when it is PostgreSQL and no server is set (fail in CI)."""
    if backend == "postgresql" and postgres_url() is None:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_URL_ENV} must be set in CI: run ./scripts/test.sh")
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    return backend


@pytest.fixture(params=BACKENDS)
def gk_backend(request: pytest.FixtureRequest) -> str:
    return require_backend(str(request.param))


@pytest.fixture
def gk_clock() -> Clock:
    return Clock()


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return ()


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {}


@pytest.fixture
def gk_app(
    gk_backend: str,
    tmp_path: Path,
    gk_clock: Clock,
    gk_plugins: tuple[object, ...],
    gk_config: dict[str, Any],
) -> Iterator[Flask]:
    with make_app(gk_backend, tmp_path, config=gk_config, plugins=gk_plugins, clock=gk_clock) as (app, _):
        yield app


@pytest.fixture
def gk(gk_app: Flask) -> GuildKit:
    return gk_app.extensions["guildkit"].gk  # type: ignore[no-any-return]
