"""``Prefer: respond-async`` on ``POST /activities``, and how an activity accepted for later is
shown (``202`` and ``GET /activities/{key}``): see docs/ingest.md."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from guildkit.activity import Accepted

#: The RFC 7240 preference that asks for a 202 and a status URL instead of waiting.
RESPOND_ASYNC = "respond-async"


def preferences() -> set[str]:
    """The preference names of every ``Prefer`` header (``respond-async, wait=10``)."""
    return {
        item.split(";")[0].split("=")[0].strip().lower()
        for value in request.headers.getlist("Prefer")
        for item in value.split(",")
    }


def status_out(accepted: Accepted) -> dict[str, Any]:
    """An :class:`~guildkit.Accepted` as the API shows it, with the URL to ask again."""
    error = None
    if accepted.status == "failed":
        error = {"code": accepted.error_code or "guildkit_error", "detail": accepted.error or ""}
    return {
        "key": accepted.key,
        "status": accepted.status,
        "status_url": url_for(".activity_status", key=accepted.key, _external=True),
        "accepted_at": accepted.accepted_at,
        "result": accepted.result,
        "error": error,
    }
