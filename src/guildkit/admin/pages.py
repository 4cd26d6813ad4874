"""The admin console's pages, on the same ``pages`` blueprint as the community pages (docs/admin.md).

Every page under ``/admin`` needs a signed-in member with the ``admin`` permission (401 for
nobody signed in, 403 for anyone else); every form carries the session's CSRF token.

=====================================  ==============================================================
``/admin``                             the overview
``/admin/badges``, ``…/new``           every badge with its origin; make a console badge
``/admin/badges/<slug>``               edit a console badge (criterion, tiers, thresholds), archive
                                       it, upload its image; code-defined badges read-only
``/admin/awards``                      award or take away points, badges and roles, with a reason
``/admin/roles``, ``…/<slug>``         roles and their permissions; make, change, grant, revoke
``/admin/rules``                       the active rule set, with origins and what each awards; its
                                       versions; preview a change, apply the rules (:mod:`.rule_pages`)
``/admin/plugins``                     plugins, their hooks, and recent hook failures
``/admin/tokens``                      API tokens: make one (shown once), revoke
``/admin/audit``                       the audit log (every area), filtered by actor, action and dates
=====================================  ==============================================================

"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Response, redirect, render_template, request, url_for

from guildkit import errors
from guildkit.admin import Admin
from guildkit.admin.audit import ACTIONS
from guildkit.admin.models import CRITERIA
from guildkit.models import TIERS
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.badge_art import image_response
from guildkit.web.endpoint import gk_instance
from guildkit.web.pages import PageError, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]


def admin_page(view: View) -> View:
    """Only admins get past; guildkit's errors become HTML error pages."""

    @page
    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        who = caller()
        if not who.is_person:
            raise PageError(401, "Sign in to use the admin console", "The admin console is for signed-in admins.")
        if not (who.active and who.can("admin")):
            raise PageError(403, "Not allowed", "Only admins may use the admin console.")
        try:
            return view(**kwargs)
        except errors.NotAllowed as exc:
            return error_page(403, "Not allowed", exc.message)
        except errors.UnknownRole:
            return error_page(404, "No such role", "There is no role with that name.")
        except errors.UnknownToken:
            return error_page(404, "No such token", "There is no API token with that number.")

    return run


def _admin() -> tuple[Admin, str]:
    who = caller()
    assert who.user_id is not None
    return gk_instance().admin, who.user_id


def _render(template: str, status: int = 200, **context: Any) -> Any:
    html = render_template(f"guildkit/admin/{template}", **context)
    return (html, status) if status != 200 else html


def _invalid(exc: errors.GuildKitError, default: str) -> dict[str, str]:
    return {getattr(exc, "field", None) or default: exc.message}


# -- overview ------------------------------------------------------------------------------


@pages.get("/admin")
@admin_page
def admin_home() -> Any:
    service, _ = _admin()
    badges = service.badges()
    return _render(
        "home.html",
        badge_count=len(badges),
        console_badges=sum(1 for b in badges if b.editable),
        role_count=len(service.roles()),
        rule_count=len(service.rules()),
        failures=service.hook_failures(limit=5),
        recent=service.audit(limit=10),
    )


# -- badges --------------------------------------------------------------------------------


@pages.get("/admin/badges")
@admin_page
def admin_badges() -> Any:
    service, _ = _admin()
    return _render("badges.html", badges=service.badges(), done=request.args.get("done"))


def _badge_form(form: Any) -> dict[str, Any]:
    """The badge form's fields as the service takes them (lists and booleans from text)."""
    data: dict[str, Any] = {
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "category": form.get("category", "") or "general",
        "tiers": [t.strip() for t in form.get("tiers", "").split(",") if t.strip()],
        "secret": form.get("secret") == "on",
        "criterion": form.get("criterion", "manual"),
        "activity_type": form.get("activity_type", "").strip() or None,
        "subject_role": form.get("subject_role", "actor"),
        "point_type": form.get("point_type") or None,
    }
    text = form.get("thresholds", "").strip()
    try:
        data["thresholds"] = [int(t) for t in text.replace(" ", "").split(",") if t] if text else []
    except ValueError:
        raise errors.ValidationError("thresholds are whole numbers separated by commas", field="thresholds") from None
    return data


