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
                                       versions; preview a change, apply the rules (in :mod:`.rule_pages`)
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
from typing import Any, TypeVar

from flask import Response, redirect, render_template, request, url_for

from guildkit import errors
from guildkit.admin import Admin
from guildkit.admin.audit import ACTIONS
from guildkit.admin.badges import badge_values
from guildkit.admin.images import IMAGE_TYPES
from guildkit.admin.models import CRITERIA
from guildkit.admin.rule_changes import MAX_PROPOSAL
from guildkit.builtin.manual import REASON_MAX, award_payload, revoke_payload
from guildkit.i18n import gettext as _
from guildkit.i18n import pgettext
from guildkit.models import TIERS
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.badge_art import image_response
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
T = TypeVar("T")

#: How much typed text each console form shows back (its fields' labels: the functions below).
BADGE_LIMITS = {"slug": 100, "name": 191, "description": 2000, "category": 100, "tiers": 200, "activity_type": 100,
                "thresholds": 200, "reason": 2000}  # fmt: skip
AWARD_LIMITS = {"user_id": 191, "points": 16, "level": 16, "reason": REASON_MAX}
ROLE_LIMITS = {"slug": 100, "name": 191, "description": 2000, "user_id": 191, "reason": REASON_MAX}
RULE_LIMITS = {"rules": MAX_PROPOSAL, "remove": 2000}


# Each console form's fields, in the order its page shows them, in the reader's language.


def badge_labels() -> dict[str, str]:
    return {
        "slug": _("Slug"), "name": _("Name"), "description": _("Description"), "category": _("Category"),
        "tiers": _("Tiers"), "criterion": _("How it is earned"), "activity_type": _("Activity type"),
        "subject_role": _("Whose activities"), "point_type": _("Point type"), "thresholds": _("Thresholds"),
        "secret": _("Secret"), "image": _("Image"), "reason": _("Reason"),
    }  # fmt: skip


def award_labels() -> dict[str, str]:
    return {
        "user_id": _("Member"), "points": _("Points"), "point_type": _("Point type"), "badge": _("Badge"),
        "level": _("Level"), "role": _("Role"), "reason": _("Reason"),
    }  # fmt: skip


def role_labels() -> dict[str, str]:
    return {"slug": _("Slug"), "name": _("Name"), "description": _("Description"), "permissions": _("Permissions")}


def grant_labels() -> dict[str, str]:
    return {"user_id": _("Member"), "reason": _("Reason")}


def token_labels() -> dict[str, str]:
    return {"name": _("Name"), "scopes": _("Scopes")}


def rule_labels() -> dict[str, str]:
    return {"rules": _("Proposed definitions"), "remove": _("Leave out")}


def audit_labels() -> dict[str, str]:
    return {"actor": _("Actor"), "action": _("Action"), "since": _("From"), "until": _("To")}


def done_message() -> str | None:
    """What the redirect after a change (``?done=``) tells the admin; ``None`` for no known change."""
    done, args = request.args.get("done", ""), request.args
    messages = {
        "created": _("Done: created."),
        "saved": _("Done: saved."),
        "archived": _("Done: archived."),
        "unarchived": _("Done: unarchived."),
        "image": _("Done: image saved."),
        "awarded": _("Done: awarded."),
        "revoked": _("Done: revoked."),
        "role-created": _("Done: role %(role)s created.", role=args.get("role", "")),
        "role-saved": _("Done: role %(role)s saved.", role=args.get("role", "")),
        "role-granted": _("Done: role %(role)s granted.", role=args.get("role", "")),
        "role-revoked": _("Done: role %(role)s revoked.", role=args.get("role", "")),
        "token-revoked": _("Done: token %(token)s revoked.", token=args.get("token", "")),
        "applying": _("Done: applying the rules in force to the history started."),
        "backfilling": _("Done: awarding it to the members who qualify started."),
    }
    return messages.get(done)


def origin_kind(kind: str) -> str:
    """A definition's origin kind (``database``, ``file``, ``code``, ``built-in``, ``plugin``) in words."""
    kinds: dict[str, str] = {
        "database": pgettext("definition origin", "database"),
        "file": pgettext("definition origin", "file"),
        "code": pgettext("definition origin", "code"),
        "built-in": pgettext("definition origin", "built-in"),
        "plugin": pgettext("definition origin", "plugin"),
    }
    return kinds.get(kind, kind)


def origin(kind: str, label: str) -> str:
    """Where a definition comes from, in words: ``database: admin console``, ``file: rules.toml``."""
    where = _("admin console") if kind == "database" else label
    return str(_("%(kind)s: %(origin)s", kind=origin_kind(kind), origin=where))


