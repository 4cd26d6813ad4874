"""A small Q&A community (a mini Stack Overflow) that embeds guildkit exactly as the README says.

The app owns its users, questions, answers, comments and votes (``models.py``); after each change
commits, it tells guildkit what happened (``actions.py``). Reputation comes from the Stack Exchange
plugin (plugins/guildkit-stackexchange, found through its entry point); the app's own badges and
XP are in ``rules.toml``. Flask-Login knows who is logged in, and guildkit asks the app for that
user's id (``@gk.current_user_loader``: Flask-Login's id also carries the session version).

    flask --app example_app seed     # a believable community over ~60 days; log in as ada / demo
    flask --app example_app run

Modules: ``extensions`` (db, gk, login manager, rate limiter), ``models``, ``actions`` (what users
do, and the idempotency keys), ``auth`` (sign up; log in, rate-limited; log out, which ends every
session), ``views`` (the pages), ``reads`` (queries for the pages), ``security`` (CSRF),
``community`` (trust levels, privileges and anti-abuse settings for this app's activity types),
``seed`` and ``seed_content`` (the ``seed`` command).

guildkit's notification emails are off unless ``GUILDKIT_EMAIL_SMTP_HOST`` is set in the
environment (:func:`email_settings`), so the demo needs no mail server. To read them, run a local
server that prints what it gets, and point the demo at it:

    python -m aiosmtpd -n -l 127.0.0.1:8025
    GUILDKIT_EMAIL_SMTP_HOST=127.0.0.1 GUILDKIT_EMAIL_SMTP_PORT=8025 GUILDKIT_EMAIL_SMTP_SECURITY=none \
        flask --app example_app run
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, has_request_context, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from guildkit import Subject, UserInfo

from . import actions, community, reads
from .auth import init_auth
from .extensions import db, gk
from .models import Answer, Question, User
from .security import csrf_token
from .seed import init_db_command, seed_command
from .views import bp as qa_blueprint

__all__ = ["create_app", "db", "gk"]

HERE = Path(__file__).parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        SECRET_KEY="demo-only-not-secret",  # set FLASK_SECRET_KEY in the environment for anything real
        SQLALCHEMY_DATABASE_URI="sqlite:///example.db",  # relative: instance/example.db
        GUILDKIT_RULES_FILE=str(HERE / "rules.toml"),
        # Cookies that other sites' forms never send and scripts never read, "remember me" for two
        # weeks. Secure (HTTPS only) is off because the demo is served on http://127.0.0.1: behind
        # HTTPS, set FLASK_SESSION_COOKIE_SECURE=true and FLASK_REMEMBER_COOKIE_SECURE=true.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=False,
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        # Log-in attempts per address and per name (auth.py). Each process counts in its own memory;
        # with several workers, point FLASK_RATELIMIT_STORAGE_URI at Redis or Memcached.
        LOGIN_RATE_LIMIT="5 per minute",
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        # guildkit's pages show this site: its name and home, log in, sign up and log out (a POST
        # with the app's CSRF token), and two of its links.
        GUILDKIT_HOST_NAME="Q&A Guild",
        GUILDKIT_HOST_HOME_URL="qa.index",
        GUILDKIT_HOST_SIGN_IN_URL="auth.login",
        GUILDKIT_HOST_SIGN_UP_URL="auth.signup",
        GUILDKIT_HOST_SIGN_OUT_URL="auth.logout",
        GUILDKIT_HOST_CSRF_TOKEN=csrf_token,
        GUILDKIT_HOST_NAV=[{"label": "Questions", "endpoint": "qa.index"}, {"label": "Ask", "endpoint": "qa.ask"}],
        **community.SETTINGS,
        **email_settings(os.environ),
    )
    app.config.from_prefixed_env()
    app.config.update(config or {})
    db.init_app(app)
    gk.init_app(app)
    init_auth(app)
    app.register_blueprint(qa_blueprint)
    app.cli.add_command(seed_command)
    app.cli.add_command(init_db_command)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.filters["nice_date"] = nice_date
    with app.app_context():
        _tune_sqlite(db.engine)
    app.before_request(_record_daily_visit)
    app.context_processor(_nav_context)
    app.register_error_handler(HTTPException, _error_page)
    _mount_community(app)
    return app


def email_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """guildkit's email keys (docs/notifications.md), from variables of the same names in the
    environment; none unless ``GUILDKIT_EMAIL_SMTP_HOST`` is set. Links in the emails point at
    ``GUILDKIT_EMAIL_SITE_URL`` (the demo's address by default)."""
    host = environ.get("GUILDKIT_EMAIL_SMTP_HOST")
    if not host:
        return {}
    port = environ.get("GUILDKIT_EMAIL_SMTP_PORT")
    return {
        "GUILDKIT_EMAIL_FROM": environ.get("GUILDKIT_EMAIL_FROM", "Q&A Guild <community@example.org>"),
        "GUILDKIT_EMAIL_SITE_URL": environ.get("GUILDKIT_EMAIL_SITE_URL", "http://127.0.0.1:5000"),
        "GUILDKIT_EMAIL_ADDRESS_LOADER": email_address,
        "GUILDKIT_EMAIL_SMTP_HOST": host,
        "GUILDKIT_EMAIL_SMTP_PORT": int(port) if port else None,
        "GUILDKIT_EMAIL_SMTP_SECURITY": environ.get("GUILDKIT_EMAIL_SMTP_SECURITY", "starttls"),
        "GUILDKIT_EMAIL_SMTP_USERNAME": environ.get("GUILDKIT_EMAIL_SMTP_USERNAME"),
        "GUILDKIT_EMAIL_SMTP_PASSWORD": environ.get("GUILDKIT_EMAIL_SMTP_PASSWORD"),
    }


def email_address(user_id: str) -> str | None:
    """A user's address, which guildkit asks for each time it sends. The demo's users have none,
    so each gets one at example.org (a domain that takes no mail): a real app returns its own
    ``User.email`` here, and ``None`` for a user without one."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None:
        return None
    local = user.name.lower() if re.fullmatch(r"[A-Za-z0-9._-]+", user.name) else f"user{user.id}"
    return f"{local}@example.org"


def _mount_community(app: Flask) -> bool:
    """Mount guildkit's community pages at /community/, once guildkit ships them (guildkit.web)."""
    try:
        from guildkit.web import make_blueprint
    except ImportError:
        return False
    app.register_blueprint(make_blueprint(), url_prefix="/community")
    return True


def _tune_sqlite(engine: sa.Engine) -> None:
    """WAL lets readers and guildkit's writer work side by side; foreign keys are checked."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


@gk.current_user_loader
def current_user_id() -> int | None:
    """The logged-in user's id, for guildkit (``current_user.get_id()`` is ``"<id>:<session_version>"``)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return int(current_user.id)


@gk.user_infos_loader
def user_infos(user_ids: list[str]) -> dict[str, UserInfo]:
    """How guildkit shows users: every user a page names, in one query."""
    ids = [int(user_id) for user_id in user_ids if user_id.isdigit()]
    users = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))) if ids else []
    link = has_request_context()  # links need a request to be built (pages, not the CLI)
    return {
        str(user_id): UserInfo(
            name=name, profile_url=url_for("qa.user", user_id=user_id) if link else f"/users/{user_id}"
        )
        for user_id, name in users
    }


