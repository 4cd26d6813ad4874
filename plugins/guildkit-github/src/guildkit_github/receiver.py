"""The webhook receiver: ``POST <GUILDKIT_GITHUB_WEBHOOK_PATH>``, mounted only when a secret is set.

Each request goes through, in order: the body size limit (413), the signature over the raw
bytes (401), the ``X-GitHub-Event`` / ``X-GitHub-Delivery`` headers (400), the content type
(415), the JSON (400), then :func:`~guildkit_github.mapping.map_event`. The GitHub users of the
mapped activities are resolved to host users (a link row, else ``GUILDKIT_GITHUB_RESOLVE``), and
the activities are recorded in one guildkit transaction (``gk.record_many``, which also takes
the event's own time as ``occurred_at``) under keys that say what happened (the repository, the
number, the action and the event's time: :mod:`.mapping`), not which delivery said it. So a
redelivery, or the same event sent by a repository webhook and an organization webhook, is a
replay that awards nothing twice.

Errors are RFC 9457 problem documents, like guildkit's own API, and only on this route.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from guildkit import ActivityResult, GuildKit, IdempotencyConflict
from guildkit.web import problem as guildkit_problem

from . import accounts, signature
from .config import GitHubSettings, settings_of
from .mapping import GitHubUser, Ignored, Mapped, PayloadError, map_event, repository_of

log = logging.getLogger("guildkit_github")

EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
_EVENT = re.compile(r"^[a-z_]{1,64}$")
#: GitHub sends a GUID; anything of this shape keeps the activity key under guildkit's 191 chars.
_DELIVERY = re.compile(r"^[A-Za-z0-9-]{1,100}$")


def problem(status: int, detail: str, *, code: str, field: str | None = None) -> Response:
    """guildkit's problem document (RFC 9457), naming the header or field at fault."""
    return guildkit_problem(status, detail, code=code, errors={field: [detail]} if field else None)


