"""Worker side of tests/test_jobs_celery.py: the app a real Celery worker (or beat) process runs.

``celery -A tests.jobs_celery_app:celery worker`` finds :data:`celery` here, and
``flask --app tests.jobs_celery_app guildkit worker|beat`` finds :data:`app`. The test passes the
app's config as JSON in ``GUILDKIT_TEST_JOBS_APP`` (the database the test created, the broker,
the queue), so the worker works on the very rows the test reads. What JSON cannot carry (a host's
callables, the pages mounted for the links in emails, a test clock) a test sets up in
``TEST_JOBS_SETUP``: a ``"module:function"`` called with the worker's app and GuildKit.
"""

from __future__ import annotations

import json
import os
from typing import Any

import guildkit_chat
import guildkit_webhooks
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from werkzeug.utils import import_string

from guildkit import GuildKit

ENV = "GUILDKIT_TEST_JOBS_APP"
SETUP = "TEST_JOBS_SETUP"


def make_app(settings: dict[str, Any]) -> tuple[Flask, GuildKit]:
    app = Flask("jobs_celery_app", instance_path=settings.pop("instance_path"))
    app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, **settings)
    db = None
    if "SQLALCHEMY_DATABASE_URI" in settings:
        db = SQLAlchemy()
        db.init_app(app)
    gk = GuildKit(app, db=db, plugins=[guildkit_webhooks, guildkit_chat])
    if settings.get(SETUP):
        import_string(settings[SETUP])(app, gk)
    return app, gk


app, gk = make_app(json.loads(os.environ[ENV]))
with app.app_context():
    celery = gk.jobs.celery()