def admin_page(view: View) -> View:
    """Only admins get past; guildkit's errors become HTML error pages."""

    @page
    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        who = caller()
        if not who.is_person:
            raise PageError(401, _("Sign in to use the admin console"), _("The admin console is for signed-in admins."))
        if not (who.active and who.can("admin")):
            raise PageError(403, _("Not allowed"), _("Only admins may use the admin console."))
        try:
            return view(**kwargs)
        except errors.NotAllowed as exc:
            return error_page(403, _("Not allowed"), exc.message)
        except errors.UnknownRole:
            return error_page(404, _("No such role"), _("There is no role with that name."))
        except errors.UnknownToken:
            return error_page(404, _("No such token"), _("There is no API token with that number."))

    return run


def _admin() -> tuple[Admin, str]:
    who = caller()
    assert who.user_id is not None
    return gk_instance().admin, who.user_id


def _service() -> Admin:
    service: Admin = gk_instance().admin
    return service


def render(template: str, status: int = 200, **context: Any) -> Any:
    """An admin page: ``template`` under ``guildkit/admin/``, with what every admin page shows."""
    html = render_template(
        f"guildkit/admin/{template}", done=done_message(), origin=origin, origin_kind=origin_kind, **context
    )
    return (html, status) if status != 200 else html


def _attempt(form: Form, run: Callable[[], T]) -> T | None:
    """``form.run(run)``, with the registry's not-found errors as the form's field errors (they
    name the field, never the value sent)."""
    try:
        return form.run(run)
    except errors.UnknownMember:
        form.add("user_id", _("there is no member with this user id"))
    except errors.UnknownBadge:
        form.add("badge", _("choose a badge from the list"))
    except errors.UnknownPointType:
        form.add("point_type", _("choose a point type from the list"))
    except errors.UnknownRole:
        form.add("role", _("choose a role from the list"))
    return None


# -- overview ------------------------------------------------------------------------------


