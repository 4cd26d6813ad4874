"""The admin JSON API, on the same ``api`` blueprint as the rest (docs/admin.md). Every endpoint
needs the ``admin`` permission; managing API tokens needs a signed-in admin (a token cannot mint
or revoke tokens). Each change writes a row of guildkit's audit log with it.

=================================================  ============================================
``GET/POST /admin/badges``                         every badge with its origin; make one
``GET/PATCH /admin/badges/{slug}``                 one badge; change a console badge
``POST /admin/badges/{slug}/archive|unarchive``    stop (or resume) awarding a console badge
``POST /admin/awards``, ``/admin/revocations``     award or take away by hand, with a reason
``GET/POST /admin/roles``, ``PATCH …/{slug}``      roles; make or change a console role
``POST /admin/roles/{slug}/grants|revocations``    grant or revoke a role, with a reason
``GET /admin/permissions``                         what a console role may carry
``GET /admin/rules``, ``/admin/plugins``           the active rule set; plugins and their hooks
``GET /admin/rules/versions``                      the rule set's versions and what each changed
``POST /admin/rules/previews``                     preview a rule change against the history (stored)
``GET /admin/rules/previews/{id}``                 a stored preview, a page of members at a time
``POST /admin/rules/apply``                        apply the rules in force to the history (a job)
``GET /admin/hook-failures``                       recent hook failures
``GET/POST /admin/tokens``                         API tokens; make one (shown once)
``POST /admin/tokens/{id}/revoke``                 revoke one
``GET /admin/audit``                               the audit log (every area), filtered
=================================================  ============================================
"""

from __future__ import annotations

from typing import Any

from guildkit.admin import Admin
from guildkit.admin.schemas import (
    AdminAuditSchema,
    AdminAwardIn,
    AdminBadgeSchema,
    AdminRevokeIn,
    AdminRoleSchema,
    ArchiveIn,
    AuditQuery,
    BadgeChangeIn,
    BadgeIn,
    FailureQuery,
    FailureSchema,
    PermissionSchema,
    PluginSchema,
    PreviewQuery,
    RoleChangeIn,
    RoleGrantIn,
    RoleIn,
    RuleApplyIn,
    RuleApplyStartedSchema,
    RulePreviewIn,
    RulePreviewSchema,
    RuleSchema,
    RuleVersionSchema,
    TokenCreatedSchema,
    TokenIn,
    TokenSchema,
)
from guildkit.routes import Routes
from guildkit.web.auth import Caller
from guildkit.web.endpoint import endpoint, gk_instance, permission
from guildkit.web.schemas import ActivityResultSchema

api = Routes("api")

TAGS = ("admin",)
admin = permission("admin")
READ = (401, 403)
WRITE = (401, 403, 404, 422)


def admin_person(caller: Caller, path: dict[str, Any]) -> bool:
    """a signed-in admin (not an API token: tokens cannot manage tokens)"""
    return caller.is_person and caller.active and caller.can("admin")


def _service() -> Admin:
    service: Admin = gk_instance().admin
    return service


def _as(caller: Caller) -> dict[str, Any]:
    """Who acts, for the service: the person, or the token naming itself in the audit log."""
    if caller.user_id is not None:
        return {"by": caller.user_id}
    return {"by": None, "via": f"token:{caller.token.prefix}" if caller.token is not None else None}


# -- badges --------------------------------------------------------------------------------


@api.get("/admin/badges")
@endpoint(
    summary="Every badge with its origin", response=AdminBadgeSchema, many=True, allow=admin, tags=TAGS, errors=READ
)
def admin_badges(caller: Caller) -> Any:
    return _service().badges()


