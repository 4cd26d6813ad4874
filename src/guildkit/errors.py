"""guildkit's error tree.

Every error guildkit raises on purpose derives from :class:`GuildKitError`. Where a builtin fits
the meaning, the subclass inherits it too, so ``except LookupError`` in host code keeps working.
Each error carries the context a caller needs (the field, the key, the slug) as attributes.
"""

from __future__ import annotations

from typing import Any


class GuildKitError(Exception):
    """Base class of every error guildkit raises on purpose."""

    #: A stable, machine-readable code (used in JSON error bodies).
    code = "guildkit_error"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return self.message


class ConfigurationError(GuildKitError, RuntimeError):
    """guildkit is set up wrongly: registered twice, missing a database, bad config value."""

    code = "configuration_error"


class HostTransactionOpen(ConfigurationError):
    """On SQLite, the host's ``db.session`` holds the write lock guildkit needs."""

    code = "host_transaction_open"

    def __init__(self) -> None:
        super().__init__(
            "the host's db.session has uncommitted writes, and SQLite allows one writer at a "
            "time: commit (or roll back) before calling guildkit, which writes on its own "
            "connection so that it never commits your work for you"
        )


class ValidationError(GuildKitError, ValueError):
    """An argument is malformed. ``field`` names it; ``errors`` maps fields to messages."""

    code = "validation_error"

    def __init__(self, message: str, *, field: str | None = None, **context: Any) -> None:
        super().__init__(message, field=field, **context)
        self.field = field
        self.errors: dict[str, list[str]] = {field: [message]} if field else {}


class IdempotencyConflict(GuildKitError, ValueError):
    """The same idempotency key was sent again with different content."""

    code = "idempotency_conflict"

    def __init__(self, key: str, differences: list[str]) -> None:
        super().__init__(
            f"activity key {key!r} was already used for different content (differs in: {', '.join(differences)})",
            key=key,
            differences=differences,
        )
        self.key = key
        self.differences = differences


class NotFound(GuildKitError, LookupError):
    """Base class for lookups that found nothing."""

    code = "not_found"


class UnknownMember(NotFound):
    code = "unknown_member"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"no member for user id {user_id!r}", user_id=user_id)
        self.user_id = user_id


class UnknownActivity(NotFound):
    code = "unknown_activity"

    def __init__(self, key: str) -> None:
        super().__init__(f"no activity with key {key!r}", key=key)
        self.key = key


class UnknownBadge(NotFound):
    code = "unknown_badge"

    def __init__(self, slug: str) -> None:
        super().__init__(f"no badge with slug {slug!r}", slug=slug)
        self.slug = slug


class UnknownPointType(NotFound):
    code = "unknown_point_type"

    def __init__(self, slug: str) -> None:
        super().__init__(f"no point type {slug!r}", slug=slug)
        self.slug = slug


class UnknownRole(NotFound):
    code = "unknown_role"

    def __init__(self, slug: str) -> None:
        super().__init__(f"no role {slug!r}", slug=slug)
        self.slug = slug


class DuplicateDefinition(ConfigurationError):
    """Two plugins registered a point type, badge, role or rule under the same name."""

    code = "duplicate_definition"

    def __init__(self, kind: str, name: str, first: str, second: str) -> None:
        super().__init__(
            f"{kind} {name!r} is registered twice (by {first} and by {second})",
            kind=kind,
            name=name,
        )


class RuleFileError(ConfigurationError):
    """A declarative rule file could not be read; ``path`` and ``where`` locate the problem."""

    code = "rule_file_error"

    def __init__(self, path: str, where: str, problem: str) -> None:
        super().__init__(f"{path}: {where}: {problem}", path=path, where=where)
        self.path = path
        self.where = where


class AlreadyRetracted(GuildKitError, ValueError):
    code = "already_retracted"

    def __init__(self, key: str) -> None:
        super().__init__(f"activity {key!r} was already retracted", key=key)
        self.key = key


class PluginError(GuildKitError):
    """A plugin misbehaved in a way guildkit cannot absorb (for example a bad registration)."""

    code = "plugin_error"


class NotAllowed(GuildKitError, PermissionError):
    """This person may not do this (not a party, not an organizer, not eligible)."""

    code = "not_allowed"