@pages.get("/admin")
@admin_page
def admin_home() -> Any:
    service = _service()
    badges = service.badges()
    return render(
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
    service = _service()
    return render("badges.html", badges=service.badges())


def _badge_fields(form: Form) -> dict[str, Any]:
    """The badge form's fields as the service takes them (lists and booleans from text)."""
    data: dict[str, Any] = {
        "name": form.text("name"),
        "description": form.text("description"),
        "category": form.text("category") or "general",
        "tiers": [t.strip() for t in form.text("tiers").split(",") if t.strip()],
        "secret": bool(form.values["secret"]),
        "criterion": form.text("criterion") or "manual",
        "activity_type": form.text("activity_type").strip() or None,
        "subject_role": form.text("subject_role") or "actor",
        "point_type": form.text("point_type") or None,
        "thresholds": [],
    }
    numbers = [t for t in form.text("thresholds").replace(" ", "").split(",") if t]
    if all(t.isascii() and t.isdigit() and len(t) <= 15 for t in numbers):
        data["thresholds"] = [int(t) for t in numbers]
    else:
        form.add("thresholds", _("thresholds are whole numbers separated by commas"))
    return data


def _badge_page(slug: str | None, form: Form, status: int = 200) -> Any:
    service = _service()
    badge = service.badge(slug) if slug else None
    return render(
        "badge.html",
        status,
        badge=badge,
        form=form,
        criteria=CRITERIA,
        tiers=TIERS,
        point_types=list(gk_instance().registry.point_types),
        backfill=_backfill_offer(service, slug),
        image_types=",".join(IMAGE_TYPES),
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


def _badge_form(badge: Any = None, posted: bool = False) -> Form:
    if posted:
        return Form.posted(badge_labels(), checkboxes=("secret",), limits=BADGE_LIMITS)
    values = (
        {"tiers": "bronze", "criterion": "count", "subject_role": "actor"} if badge is None else _badge_values(badge)
    )
    return Form(badge_labels(), values, limits=BADGE_LIMITS)


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
        return _badge_page(None, _badge_form())
    csrf.check()
    service, me = _admin()
    form = _badge_form(posted=True)
    data = {"slug": form.text("slug").strip(), **_badge_fields(form)}
    made = form.submit(lambda: service.create_badge(me, data), check=lambda: badge_values(data))
    if made is None:
        return _badge_page(None, form, 422)
    return _offer_backfill(made.slug, "created")


@pages.route("/admin/badges/<slug>", methods=["GET", "POST"])
@admin_page
def admin_badge(slug: str) -> Any:
    service, me = _admin()
    badge = service.badge(slug)
    if request.method == "GET":
        return _badge_page(slug, _badge_form(badge))
    csrf.check()
    form = _badge_form(posted=True)
    data = _badge_fields(form)
    if form.submit(lambda: service.update_badge(me, slug, data), check=lambda: badge_values(data, slug=slug)) is None:
        return _badge_page(slug, form, 422)
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
    form = _badge_form(service.badge(slug))
    form.values["reason"] = reason = request.form.get("reason", "")
    if form.run(lambda: service.archive_badge(me, slug, archived=what == "archive", reason=reason)) is None:
        return _badge_page(slug, form, 422)
    return redirect(url_for(".admin_badge", slug=slug, done=f"{what}d"), code=303)


@pages.post("/admin/badges/<slug>/image")
@admin_page
def admin_badge_image_upload(slug: str) -> Any:
    csrf.check()
    service, me = _admin()
    upload = request.files.get("image")
    image = None if request.form.get("remove") else upload.read() if upload else b""
    form = _badge_form(service.badge(slug))
    if form.run(lambda: service.set_badge_image(me, slug, image)) is None:
        return _badge_page(slug, form, 422)
    return redirect(url_for(".admin_badge", slug=slug, done="image"), code=303)


@pages.get("/admin/badges/<slug>/image")
@admin_page
def admin_badge_image(slug: str) -> Any:
    """The image as admins preview it (secret badges too)."""
    service = _service()
    return image_response(*service.badge_image(slug, preview=True))


# -- manual awards -------------------------------------------------------------------------


def _awards_page(form: Form, status: int = 200, what: str = "award", **extra: Any) -> Any:
    """The award and revoke forms: ``form`` is the one named by ``what``, the other is blank."""
    gk = gk_instance()
    registry = gk.registry
    blank = Form(award_labels(), {"level": "1"}) if what == "revoke" else Form(award_labels(), scope="revoke-")
    award, revoke = (blank, form) if what == "revoke" else (form, blank)
    return render(
        "awards.html",
        status,
        form=form,
        award=award,
        revoke=revoke,
        point_types=list(registry.point_types.items()),
        badges=sorted((s, b.name) for s, b in registry.badges.items()),
        roles=sorted(registry.roles),
        **extra,
    )


@pages.route("/admin/awards", methods=["GET", "POST"])
@admin_page
def admin_awards() -> Any:
    if request.method == "GET":
        return _awards_page(Form(award_labels(), {"level": "1"}))
    csrf.check()
    service, me = _admin()
    what = "revoke" if request.form.get("what") == "revoke" else "award"
    form = Form.posted(award_labels(), limits=AWARD_LIMITS, scope="revoke-" if what == "revoke" else "")
    user, reason = form.text("user_id").strip(), form.text("reason")
    level = form.whole_number("level", low=1, message=_("level must be a whole number from 1"))
    badge, role = form.text("badge") or None, form.text("role") or None
    _attempt(form, lambda: gk_instance().member(user))
    registry = gk_instance().registry
    if what == "revoke":
        done = _attempt(form, lambda: form.submit(
            lambda: service.revoke(me, user, reason=reason, badge=badge, level=level, role=role),
            check=lambda: revoke_payload(registry, reason, badge, level, role),
        ))  # fmt: skip
    else:
        awarded: dict[str, Any] = {
            "points": form.whole_number("points", message=_("points must be a whole number")),
            "point_type": form.text("point_type") or None, "badge": badge, "level": level or 1, "role": role,
        }  # fmt: skip
        done = _attempt(form, lambda: form.submit(
            lambda: service.award(me, user, reason=reason, **awarded),
            check=lambda: award_payload(registry, reason, **awarded),
        ))  # fmt: skip
    if done is None:
        return _awards_page(form, 422, what=what)
    return redirect(url_for(".admin_awards", done="awarded" if what != "revoke" else "revoked"), code=303)


# -- roles ---------------------------------------------------------------------------------


def _roles_page(posted: tuple[str, str, Form] | None = None, status: int = 200) -> Any:
    """Every role's edit and grant forms and the form to make one; ``posted`` (kind, role, form)
    replaces the one that was sent."""
    service = _service()
    roles = service.roles()
    edits = {
        r.slug: Form(role_labels(), {"name": r.name, "description": r.description, "permissions": r.permissions},
                     limits=ROLE_LIMITS, scope=f"{r.slug}-")
        for r in roles
        if r.editable
    }  # fmt: skip
    grants = {r.slug: Form(grant_labels(), limits=ROLE_LIMITS, scope=f"{r.slug}-grant-") for r in roles}
    create = Form(role_labels(), limits=ROLE_LIMITS)
    form = create
    if posted is not None:
        kind, slug, form = posted
        if kind == "create":
            create = form
        else:
            (edits if kind == "edit" else grants)[slug] = form
    return render(
        "roles.html",
        status,
        roles=roles,
        permissions=service.permissions(),
        form=form,
        create=create,
        edits=edits,
        grants=grants,
    )


@pages.route("/admin/roles", methods=["GET", "POST"])
@admin_page
def admin_roles() -> Any:
    if request.method == "GET":
        return _roles_page()
    csrf.check()
    service, me = _admin()
    form = Form.posted(role_labels(), lists=("permissions",), limits=ROLE_LIMITS)
    data = {**form.values, "slug": form.text("slug").strip()}
    if form.run(lambda: service.create_role(me, data)) is None:
        return _roles_page(("create", "", form), 422)
    return redirect(url_for(".admin_roles", done="role-created", role=data["slug"]), code=303)


@pages.post("/admin/roles/<slug>/<any(edit, grant, revoke):what>")
@admin_page
def admin_role(slug: str, what: str) -> Any:
    csrf.check()
    service, me = _admin()
    if what == "edit":
        form = Form.posted(role_labels(), lists=("permissions",), limits=ROLE_LIMITS, scope=f"{slug}-")
        changes = {name: form.values[name] for name in ("name", "description", "permissions")}
        done: object = form.run(lambda: service.update_role(me, slug, changes))
    else:
        form = Form.posted(grant_labels(), limits=ROLE_LIMITS, scope=f"{slug}-grant-")
        user, reason = form.text("user_id").strip(), form.text("reason")
        change = service.award if what == "grant" else service.revoke
        _attempt(form, lambda: gk_instance().member(user))
        done = _attempt(form, lambda: form.submit(lambda: change(me, user, role=slug, reason=reason)))
    if done is None:
        return _roles_page(("edit" if what == "edit" else "grant", slug, form), 422)
    done_key = {"edit": "role-saved", "grant": "role-granted", "revoke": "role-revoked"}[what]
    return redirect(url_for(".admin_roles", done=done_key, role=slug), code=303)


# -- what is running -----------------------------------------------------------------------


@pages.get("/admin/plugins")
@admin_page
def admin_plugins() -> Any:
    service = _service()
    return render("plugins.html", plugins=service.plugins(), failures=service.hook_failures(limit=50))


# -- API tokens ----------------------------------------------------------------------------


@pages.route("/admin/tokens", methods=["GET", "POST"])
@admin_page
def admin_tokens() -> Any:
    me = _admin()[1]
    tokens = gk_instance().tokens
    new_token = None
    form = Form(token_labels(), limits={"name": 100})
    if request.method == "POST":
        csrf.check()
        form = Form.posted(token_labels(), lists=("scopes",), limits={"name": 100})
        made = form.run(lambda: tokens.create(me, form.text("name"), form.values["scopes"]))
        new_token = made[0] if made is not None else None
    html = render(
        "tokens.html",
        422 if form.invalid else 200,
        tokens=tokens.list(),
        scopes=gk_instance().permissions(),
        new_token=new_token,
        form=form,
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
    me = _admin()[1]
    gk_instance().tokens.revoke(me, token_id)
    return redirect(url_for(".admin_tokens", done="token-revoked", token=token_id), code=303)


# -- the audit log -------------------------------------------------------------------------


def _day(text: str, field: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        raise errors.ValidationError(_("%(field)s must be a date (YYYY-MM-DD)", field=field), field=field) from None


@pages.get("/admin/audit")
@admin_page
def admin_audit() -> Any:
    service = _service()
    args = request.args
    values = {name: args.get(name, "").strip() for name in ("actor", "action", "since", "until", "before")}
    form = Form(audit_labels(), values, limits={"actor": 191})
    entries: list[Any] = []
    since, until = form.run(lambda: _day(values["since"], "since")), form.run(lambda: _day(values["until"], "until"))
    before = form.whole_number("before", low=1)
    if not form.invalid:
        entries = form.run(lambda: service.audit(
            actor=values["actor"] or None,
            action=values["action"] or None,
            since=since,
            until=until + timedelta(days=1) if until else None,  # the whole "until" day
            before=before,
            limit=51,
        )) or []  # fmt: skip
    next_url = None
    if len(entries) > 50:
        entries = entries[:50]
        filters: dict[str, Any] = {k: v for k, v in values.items() if v and k != "before"}
        next_url = url_for(".admin_audit", **filters, before=entries[-1].id)
    return render(
        "audit.html",
        422 if form.invalid else 200,
        entries=entries,
        form=form,
        actions=ACTIONS,
        next_url=next_url,
    )
