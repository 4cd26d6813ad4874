"""The console's rule-change pages (docs/admin.md#rule-changes), beside the rules page.

==========================================  ==========================================================
``POST /admin/rules/previews``              preview a proposed rule file (or removals): stored, then shown
``/admin/rules/previews/<id>``              a stored preview: counts first, then the members, paged
``POST /admin/rules/apply``                 apply the rules in force to the history (a background job)
``POST /admin/badges/<slug>/backfill``      award a badge to the members who already qualify
==========================================  ==========================================================
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import redirect, render_template, request, url_for

from guildkit import errors
from guildkit.admin.pages import RULE_LABELS, RULE_LIMITS, admin_page
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import caller, error_page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")


def _me() -> str:
    who = caller()
    assert who.user_id is not None
    return who.user_id


@pages.post("/admin/rules/previews")
@admin_page
def admin_preview_rules() -> Any:
    csrf.check()
    service = gk_instance().admin
    form = Form.posted(RULE_LABELS, limits=RULE_LIMITS)
    remove = [name for name in re.split(r"[\s,]+", form.text("remove")) if name]
    made = form.run(lambda: service.preview_rules(_me(), form.text("rules"), remove=remove))
    if made is None:
        return _rules_page(form, 422)
    return redirect(url_for(".admin_rule_preview", preview_id=made), code=303)


def _rules_page(form: Form, status: int) -> Any:
    service = gk_instance().admin
    html = render_template(
        "guildkit/admin/rules.html",
        rules=service.rules(),
        versions=service.rule_versions(),
        previews=service.recent_previews(),
        form=form,
        name=lambda user: gk_instance().user_info(user).name,
    )
    return html, status


@pages.get("/admin/rules/previews/<int:preview_id>")
@admin_page
def admin_rule_preview(preview_id: int) -> Any:
    service = gk_instance().admin
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    try:
        found = service.rule_preview(preview_id, page=number)
    except errors.NotFound:
        return error_page(404, "No such preview", "There is no preview with that number.")
    registry = gk_instance().registry
    gk = gk_instance()
    return render_template(
        "guildkit/admin/rule_preview.html", preview=found, label=_labels(registry), name=lambda u: gk.user_info(u).name
    )


def _labels(registry: Any) -> Any:
    """Names for what a preview lists by slug: badges (with their level), roles, point types."""

    def label(kind: str, slug: str, level: int | None = None) -> str:
        if kind == "badge" and slug in registry.badges:
            definition = registry.badges[slug]
            return str(definition.level_name(level) if level and level <= len(definition.levels) else definition.name)
        if kind == "role" and slug in registry.roles:
            return str(registry.roles[slug].name)
        if kind == "points" and slug in registry.point_types:
            return str(registry.point_types[slug].name)
        return slug

    return label


@pages.post("/admin/rules/apply")
@admin_page
def admin_apply_rules() -> Any:
    csrf.check()
    service = gk_instance().admin
    form = request.form
    notify = "nobody" if form.get("notify") == "nobody" else "gains"
    dated = "today" if form.get("dated") == "today" else "earned"
    try:
        version = int(form["version"]) if form.get("version") else None
        service.apply_rules(
            _me(), version=version, grandfather=form.get("grandfather") == "on", notify=notify, dated=dated
        )
    except (errors.ValidationError, errors.Conflict, ValueError) as exc:
        refused = Form(RULE_LABELS, limits=RULE_LIMITS)
        refused.add(None, getattr(exc, "message", "the version is a number"))  # a hidden field: the form's own
        return _rules_page(refused, 409 if isinstance(exc, errors.Conflict) else 422)
    return redirect(url_for(".admin_rules", done="applying the rules in force to the history started"), code=303)


@pages.post("/admin/badges/<slug>/backfill")
@admin_page
def admin_badge_backfill(slug: str) -> Any:
    csrf.check()
    service = gk_instance().admin
    dated = "today" if request.form.get("dated") == "today" else "earned"
    notify = "nobody" if request.form.get("notify") == "nobody" else "gains"
    service.apply_rules(_me(), badge=slug, dated=dated, notify=notify)
    return redirect(url_for(".admin_badge", slug=slug, done="awarding it to the members who qualify started"), code=303)
