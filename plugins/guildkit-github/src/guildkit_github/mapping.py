"""From a GitHub webhook (event name + JSON payload) to the guildkit activities it stands for.

Pure functions, no database: :func:`map_event` returns the :class:`Mapped` activities (with the
GitHub users still to be resolved to host users) or an :class:`Ignored` saying why nothing maps.
A payload missing a field the mapping needs raises :class:`PayloadError` naming the field.

* ``pull_request`` closed with ``merged: true`` -> ``github.pull_request.merged``: actor the PR's author.
* ``pull_request_review`` submitted -> ``github.review.submitted``: actor the reviewer, target the PR's author.
* ``issues`` opened -> ``github.issue.opened``: actor the issue's author.
* ``issues`` closed -> ``github.issue.closed``: actor the ``sender`` who closed it, target the issue's author.
* ``release`` published -> ``github.release.published``: actor the release's author.

Each activity's idempotency key says what happened, not how it was delivered: the repository's
id, the pull request / issue number (or the review / release id), the action and the event's
own time (``merged_at``, ``submitted_at``, ``created_at``, ``closed_at``, ``published_at``).
So one merge announced by a repository webhook *and* an organization webhook, or redelivered,
is one activity, while an issue closed, reopened and closed again later is two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from guildkit import ValidationError

PULL_REQUEST_MERGED = "github.pull_request.merged"
REVIEW_SUBMITTED = "github.review.submitted"
ISSUE_OPENED = "github.issue.opened"
ISSUE_CLOSED = "github.issue.closed"
RELEASE_PUBLISHED = "github.release.published"

#: ``(event, action) -> activity type``: what the receiver maps (``pull_request`` also needs merged).
MAPPED_ACTIONS: dict[tuple[str, str], str] = {
    ("pull_request", "closed"): PULL_REQUEST_MERGED,
    ("pull_request_review", "submitted"): REVIEW_SUBMITTED,
    ("issues", "opened"): ISSUE_OPENED,
    ("issues", "closed"): ISSUE_CLOSED,
    ("release", "published"): RELEASE_PUBLISHED,
}
ACTIVITY_TYPES = tuple(MAPPED_ACTIONS.values())

MAX_SUBJECT = 191
MAX_TITLE = 300


class PayloadError(ValidationError):
    """A signed payload lacks a field its event needs; ``field`` is its dotted path."""

    code = "invalid_payload"


@dataclass(frozen=True)
class GitHubUser:
    """A GitHub account as webhooks show it. ``id`` is stable; ``login`` can change."""

    id: int
    login: str
    type: str = "User"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "login": self.login, "type": self.type}


@dataclass(frozen=True)
class Mapped:
    """One activity a delivery stands for, before its GitHub users are resolved to host users."""

    type: str
    #: The idempotency key: what happened (see the module's docstring), never the delivery id.
    key: str
    actor: GitHubUser
    subject: str
    payload: dict[str, Any]
    occurred_at: datetime
    target: GitHubUser | None = None
    #: The repository, for the allow list.
    repository: str = field(default="", compare=False)


@dataclass(frozen=True)
class Ignored:
    """Nothing to record, and why (shown in the 202 answer)."""

    reason: str


_KIND_NAMES = {int: "an integer", str: "a string", dict: "an object"}


def _get(data: Mapping[str, Any], name: str, path: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wanted = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
        raise PayloadError(f"payload field {path} must be {wanted}", field=path)
    return value


def _object(data: Mapping[str, Any], name: str, path: str) -> Mapping[str, Any]:
    return _get(data, name, path, dict)  # type: ignore[no-any-return]


def _user(data: Mapping[str, Any], name: str, path: str) -> GitHubUser:
    user = _object(data, name, path)
    return GitHubUser(
        id=_get(user, "id", f"{path}.id", int),
        login=_get(user, "login", f"{path}.login", str),
        type=str(user.get("type") or "User"),
    )


def _optional_user(data: Mapping[str, Any], name: str, path: str) -> GitHubUser | None:
    return None if data.get(name) is None else _user(data, name, path)


def _time(data: Mapping[str, Any], name: str, path: str) -> datetime:
    """GitHub's ISO 8601 timestamps (``2019-05-15T15:20:33Z``): the event's own time, part of its key."""
    wrong = PayloadError(f"payload field {path} must be an ISO 8601 timestamp", field=path)
    value = data.get(name)
    if not isinstance(value, str):
        raise wrong
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise wrong from None
    if moment.tzinfo is None:
        raise PayloadError(f"payload field {path} must carry a time zone", field=path)
    return moment


def _title(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value[:MAX_TITLE] if isinstance(value, str) else ""


def _key(repo_id: int, what: str, action: str, moment: datetime) -> str:
    """``github:<repository id>:<what>:<action>@<UTC time>``, e.g.
    ``github:1296269:pr#1347:merged@2026-01-04T10:15:00Z``. The repository's id, not its name,
    which a rename or a transfer changes."""
    return f"github:{repo_id}:{what}:{action}@{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def _repository_id(payload: Mapping[str, Any]) -> int:
    repo_id: int = _get(_object(payload, "repository", "repository"), "id", "repository.id", int)
    return repo_id


def _subject(repo: str, suffix: str, fallback: str) -> str:
    subject = f"github:{repo}{suffix}"
    return subject if len(subject) <= MAX_SUBJECT else fallback


def repository_of(payload: Mapping[str, Any]) -> tuple[str, bool]:
    """``(full_name, private)`` of the delivery's repository."""
    repo = _object(payload, "repository", "repository")
    return _get(repo, "full_name", "repository.full_name", str), repo.get("private") is True