def _badge_page(slug: str | None, values: dict[str, Any], form_errors: dict[str, str], status: int = 200) -> Any:
    service, _ = _admin()
    badge = service.badge(slug) if slug else None
    return _render(
        "badge.html",
        status,
        badge=badge,
        values=values,
        errors=form_errors,
        criteria=CRITERIA,
        tiers=TIERS,
        point_types=list(gk_instance().registry.point_types),
        done=request.args.get("done"),
        backfill=_backfill_offer(service, slug),
        name=lambda user: gk_instance().user_info(user).name,
    )


def _backfill_offer(service: Admin, slug: str | None) -> Any:
    """The stored backfill preview named in ``?backfill=`` (after a save), if it is this badge's."""
    wanted = request.args.get("backfill", "")
    if slug is None or not wanted.isdigit():
        return None
    try:
        found = service.rule_preview(int(wanted), per_page=10)
    except errors.NotFound:
        return None
    return found if found.subject.startswith("badge ") and found.member_count else None


def _badge_values(badge: Any) -> dict[str, Any]:
    return {
        "name": badge.name,
        "description": badge.description,
        "category": badge.category,
        "tiers": ", ".join(badge.tiers),
        "secret": badge.secret,
        "criterion": badge.criterion or "manual",
        "activity_type": badge.activity_type or "",
        "subject_role": badge.subject_role or "actor",
        "point_type": badge.point_type or "",
        "thresholds": ", ".join(str(t) for t in badge.thresholds or []),
    }


@pages.route("/admin/badges/new", methods=["GET", "POST"])
@admin_page
def admin_new_badge() -> Any:
    if request.method == "GET":
        return _badge_page(None, {"tiers": "bronze", "criterion": "count", "subject_role": "actor"}, {})
    csrf.check()
    service, me = _admin()
    values = {**request.form.to_dict(), "secret": request.form.get("secret") == "on"}
    try:
        data = {"slug": request.form.get("slug", "").strip(), **_badge_form(request.form)}
        made = service.create_badge(me, data)
    except errors.ValidationError as exc:
        return _badge_page(None, values, _invalid(exc, "name"), 422)
    return _offer_backfill(made.slug, "created")


@pages.route("/admin/badges/<slug>", methods=["GET", "POST"])
@admin_page
def admin_badge(slug: str) -> Any:
    service, me = _admin()
    badge = service.badge(slug)
    if request.method == "GET":
        return _badge_page(slug, _badge_values(badge), {})
    csrf.check()
    values = {**request.form.to_dict(), "secret": request.form.get("secret") == "on"}
    try:
        service.update_badge(me, slug, _badge_form(request.form))
    except errors.ValidationError as exc:
        return _badge_page(slug, values, _invalid(exc, "name"), 422)
    return _offer_backfill(slug, "saved")


def _offer_backfill(slug: str, done: str) -> Any:
    """Back to the badge, offering it to the members who already qualify, if any do."""
    service, me = _admin()
    backfill = None
    if service.badge(slug).criteria:  # earned by a rule, not by hand only
        preview = service.preview_badge_backfill(me, slug)
        if service.rule_preview(preview, per_page=1).member_count:
            backfill = preview
    return redirect(url_for(".admin_badge", slug=slug, done=done, backfill=backfill), code=303)


@pages.post("/admin/badges/<slug>/<any(archive, unarchive):what>")
@admin_page
def admin_archive_badge(slug: str, what: str) -> Any:
    csrf.check()
    service, me = _admin()
    try:
        service.archive_badge(me, slug, archived=what == "archive", reason=request.form.get("reason", ""))
    except errors.ValidationError as exc:
        return _badge_page(slug, _badge_values(service.badge(slug)), _invalid(exc, "reason"), 422)
    return redirect(url_for(".admin_badge", slug=slug, done=f"{what}d"), code=303)


