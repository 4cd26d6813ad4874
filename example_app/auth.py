"""Sign up, log in and log out, with Flask-Login, and what guards them.

* Log-in attempts are limited with Flask-Limiter (``LOGIN_RATE_LIMIT``, 5 a minute by default),
  per address and per name: every attempt counts, so parallel guesses cannot slip in between the
  check and the count; past the limit the answer is a 429 page (``error.html``).
* A session names its user as ``"<id>:<session_version>"`` (``User.get_id``) and log-out raises
  the version, so a session cookie or "remember me" cookie copied before a log-out (Flask's session
  lives in the cookie itself) no longer signs anyone in after it: on any device, as a log-out
  ends every session of that user.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from . import actions
from .extensions import db, limiter, login_manager
from .models import User
from .security import check_csrf, rotate_csrf_token, safe_next

bp = Blueprint("auth", __name__)
bp.before_request(check_csrf)

SESSION_ID = re.compile(r"(\d{1,18}):(\d{1,18})", re.ASCII)


def init_auth(app: Flask) -> None:
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to do that."
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user a session or remember cookie names, unless they logged out since it was made."""
    match = SESSION_ID.fullmatch(session_id)
    if match is None:
        return None
    user = db.session.get(User, int(match.group(1)))
    return user if user is not None and user.session_version == int(match.group(2)) else None


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _too_many_attempts() -> str:
    return (
        f"Too many log-in attempts from your address or for this name (at most {_login_limit()}). "
        "Please wait a little, then try again."
    )


def _login_name() -> str:
    """The name being logged in to, as log-in matches it (whatever its case)."""
    return "login-name:" + request.form.get("name", "").strip().lower()[: actions.NAME_MAX]


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Send anonymous users to log in, then back to the page they were on.

    A POST (a vote, say) cannot be replayed after logging in, so "back" is the page the form was on.
    """
    flash(login_manager.login_message, "info")
    back: str | None
    if request.method == "GET":
        back = request.full_path.rstrip("?")
    else:
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        back = (referrer.path + (f"?{referrer.query}" if referrer.query else "")) if same_site else None
    return redirect(url_for("auth.login", next=safe_next(back)))


def _after_login() -> Response:
    return redirect(safe_next(request.form.get("next") or request.args.get("next")) or url_for("qa.index"))


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Response | tuple[str, int] | str:
    if current_user.is_authenticated:
        return redirect(url_for("qa.index"))
    if request.method == "POST":
        name = request.form.get("name", "")
        password = request.form.get("password", "")
        if password != request.form.get("password_again", ""):
            return render_template("signup.html", error="The two passwords differ.", name=name), 400
        try:
            user = actions.sign_up(name, password)
        except actions.Invalid as exc:
            return render_template("signup.html", error=exc.message, name=name), 400
        rotate_csrf_token()
        login_user(user)
        flash(f"Welcome, {user.name}! You start with 1 reputation.", "success")
        return _after_login()
    return render_template("signup.html", name="")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message=_too_many_attempts)
@limiter.limit(_login_limit, key_func=_login_name, methods=["POST"], error_message=_too_many_attempts)
def login() -> Response | tuple[str, int] | str:
    if current_user.is_authenticated:
        return redirect(url_for("qa.index"))
    if request.method == "POST":
        name = request.form.get("name", "")
        user = actions.find_user(name)
        if user is None or not check_password_hash(user.password_hash, request.form.get("password", "")):
            return render_template("login.html", error="Wrong name or password.", name=name), 400
        rotate_csrf_token()
        login_user(user, remember=bool(request.form.get("remember")))
        flash(f"Welcome back, {user.name}.", "success")
        return _after_login()
    return render_template("login.html", name="")


@bp.post("/logout")
@login_required
def logout() -> Response:
    # Counted in SQL, so two log-outs at once (two devices) both count.
    db.session.execute(
        sa.update(User).where(User.id == current_user.id).values(session_version=User.session_version + 1)
    )
    db.session.commit()
    logout_user()
    rotate_csrf_token()
    flash("You are logged out.", "info")
    return redirect(url_for("qa.index"))
