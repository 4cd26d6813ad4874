"""The blueprint: issuer profile, achievements, credential downloads, status list, verification.

Mounted by ``guildkit_init_app`` at ``GUILDKIT_OPENBADGES_URL_PREFIX``. Errors are RFC 9457
problem documents (``application/problem+json``) from this blueprint only, so the host's own
error pages stay as they are.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, jsonify, request
from guildkit import NotFound, UnknownBadge

from .issuer import openbadges
from .schema import OB_CONTEXT, VC_V2_CONTEXT

blueprint = Blueprint("guildkit_openbadges", __name__)
MAX_VERIFY_BYTES = 256 * 1024


class Problem(Exception):
    def __init__(self, status: int, detail: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors or {}


@blueprint.errorhandler(Problem)
def _problem(exc: Problem) -> Response:
    code = HTTPStatus(exc.status).phrase.lower().replace(" ", "_")
    body = {
        "type": f"urn:guildkit:problem:{code}",
        "title": HTTPStatus(exc.status).phrase,
        "status": exc.status,
        "code": code,
        "detail": exc.detail,
        "errors": exc.errors,
    }
    response = jsonify(body)
    response.status_code = exc.status
    response.mimetype = "application/problem+json"
    return response


@blueprint.errorhandler(UnknownBadge)
@blueprint.errorhandler(NotFound)
def _not_found(exc: Exception) -> Response:
    return _problem(Problem(404, str(exc)))


def _json(document: dict[str, Any], mimetype: str = "application/json") -> Response:
    response = jsonify(document)
    response.mimetype = mimetype
    return response


@blueprint.get("/issuer")
def issuer() -> Response:
    """The community's issuer Profile (public: no member data)."""
    profile = dict(openbadges().profile())
    return _json({"@context": openbadges_context(), **profile}, "application/ld+json")


@blueprint.get("/achievements/<slug>/<int:level>")
def achievement(slug: str, level: int) -> Response:
    """One badge level as an Achievement (secret badges only once someone holds them)."""
    return _json({"@context": openbadges_context(), **openbadges().achievement(slug, level)}, "application/ld+json")


@blueprint.get("/credentials/<int:award_id>")
def credential(award_id: int) -> Response:
    """The signed VC-JWT of one award: for the member who holds it, or an admin."""
    ob = openbadges()
    viewer = ob.gk.current_user_id()
    if viewer is None:
        raise Problem(401, "sign in to download your Open Badge")
    try:
        award, holder = ob.award(award_id)
    except NotFound:
        # The same answer for "not yours" and "no such award" would hide which ids exist, but
        # a 404 for an admin is still useful; non-admins get 403 either way.
        if ob.gk.has_permission(viewer, "admin"):
            raise
        raise Problem(403, "this badge award is not yours") from None
    if viewer != holder and not ob.gk.has_permission(viewer, "admin"):
        raise Problem(403, "this badge award is not yours")
    response = Response(ob.jwt(award, holder), mimetype="application/vc+jwt")
    filename = f"{award.badge_slug}-level-{award.level}-{award.id}.jwt"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.get("/status/1")
def status_list() -> Response:
    """The revocation status list, a signed BitstringStatusListCredential (VC-JWT)."""
    response = Response(openbadges().status_list_jwt(), mimetype="application/vc+jwt")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@blueprint.post("/verify")
def verify() -> Response:
    """Verify a credential (body: the VC-JWT text, or a JSON credential)."""
    if (request.content_length or 0) > MAX_VERIFY_BYTES:
        raise Problem(413, f"a credential is at most {MAX_VERIFY_BYTES} bytes", {"body": ["too large"]})
    try:
        text = request.get_data(cache=False, as_text=False)[: MAX_VERIFY_BYTES + 1].decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "the body must be UTF-8 text", {"body": ["not UTF-8"]}) from None
    if len(text) > MAX_VERIFY_BYTES:
        raise Problem(413, f"a credential is at most {MAX_VERIFY_BYTES} bytes", {"body": ["too large"]})
    if not text.strip():
        raise Problem(400, "send the credential (a VC-JWT or JSON) as the request body", {"body": ["empty"]})
    return _json(openbadges().verify(text).as_json())


def openbadges_context() -> list[str]:
    return [VC_V2_CONTEXT, OB_CONTEXT]