@pages.post("/admin/badges/<slug>/image")
@admin_page
def admin_badge_image_upload(slug: str) -> Any:
    csrf.check()
    service, me = _admin()
    try:
        if request.form.get("remove"):
            service.set_badge_image(me, slug, None)
        else:
            upload = request.files.get("image")
            service.set_badge_image(me, slug, upload.read() if upload else b"")
    except errors.ValidationError as exc:
        return _badge_page(slug, _badge_values(service.badge(slug)), _invalid(exc, "image"), 422)
    return redirect(url_for(".admin_badge", slug=slug, done="image saved"), code=303)


@pages.get("/admin/badges/<slug>/image")
@admin_page
def admin_badge_image(slug: str) -> Any:
    """The image as admins preview it (secret badges too)."""
    service, _ = _admin()
    return image_response(*service.badge_image(slug, preview=True))


# -- manual awards -------------------------------------------------------------------------


def _awards_page(values: dict[str, str], form_errors: dict[str, str], status: int = 200, **extra: Any) -> Any:
    gk = gk_instance()
    registry = gk.registry
    return _render(
        "awards.html",
        status,
        values=values,
        errors=form_errors,
        point_types=list(registry.point_types.items()),
        badges=sorted((s, b.name) for s, b in registry.badges.items()),
        roles=sorted(registry.roles),
        **extra,
    )