@gk.subject_loader
def subjects(keys: list[str]) -> dict[str, Subject]:
    """Titles and links for what guildkit shows: a question by its title, an answer by its
    question's, a member by their name; three queries for a whole page of keys."""
    wanted: dict[str, list[int]] = {"question": [], "answer": [], "member": []}
    for key in keys:
        kind, _, ident = key.partition(":")
        if kind in wanted and ident.isdigit():
            wanted[kind].append(int(ident))
    found: dict[str, Subject] = {}
    link = has_request_context()  # links need a request to be built (pages, not the CLI)
    if wanted["question"]:
        titles = db.session.execute(sa.select(Question.id, Question.title).where(Question.id.in_(wanted["question"])))
        for question_id, title in titles:  # the columns shown, not the questions with their authors
            found[f"question:{question_id}"] = Subject(
                title, url_for("qa.question", question_id=question_id) if link else None
            )
    if wanted["answer"]:
        rows = db.session.execute(
            sa.select(Answer.id, Question.title).join(Question).where(Answer.id.in_(wanted["answer"]))
        )
        for answer_id, title in rows:
            found[f"answer:{answer_id}"] = Subject(
                title, url_for("qa.answer_link", answer_id=answer_id) if link else None
            )
    if wanted["member"]:
        for user_id, name in db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted["member"]))):
            found[f"member:{user_id}"] = Subject(name, url_for("qa.user", user_id=user_id) if link else None)
    return found


def _record_daily_visit() -> None:
    """The first page a logged-in user sees each day records a ``visit`` (for streak badges)."""
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return
    today = datetime.now(UTC).astimezone(actions.community_zone()).date().isoformat()
    marker = f"{current_user.id}:{today}"
    if session.get("visited") == marker:
        return
    actions.record_visit(current_user.id)
    session["visited"] = marker


def _nav_context() -> dict[str, Any]:
    mine = None
    if current_user.is_authenticated:
        mine = reads.reputations([current_user.id]).get(current_user.id, 0)
    return {"my_reputation": mine}


def nice_date(moment: datetime) -> str:
    """``Mar 3, 2026 at 14:05`` (UTC)."""
    moment = moment.astimezone(UTC)
    return f"{moment:%b} {moment.day}, {moment:%Y} at {moment:%H:%M}"


def _error_page(exc: HTTPException) -> tuple[str, int]:
    return render_template("error.html", error=exc), exc.code or 500