class Rejected(Exception):
    """Answer with ``problem(status, detail, code=code, field=field)``."""

    def __init__(self, status: int, detail: str, *, code: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.response = problem(status, detail, code=code, field=field)


@dataclass(frozen=True)
class Resolved:
    """A mapped activity with host user ids, ready to record."""

    mapped: Mapped
    key: str
    actor: str
    target: str | None


def make_blueprint(settings: GitHubSettings) -> Blueprint:
    blueprint = Blueprint("guildkit_github", __name__)
    blueprint.add_url_rule(settings.webhook_path, "receive", receive, methods=["POST"])
    return blueprint


def _gk() -> GuildKit:
    return current_app.extensions["guildkit"].gk  # type: ignore[no-any-return]


def receive() -> Response | tuple[Response, int]:
    settings = settings_of(current_app)
    if settings is None or not settings.receiver_enabled:  # pragma: no cover - only mounted when enabled
        return problem(404, "the GitHub receiver is not configured", code="not_found")
    try:
        body = _read_body(settings.max_body_bytes)
        if not signature.verify(settings.secrets, body, request.headers.get(signature.HEADER)):
            missing = not request.headers.get(signature.HEADER)
            detail = f"missing {signature.HEADER} header" if missing else f"{signature.HEADER} does not match the body"
            raise Rejected(401, detail, code="bad_signature", field=signature.HEADER)
        event = _header(EVENT_HEADER, _EVENT)
        delivery = _header(DELIVERY_HEADER, _DELIVERY)
        payload = _json(body)
        if event == "ping":
            return jsonify({"pong": True, "delivery": delivery})
        return _handle(settings, event, delivery, payload)
    except Rejected as exc:
        return exc.response
    except PayloadError as exc:
        return problem(400, exc.message, code=exc.code, field=exc.field)


def _read_body(limit: int) -> bytes:
    too_large = Rejected(
        413, f"the body is larger than {limit} bytes (GUILDKIT_GITHUB_MAX_BODY_BYTES)", code="too_large"
    )
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise too_large
    return body


def _header(name: str, pattern: re.Pattern[str]) -> str:
    value = request.headers.get(name)
    if not value:
        raise Rejected(400, f"missing {name} header", code="missing_header", field=name)
    if not pattern.match(value):
        raise Rejected(400, f"malformed {name} header", code="bad_header", field=name)
    return value


def _json(body: bytes) -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise Rejected(
            415,
            "send JSON: set the webhook's content type to application/json in GitHub",
            code="unsupported_media_type",
            field="Content-Type",
        )
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Rejected(400, f"the body is not valid JSON: {exc}", code="bad_json", field="body") from None
    if not isinstance(payload, dict):
        raise Rejected(400, "the body must be a JSON object", code="bad_json", field="body")
    return payload


def _handle(
    settings: GitHubSettings, event: str, delivery: str, payload: dict[str, Any]
) -> Response | tuple[Response, int]:
    mapped = map_event(event, payload)
    if isinstance(mapped, Ignored):
        return jsonify({"delivery": delivery, "ignored": mapped.reason}), 202
    repo, private = repository_of(payload)
    if not settings.allows_repository(repo, private):
        why = "private repositories are not recorded" if private else "not in GUILDKIT_GITHUB_REPOSITORIES"
        return jsonify({"delivery": delivery, "ignored": f"{repo}: {why}"}), 202
    gk = _gk()
    with gk.store.engine.connect() as conn:
        known = accounts.find(conn, _github_ids(mapped))
    resolved, skipped = _resolve(settings, delivery, mapped, known)
    if not resolved:
        return jsonify({"delivery": delivery, "activities": [], "skipped": skipped}), 202
    seen = {user.id: user.login for item in mapped for user in (item.actor, item.target) if user is not None}
    if any(known[i].login != login for i, login in seen.items() if i in known):
        gk.transaction(lambda tx: accounts.refresh_logins(tx.conn, known, seen))
    try:
        results = _record(gk, resolved)
    except IdempotencyConflict as exc:
        # Recorded before (a redelivery, or another webhook's copy) with different links or
        # details: what was recorded then stands.
        log.info("GitHub delivery %s was already recorded with different content (%s)", delivery, exc.differences)
        answered = [
            {"key": r.key, "type": r.mapped.type, "duplicate": True, "conflict": exc.differences} for r in resolved
        ]
        return jsonify({"delivery": delivery, "activities": answered, "skipped": skipped})
    answered = [{"key": result.key, "type": result.type, "duplicate": result.duplicate} for result in results]
    return jsonify({"delivery": delivery, "activities": answered, "skipped": skipped})


def _github_ids(mapped: list[Mapped]) -> set[int]:
    return {user.id for item in mapped for user in (item.actor, item.target) if user is not None}


def _resolve(
    settings: GitHubSettings, delivery: str, mapped: list[Mapped], known: dict[int, accounts.Account]
) -> tuple[list[Resolved], list[dict[str, Any]]]:
    resolved: list[Resolved] = []
    skipped: list[dict[str, Any]] = []
    for item in mapped:
        actor = _user_id(settings, item.actor, known)
        if actor is None:
            reason = f"GitHub user {item.actor.login} (id {item.actor.id}) is not linked to a member"
            log.info("GitHub delivery %s: %s skipped: %s", delivery, item.type, reason)
            skipped.append({"type": item.type, "reason": reason})
            continue
        target = _user_id(settings, item.target, known) if item.target is not None else None
        if item.target is not None and target is None:
            log.info("GitHub delivery %s: %s recorded without its target %s", delivery, item.type, item.target.login)
        resolved.append(Resolved(item, item.key, actor, target))
    return resolved, skipped


def _user_id(settings: GitHubSettings, user: GitHubUser, known: dict[int, accounts.Account]) -> str | None:
    account = known.get(user.id)
    if account is not None:
        return account.user_id
    if settings.resolve is None:
        return None
    try:
        found = settings.resolve(user.as_dict())
    except Exception:
        log.exception("GUILDKIT_GITHUB_RESOLVE raised for GitHub user %s", user.login)
        raise Rejected(500, "the host could not resolve a GitHub user", code="resolve_failed") from None
    if found is None:
        return None
    if isinstance(found, bool) or not isinstance(found, str | int) or not 0 < len(str(found)) <= 191:
        log.error("GUILDKIT_GITHUB_RESOLVE returned %r for GitHub user %s", found, user.login)
        raise Rejected(500, "the host resolved a GitHub user to an invalid user id", code="resolve_failed")
    return str(found)


def _record(gk: GuildKit, resolved: list[Resolved]) -> list[ActivityResult]:
    """All of a delivery's activities in one transaction (``record_many``: all or none)."""
    return gk.record_many(
        {
            "type": item.mapped.type,
            "key": item.key,
            "actor": item.actor,
            "target": item.target,
            "subject": item.mapped.subject,
            "payload": item.mapped.payload,
            "occurred_at": item.mapped.occurred_at,
        }
        for item in resolved
    )