def _optional_int(text: str, field: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise errors.ValidationError(f"{field} must be a whole number", field=field) from None


@pages.route("/admin/awards", methods=["GET", "POST"])
@admin_page
def admin_awards() -> Any:
    if request.method == "GET":
        return _awards_page({}, {}, done=request.args.get("done"))
    csrf.check()
    service, me = _admin()
    form = request.form
    values = form.to_dict()
    what = form.get("what", "award")
    try:
        common = {"user_id": form.get("user_id", "").strip(), "reason": form.get("reason", "")}
        if what == "revoke":
            service.revoke(
                me,
                **common,
                badge=form.get("badge") or None,
                level=_optional_int(form.get("level", ""), "level"),
                role=form.get("role") or None,
            )
        else:
            level = _optional_int(form.get("level", ""), "level")
            service.award(
                me,
                **common,
                points=_optional_int(form.get("points", ""), "points"),
                point_type=form.get("point_type") or None,
                badge=form.get("badge") or None,
                level=level if level is not None else 1,
                role=form.get("role") or None,
            )
    except errors.UnknownMember:
        return _awards_page(values, {"user_id": "There is no such member."}, 422, what=what)
    except (errors.ValidationError, errors.UnknownBadge, errors.UnknownPointType, errors.UnknownRole) as exc:
        return _awards_page(values, _invalid(exc, "badge"), 422, what=what)
    return redirect(url_for(".admin_awards", done="awarded" if what != "revoke" else "revoked"), code=303)


# -- roles ---------------------------------------------------------------------------------


def _roles_page(values: dict[str, Any], form_errors: dict[str, str], status: int = 200) -> Any:
    service, _ = _admin()
    return _render(
        "roles.html",
        status,
        roles=service.roles(),
        permissions=service.permissions(),
        values=values,
        errors=form_errors,
        done=request.args.get("done"),
    )


@pages.route("/admin/roles", methods=["GET", "POST"])
@admin_page
def admin_roles() -> Any:
    if request.method == "GET":
        return _roles_page({}, {})
    csrf.check()
    service, me = _admin()
    form = request.form
    data = {
        "slug": form.get("slug", "").strip(),
        "name": form.get("name", ""),
        "description": form.get("description", ""),
        "permissions": form.getlist("permissions"),
    }
    try:
        service.create_role(me, data)
    except errors.ValidationError as exc:
        return _roles_page({**data, "form": "create"}, _invalid(exc, "slug"), 422)
    return redirect(url_for(".admin_roles", done=f"role {data['slug']} created"), code=303)


@pages.post("/admin/roles/<slug>/<any(edit, grant, revoke):what>")
@admin_page
def admin_role(slug: str, what: str) -> Any:
    csrf.check()
    service, me = _admin()
    form = request.form
    try:
        if what == "edit":
            changes = {
                "name": form.get("name", ""),
                "description": form.get("description", ""),
                "permissions": form.getlist("permissions"),
            }
            service.update_role(me, slug, changes)
        elif what == "grant":
            service.award(me, form.get("user_id", "").strip(), role=slug, reason=form.get("reason", ""))
        else:
            service.revoke(me, form.get("user_id", "").strip(), role=slug, reason=form.get("reason", ""))
    except errors.UnknownMember:
        return _roles_page({**form.to_dict(), "form": slug}, {"user_id": "There is no such member."}, 422)
    except errors.ValidationError as exc:
        return _roles_page({**form.to_dict(), "form": slug}, _invalid(exc, "name"), 422)
    done = {"edit": "saved", "grant": "granted", "revoke": "revoked"}[what]
    return redirect(url_for(".admin_roles", done=f"role {slug} {done}"), code=303)


# -- what is running -----------------------------------------------------------------------


@pages.get("/admin/rules")
@admin_page
def admin_rules() -> Any:
    service, _ = _admin()
    return _render(
        "rules.html",
        rules=service.rules(),
        versions=service.rule_versions(),
        previews=service.recent_previews(),
        values={},
        errors={},
        done=request.args.get("done"),
        name=lambda user: gk_instance().user_info(user).name,
    )


@pages.get("/admin/plugins")
@admin_page
def admin_plugins() -> Any:
    service, _ = _admin()
    return _render("plugins.html", plugins=service.plugins(), failures=service.hook_failures(limit=50))


# -- API tokens ----------------------------------------------------------------------------


@pages.route("/admin/tokens", methods=["GET", "POST"])
@admin_page
def admin_tokens() -> Any:
    _, me = _admin()
    tokens = gk_instance().tokens
    new_token = None
    values: dict[str, Any] = {}
    form_errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        csrf.check()
        values = {"name": request.form.get("name", ""), "scopes": request.form.getlist("scopes")}
        try:
            new_token, _ = tokens.create(me, values["name"], values["scopes"])
        except errors.ValidationError as exc:
            form_errors, status = _invalid(exc, "name"), 422
    html = _render(
        "tokens.html",
        status,
        tokens=tokens.list(),
        scopes=gk_instance().permissions(),
        new_token=new_token,
        values=values,
        errors=form_errors,
        done=request.args.get("done"),
    )
    if new_token is None:
        return html
    # The token is on this page only: never cache it.
    response = Response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.post("/admin/tokens/<guildkit_id:token_id>/revoke")
@admin_page
def admin_revoke_token(token_id: int) -> Any:
    csrf.check()
    _, me = _admin()
    gk_instance().tokens.revoke(me, token_id)
    return redirect(url_for(".admin_tokens", done=f"token {token_id} revoked"), code=303)


# -- the audit log -------------------------------------------------------------------------


def _day(text: str, field: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        raise errors.ValidationError(f"{field} must be a date (YYYY-MM-DD)", field=field) from None


@pages.get("/admin/audit")
@admin_page
def admin_audit() -> Any:
    service, _ = _admin()
    args = request.args
    values = {name: args.get(name, "").strip() for name in ("actor", "action", "since", "until", "before")}
    entries: list[Any] = []
    form_errors: dict[str, str] = {}
    try:
        until = _day(values["until"], "until")
        before = _optional_int(values["before"], "before")
        entries = service.audit(
            actor=values["actor"] or None,
            action=values["action"] or None,
            since=_day(values["since"], "since"),
            until=until + timedelta(days=1) if until else None,  # the whole "until" day
            before=before,
            limit=51,
        )
    except errors.ValidationError as exc:
        form_errors = _invalid(exc, "since")
    next_url = None
    if len(entries) > 50:
        entries = entries[:50]
        filters: dict[str, Any] = {k: v for k, v in values.items() if v and k != "before"}
        next_url = url_for(".admin_audit", **filters, before=entries[-1].id)
    return _render(
        "audit.html",
        422 if form_errors else 200,
        entries=entries,
        values=values,
        errors=form_errors,
        actions=ACTIONS,
        next_url=next_url,
    )