def map_event(event: str, payload: Mapping[str, Any]) -> list[Mapped] | Ignored:
    """The activities ``event`` with ``payload`` stands for (see the module's table)."""
    action = payload.get("action")
    if not isinstance(action, str):
        return Ignored(f"{event}: not mapped (no action)")
    if (event, action) not in MAPPED_ACTIONS:
        return Ignored(f"{event}.{action}: not mapped")
    repo, _ = repository_of(payload)
    if event == "pull_request":
        return _pull_request_merged(payload, repo)
    if event == "pull_request_review":
        return [_review_submitted(payload, repo)]
    if event == "issues":
        return [_issue(payload, repo, action)]
    return [_release_published(payload, repo)]


def _pull_request_merged(payload: Mapping[str, Any], repo: str) -> list[Mapped] | Ignored:
    pr = _object(payload, "pull_request", "pull_request")
    if pr.get("merged") is not True:
        return Ignored("pull_request.closed: closed without merging")
    number = _get(pr, "number", "pull_request.number", int)
    merged_by = _optional_user(pr, "merged_by", "pull_request.merged_by")
    merged_at = _time(pr, "merged_at", "pull_request.merged_at")
    return [
        Mapped(
            PULL_REQUEST_MERGED,
            key=_key(_repository_id(payload), f"pr#{number}", "merged", merged_at),
            actor=_user(pr, "user", "pull_request.user"),
            subject=_subject(repo, f"#{number}", f"github:pr:{pr.get('id')}"),
            payload={
                "repo": repo,
                "number": number,
                "title": _title(pr, "title"),
                "url": str(pr.get("html_url") or ""),
                "merged_by": merged_by.login if merged_by else None,
            },
            occurred_at=merged_at,
            repository=repo,
        )
    ]


def _review_submitted(payload: Mapping[str, Any], repo: str) -> Mapped:
    review = _object(payload, "review", "review")
    pr = _object(payload, "pull_request", "pull_request")
    number = _get(pr, "number", "pull_request.number", int)
    # Webhooks spell states in lower case ("approved"); the REST API in upper case.
    state = _get(review, "state", "review.state", str).lower()
    review_id = _get(review, "id", "review.id", int)
    submitted_at = _time(review, "submitted_at", "review.submitted_at")
    return Mapped(
        REVIEW_SUBMITTED,
        key=_key(_repository_id(payload), f"pr#{number}:review:{review_id}", "submitted", submitted_at),
        actor=_user(review, "user", "review.user"),
        target=_user(pr, "user", "pull_request.user"),
        subject=_subject(repo, f"#{number}", f"github:pr:{pr.get('id')}"),
        payload={
            "repo": repo,
            "number": number,
            "title": _title(pr, "title"),
            "url": str(review.get("html_url") or ""),
            "state": state,
            "review_id": review_id,
        },
        occurred_at=submitted_at,
        repository=repo,
    )


def _issue(payload: Mapping[str, Any], repo: str, action: str) -> Mapped:
    issue = _object(payload, "issue", "issue")
    number = _get(issue, "number", "issue.number", int)
    author = _user(issue, "user", "issue.user")
    details: dict[str, Any] = {
        "repo": repo,
        "number": number,
        "title": _title(issue, "title"),
        "url": str(issue.get("html_url") or ""),
    }
    subject = _subject(repo, f"#{number}", f"github:issue:{issue.get('id')}")
    repo_id = _repository_id(payload)
    if action == "opened":
        created_at = _time(issue, "created_at", "issue.created_at")
        return Mapped(
            ISSUE_OPENED,
            key=_key(repo_id, f"issue#{number}", "opened", created_at),
            actor=author,
            subject=subject,
            payload=details,
            occurred_at=created_at,
            repository=repo,
        )
    details["state_reason"] = issue.get("state_reason") if isinstance(issue.get("state_reason"), str) else None
    # Closed, reopened and closed again: a new closed_at, so a new activity.
    closed_at = _time(issue, "closed_at", "issue.closed_at")
    return Mapped(
        ISSUE_CLOSED,
        key=_key(repo_id, f"issue#{number}", "closed", closed_at),
        actor=_user(payload, "sender", "sender"),
        target=author,
        subject=subject,
        payload=details,
        occurred_at=closed_at,
        repository=repo,
    )


def _release_published(payload: Mapping[str, Any], repo: str) -> Mapped:
    release = _object(payload, "release", "release")
    tag = _get(release, "tag_name", "release.tag_name", str)
    release_id = _get(release, "id", "release.id", int)
    published_at = _time(release, "published_at", "release.published_at")
    return Mapped(
        RELEASE_PUBLISHED,
        key=_key(_repository_id(payload), f"release:{release_id}", "published", published_at),
        actor=_user(release, "author", "release.author"),
        subject=_subject(repo, f"@{tag}", f"github:release:{release_id}"),
        payload={
            "repo": repo,
            "tag": tag[:MAX_TITLE],
            "name": _title(release, "name"),
            "url": str(release.get("html_url") or ""),
            "prerelease": release.get("prerelease") is True,
        },
        occurred_at=published_at,
        repository=repo,
    )