@api.post("/admin/badges")
@endpoint(
    summary="Make a console badge with its criterion",
    body=BadgeIn,
    response=AdminBadgeSchema,
    status=201,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_create_badge(caller: Caller, body: dict[str, Any]) -> Any:
    return _service().create_badge(data=body, **_as(caller))


@api.get("/admin/badges/<slug>")
@endpoint(summary="One badge with its origin", response=AdminBadgeSchema, allow=admin, tags=TAGS, errors=(*READ, 404))
def admin_badge(caller: Caller, slug: str) -> Any:
    return _service().badge(slug)


@api.patch("/admin/badges/<slug>")
@endpoint(
    summary="Change a console badge (code- and file-defined badges are read-only)",
    body=BadgeChangeIn,
    response=AdminBadgeSchema,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_update_badge(caller: Caller, body: dict[str, Any], slug: str) -> Any:
    return _service().update_badge(slug=slug, changes=body, **_as(caller))


@api.post("/admin/badges/<slug>/archive")
@endpoint(
    summary="Archive a console badge: no new awards; awards already made stay",
    body=ArchiveIn,
    response=AdminBadgeSchema,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_archive_badge(caller: Caller, body: dict[str, Any], slug: str) -> Any:
    return _service().archive_badge(slug=slug, archived=True, reason=body["reason"], **_as(caller))


@api.post("/admin/badges/<slug>/unarchive")
@endpoint(
    summary="Bring an archived console badge back",
    body=ArchiveIn,
    response=AdminBadgeSchema,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_unarchive_badge(caller: Caller, body: dict[str, Any], slug: str) -> Any:
    return _service().archive_badge(slug=slug, archived=False, reason=body["reason"], **_as(caller))


# -- manual awards -------------------------------------------------------------------------


@api.post("/admin/awards")
@endpoint(
    summary="Award points (negative: take away), a badge and/or a role, with a reason",
    body=AdminAwardIn,
    response=ActivityResultSchema,
    status=201,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_award(caller: Caller, body: dict[str, Any]) -> Any:
    return _service().award(user_id=body.pop("user_id"), **body, **_as(caller))


@api.post("/admin/revocations")
@endpoint(
    summary="Take a badge (one level or all) and/or a role away, with a reason",
    body=AdminRevokeIn,
    response=ActivityResultSchema,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_revoke(caller: Caller, body: dict[str, Any]) -> Any:
    return _service().revoke(user_id=body.pop("user_id"), **body, **_as(caller))


# -- roles ---------------------------------------------------------------------------------


@api.get("/admin/roles")
@endpoint(
    summary="Every role with its origin", response=AdminRoleSchema, many=True, allow=admin, tags=TAGS, errors=READ
)
def admin_roles(caller: Caller) -> Any:
    return _service().roles()


@api.post("/admin/roles")
@endpoint(
    summary="Make a console role with permissions from the known list",
    body=RoleIn,
    response=AdminRoleSchema,
    status=201,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_create_role(caller: Caller, body: dict[str, Any]) -> Any:
    return _service().create_role(data=body, **_as(caller))


@api.patch("/admin/roles/<slug>")
@endpoint(
    summary="Change a console role (code-defined roles are read-only)",
    body=RoleChangeIn,
    response=AdminRoleSchema,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_update_role(caller: Caller, body: dict[str, Any], slug: str) -> Any:
    return _service().update_role(slug=slug, changes=body, **_as(caller))


@api.post("/admin/roles/<slug>/grants")
@endpoint(
    summary="Grant a role to a member, with a reason",
    body=RoleGrantIn,
    response=ActivityResultSchema,
    status=201,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_grant_role(caller: Caller, body: dict[str, Any], slug: str) -> Any:
    return _service().award(user_id=body["user_id"], role=slug, reason=body["reason"], **_as(caller))


@api.post("/admin/roles/<slug>/revocations")
@endpoint(
    summary="Revoke a member's role, with a reason",
    body=RoleGrantIn,
    response=ActivityResultSchema,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_revoke_role(caller: Caller, body: dict[str, Any], slug: str) -> Any:
    return _service().revoke(user_id=body["user_id"], role=slug, reason=body["reason"], **_as(caller))


@api.get("/admin/permissions")
@endpoint(
    summary="The permissions a role may carry",
    response=PermissionSchema,
    many=True,
    allow=admin,
    tags=TAGS,
    errors=READ,
)
def admin_permissions(caller: Caller) -> Any:
    return [{"name": name, "description": text} for name, text in _service().permissions().items()]


# -- what is running -----------------------------------------------------------------------


@api.get("/admin/rules")
@endpoint(
    summary="The active rule set, with each rule's origin and what it awards",
    response=RuleSchema,
    many=True,
    allow=admin,
    tags=TAGS,
    errors=READ,
)
def admin_rules(caller: Caller) -> Any:
    return _service().rules()


@api.get("/admin/rules/versions")
@endpoint(
    summary="The rule set's stored versions, newest first, each with what it changed",
    response=RuleVersionSchema,
    many=True,
    allow=admin,
    tags=TAGS,
    errors=READ,
)
def admin_rule_versions(caller: Caller) -> Any:
    return _service().rule_versions()


@api.post("/admin/rules/previews")
@endpoint(
    summary="Preview a rule change (or a badge's backfill) against the whole history; nothing is written",
    body=RulePreviewIn,
    response=RulePreviewSchema,
    status=201,
    allow=admin,
    tags=TAGS,
    errors=WRITE,
)
def admin_preview_rules(caller: Caller, body: dict[str, Any]) -> Any:
    service = _service()
    if body["badge"] is not None:
        made = service.preview_badge_backfill(slug=body["badge"], **_as(caller))
    else:
        made = service.preview_rules(proposal=body["rules"], remove=body["remove"], **_as(caller))
    return service.rule_preview(made)


@api.get("/admin/rules/previews/<int:preview_id>")
@endpoint(
    summary="A stored rule-change preview: totals, then a page of the members affected",
    query=PreviewQuery,
    response=RulePreviewSchema,
    allow=admin,
    tags=TAGS,
    errors=(*READ, 404),
)
def admin_rule_preview(caller: Caller, query: dict[str, Any], preview_id: int) -> Any:
    return _service().rule_preview(preview_id, **query)


@api.post("/admin/rules/apply")
@endpoint(
    summary="Apply the rules in force to the whole history (or one badge's backfill), as a background job",
    body=RuleApplyIn,
    response=RuleApplyStartedSchema,
    status=202,
    allow=admin,
    tags=TAGS,
    errors=(*WRITE, 409),
)
def admin_apply_rules(caller: Caller, body: dict[str, Any]) -> Any:
    _service().apply_rules(**body, **_as(caller))
    return {"status": "started"}


@api.get("/admin/plugins")
@endpoint(
    summary="Registered plugins and the hooks each implements",
    response=PluginSchema,
    many=True,
    allow=admin,
    tags=TAGS,
    errors=READ,
)
def admin_plugins(caller: Caller) -> Any:
    return _service().plugins()


@api.get("/admin/hook-failures")
@endpoint(
    summary="Recent hook failures, newest first",
    query=FailureQuery,
    response=FailureSchema,
    many=True,
    allow=admin,
    tags=TAGS,
    errors=READ,
)
def admin_hook_failures(caller: Caller, query: dict[str, Any]) -> Any:
    return _service().hook_failures(**query)


# -- API tokens ----------------------------------------------------------------------------


@api.get("/admin/tokens")
@endpoint(
    summary="Every API token (never the token itself)",
    response=TokenSchema,
    many=True,
    allow=admin,
    tags=TAGS,
    errors=READ,
)
def admin_tokens(caller: Caller) -> Any:
    return gk_instance().tokens.list()


@api.post("/admin/tokens")
@endpoint(
    summary="Make an API token: the response shows it this once",
    body=TokenIn,
    response=TokenCreatedSchema,
    status=201,
    allow=admin_person,
    tags=TAGS,
    errors=WRITE,
)
def admin_create_token(caller: Caller, body: dict[str, Any]) -> Any:
    token, view = gk_instance().tokens.create(caller.user_id, body["name"], body["scopes"])
    return {**vars(view), "token": token}


@api.post("/admin/tokens/<guildkit_id:token_id>/revoke")
@endpoint(
    summary="Revoke an API token at once",
    body=ArchiveIn,
    response=TokenSchema,
    allow=admin_person,
    tags=TAGS,
    errors=WRITE,
)
def admin_revoke_token(caller: Caller, body: dict[str, Any], token_id: int) -> Any:
    return gk_instance().tokens.revoke(caller.user_id, token_id, reason=body["reason"])


# -- the audit log -------------------------------------------------------------------------


@api.get("/admin/audit")
@endpoint(
    summary="The audit log (console, moderation, tokens), newest first, filtered by area, actor, action and time",
    query=AuditQuery,
    response=AdminAuditSchema,
    many=True,
    allow=admin,
    tags=TAGS,
    errors=READ,
)
def admin_audit(caller: Caller, query: dict[str, Any]) -> Any:
    return _service().audit(**query)
