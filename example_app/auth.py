"""Sign up, log in and log out, with Flask-Login. guildkit reads ``flask_login.current_user`` itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from . import actions
from .extensions import db, login_manager
from .models import User
from .security import check_csrf, rotate_csrf_token, safe_next

bp = Blueprint("auth", __name__)
bp.before_request(check_csrf)


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to do that."
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


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
    logout_user()
    rotate_csrf_token()
    flash("You are logged out.", "info")
    return redirect(url_for("qa.index"))
