"""The console's rules page and its rule-change pages (docs/admin.md#rule-changes).

==========================================  ==========================================================
``/admin/rules``                            the active rule set, its versions, the forms below
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

from flask import redirect, request, url_for

from guildkit import errors
from guildkit.admin.pages import RULE_LIMITS, admin_page, render, rule_labels
from guildkit.admin.rule_changes import PreviewView
from guildkit.i18n import gettext as _
from guildkit.routes import Routes
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import caller, error_page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

#: A definition in rule-file TOML, under the proposed-rules field (code: not translated).
EXAMPLE = '[[points]] name = "answer-upvoted", on = "answer.upvoted", points = 5, point_type = "reputation"'
#: A stored preview's ``subject`` is English (see ``RuleChangesConsole.preview_rules`` and
#: ``preview_badge_backfill``): :func:`subject` recognises its shapes to say it in the reader's language.
_LESS = re.compile(r"the rules in force less (?P<names>.*)", re.S)
_BACKFILL = re.compile(r"badge (?P<name>.*) as it stands", re.S)


def _me() -> str:
    who = caller()
    assert who.user_id is not None
    return who.user_id


@pages.get("/admin/rules")
@admin_page
def admin_rules() -> Any:
    return _rules_page(Form(rule_labels(), limits=RULE_LIMITS))


@pages.post("/admin/rules/previews")
@admin_page
def admin_preview_rules() -> Any:
    csrf.check()
    service = gk_instance().admin
    form = Form.posted(rule_labels(), limits=RULE_LIMITS)
    remove = [name for name in re.split(r"[\s,]+", form.text("remove")) if name]
    made = form.run(lambda: service.preview_rules(_me(), form.text("rules"), remove=remove))
    if made is None:
        return _rules_page(form, 422)
    return redirect(url_for(".admin_rule_preview", preview_id=made), code=303)


def _rules_page(form: Form, status: int = 200) -> Any:
    service = gk_instance().admin
    return render(
        "rules.html",
        status,
        rules=service.rules(),
        versions=service.rule_versions(),
        previews=service.recent_previews(),
        form=form,
        name=lambda user: gk_instance().user_info(user).name,
        subject=subject,
        example=EXAMPLE,
    )


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
        return error_page(404, _("No such preview"), _("There is no preview with that number."))
    registry = gk_instance().registry
    gk = gk_instance()
    return render(
        "rule_preview.html",
        preview=found,
        label=_labels(registry),
        name=lambda u: gk.user_info(u).name,
        subject=subject,
    )


def subject(preview: PreviewView) -> str:
    """What a preview was of, in the reader's language."""
    text = preview.subject
    if text == "the proposed rules":
        return str(_("the proposed rules"))
    if found := _LESS.fullmatch(text):
        return str(_("the rules in force less %(names)s", names=found["names"]))
    if found := _BACKFILL.fullmatch(text):
        return str(_("badge %(name)s as it stands", name=found["name"]))
    return text


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
        refused = Form(rule_labels(), limits=RULE_LIMITS)
        refused.add(None, getattr(exc, "message", _("the version is a number")))  # a hidden field: the form's own
        return _rules_page(refused, 409 if isinstance(exc, errors.Conflict) else 422)
    return redirect(url_for(".admin_rules", done="applying"), code=303)


@pages.post("/admin/badges/<slug>/backfill")
@admin_page
def admin_badge_backfill(slug: str) -> Any:
    csrf.check()
    service = gk_instance().admin
    dated = "today" if request.form.get("dated") == "today" else "earned"
    notify = "nobody" if request.form.get("notify") == "nobody" else "gains"
    service.apply_rules(_me(), badge=slug, dated=dated, notify=notify)
    return redirect(url_for(".admin_badge", slug=slug, done="backfilling"), code=303)