class MemberInactive(NotAllowed):
    """A suspended or banned member tried to take part."""

    code = "member_inactive"

    def __init__(self, user_id: str, status: str) -> None:
        super().__init__(f"member {user_id!r} is {status} and cannot take part", user_id=user_id, status=status)
        self.user_id = user_id
        self.status = status


class InvalidTransition(GuildKitError, ValueError):
    """A state change that is not allowed from the current state (accepting a declined request)."""

    code = "invalid_transition"

    def __init__(self, what: str, state: str, action: str) -> None:
        super().__init__(f"cannot {action} a {what} that is {state}", what=what, state=state, action=action)
        self.state = state
        self.action = action


class CapacityReached(GuildKitError, ValueError):
    """No room left: a mentor at capacity."""

    code = "capacity_reached"


class RateLimited(GuildKitError):
    """An actor reported more activities than ``GUILDKIT_RATE_LIMITS`` allows; retry after ``retry_after`` s."""

    code = "rate_limited"

    def __init__(self, user_id: str, scope: str, limit: str, retry_after: int) -> None:
        what = "activities" if scope == "*" else f"{scope!r} activities"
        super().__init__(
            f"member {user_id!r} reported more {what} than the limit of {limit}; retry in {retry_after} s",
            user_id=user_id,
            scope=scope,
            limit=limit,
            retry_after=retry_after,
        )
        self.user_id = user_id
        self.scope = scope
        self.retry_after = retry_after


class UnknownGuidelines(NotFound):
    """No published guidelines with this version."""

    code = "unknown_guidelines"

    def __init__(self, version: int) -> None:
        super().__init__(f"no guidelines with version {version!r}", version=version)
        self.version = version


class UnknownMentorship(NotFound):
    code = "unknown_mentorship"

    def __init__(self, mentorship_id: int) -> None:
        super().__init__(f"no mentorship with id {mentorship_id!r}", mentorship_id=mentorship_id)
        self.mentorship_id = mentorship_id


class UnknownMentor(NotFound):
    """No mentor profile (or one that is not open to new mentees) for this user."""

    code = "unknown_mentor"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id!r} does not offer mentoring", user_id=user_id)
        self.user_id = user_id


class UnknownEvent(NotFound):
    code = "unknown_event"

    def __init__(self, event_id: int) -> None:
        super().__init__(f"no event with id {event_id!r}", event_id=event_id)
        self.event_id = event_id


class UnknownCase(NotFound):
    """No moderation case with this id."""

    code = "unknown_case"

    def __init__(self, case_id: int) -> None:
        super().__init__(f"no moderation case with id {case_id!r}", case_id=case_id)
        self.case_id = case_id


class UnknownMediation(NotFound):
    """No mediation with this id."""

    code = "unknown_mediation"

    def __init__(self, mediation_id: int) -> None:
        super().__init__(f"no mediation with id {mediation_id!r}", mediation_id=mediation_id)
        self.mediation_id = mediation_id


class UnknownAppeal(NotFound):
    """No appeal with this id."""

    code = "unknown_appeal"

    def __init__(self, appeal_id: int) -> None:
        super().__init__(f"no appeal with id {appeal_id!r}", appeal_id=appeal_id)
        self.appeal_id = appeal_id


class UnknownSurvey(NotFound):
    """No satisfaction survey with this id (HTTP 404)."""

    code = "unknown_survey"

    def __init__(self, survey_id: int) -> None:
        super().__init__(f"no survey with id {survey_id!r}", survey_id=survey_id)
        self.survey_id = survey_id


class AlreadyAnswered(GuildKitError, ValueError):
    """The member already answered this survey: one response each (HTTP 409)."""

    code = "already_answered"

    def __init__(self, survey_id: int, user_id: str) -> None:
        message = f"member {user_id!r} already answered survey {survey_id}"
        super().__init__(message, survey_id=survey_id, user_id=user_id)
        self.survey_id = survey_id
        self.user_id = user_id


class UnknownToken(NotFound):
    """No API token with this id (the admin console's token list)."""

    code = "unknown_token"

    def __init__(self, token_id: int) -> None:
        super().__init__(f"no API token with id {token_id!r}", token_id=token_id)
        self.token_id = token_id
