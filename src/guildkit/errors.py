"""guildkit's error tree.

Every error guildkit raises on purpose derives from :class:`GuildKitError`. Where a builtin fits
the meaning, the subclass inherits it too, so ``except LookupError`` in host code keeps working.
Each error carries the context a caller needs (the field, the key, the slug) as attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

# Flask-Babel itself, not guildkit.i18n (which builds on these errors): outside a request it
# says the English source.
from flask_babel import gettext


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
    """An argument is malformed. ``field`` names it; ``errors`` maps fields to messages.

    A check that looks at several fields reports every bad one at once: ``errors`` then names
    each (``{"title": [...], "timezone": [...]}``), ``field`` is the first of them and ``message``
    joins their messages (see :class:`FieldErrors`).
    """

    code = "validation_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
        **context: Any,
    ) -> None:
        if errors and field is None:
            field = next(iter(errors))
        super().__init__(message, field=field, **context)
        self.field = field
        self.errors: dict[str, list[str]] = {field: [message]} if field else {}
        if errors:
            self.errors = {name: list(messages) for name, messages in errors.items()}


class FieldErrors:
    """Collects the problems of several fields, so that one :class:`ValidationError` names them all.

    .. code-block:: python

        found = FieldErrors()
        checked = found.check_all({"title": lambda: check_text(title, "title"), ...})
        if "starts_at" in checked and "ends_at" in checked and checked["ends_at"] <= checked["starts_at"]:
            found.add("ends_at", "the event must end after it starts")
        found.raise_if_any()

    A check that depends on other fields runs only once they passed, so a member is never told
    about a consequence of a mistake they are already being told about.
    """

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __contains__(self, field: object) -> bool:
        return field in self.errors

    def add(self, field: str, message: str) -> None:
        messages = self.errors.setdefault(field, [])
        if message not in messages:
            messages.append(message)

    def add_error(self, exc: ValidationError, field: str | None = None) -> None:
        """Every field ``exc`` names; one that names none is filed under ``field`` (the check's)."""
        for name, messages in (exc.errors or {field or exc.field or "_schema": [exc.message]}).items():
            for message in messages:
                self.add(name, message)

    def check_all(self, checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
        """Run every check, in order; the results of those that passed, by name."""
        passed: dict[str, Any] = {}
        for name, check in checks.items():
            try:
                passed[name] = check()
            except ValidationError as exc:
                self.add_error(exc, name)
        return passed

    def error(self) -> ValidationError:
        """One :class:`ValidationError` carrying every field's messages."""
        return ValidationError("; ".join(m for messages in self.errors.values() for m in messages), errors=self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise self.error()


def check_fields(checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every field's check and return their results by name; if any refused, raise one
    :class:`ValidationError` naming every field that did."""
    found = FieldErrors()
    passed = found.check_all(checks)
    found.raise_if_any()
    return passed


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


class AsyncUnavailable(ConfigurationError):
    """``gk.record(..., wait=False)`` needs a plugin that accepts activities for later (the
    ``guildkit.ingest`` feature), and none is registered."""

    code = "async_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "recording with wait=False needs the guildkit.ingest feature, which is switched off "
            "(GUILDKIT_PLUGINS_DENY): record with wait=True, or switch it back on"
        )


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


class PrivacyHookFailed(PluginError):
    """A plugin failed while exporting or erasing a member: the export or the erasure did not
    happen (an erasure is one transaction, rolled back whole). ``plugin`` names the plugin."""

    code = "privacy_hook_failed"

    def __init__(self, hook: str, plugin: str, error: str) -> None:
        super().__init__(f"plugin {plugin!r} failed in {hook}: {error}", hook=hook, plugin=plugin, error=error)
        self.hook = hook
        self.plugin = plugin
        self.error = error


class NotAllowed(GuildKitError, PermissionError):
    """This person may not do this (not a party, not an organizer, not eligible)."""

    code = "not_allowed"


class MemberInactive(NotAllowed):
    """A suspended or banned member tried to take part."""

    code = "member_inactive"

    def __init__(self, user_id: str, status: str) -> None:
        said = {
            "suspended": gettext("member %(user)s is suspended and cannot take part", user=repr(user_id)),
            "banned": gettext("member %(user)s is banned and cannot take part", user=repr(user_id)),
            "deleted": gettext("member %(user)s is deleted and cannot take part", user=repr(user_id)),
        }.get(status) or gettext("member %(user)s is not active and cannot take part", user=repr(user_id))
        super().__init__(said, user_id=user_id, status=status)
        self.user_id = user_id
        self.status = status


class InvalidTransition(GuildKitError, ValueError):
    """A state change that is not allowed from the current state (accepting a declined request).

    The message is made of its parts ("cannot accept a request that is declined"), in English;
    give ``message`` to say it as one sentence in the reader's language (``gettext``)."""

    code = "invalid_transition"

    def __init__(self, what: str, state: str, action: str, *, message: str | None = None) -> None:
        said = message or f"cannot {action} a {what} that is {state}"
        super().__init__(said, what=what, state=state, action=action)
        self.state = state
        self.action = action


class CapacityReached(GuildKitError, ValueError):
    """No room left: a mentor at capacity."""

    code = "capacity_reached"


class Conflict(GuildKitError, ValueError):
    """What was asked conflicts with what is stored (answered twice, a state that does not allow it)."""


class ActivityCompacted(Conflict):
    """The activity was compacted by the retention policy (docs/retention.md): its payload is gone,
    so what it gave can no longer be undone exactly, and it cannot be retracted."""

    code = "activity_compacted"

    def __init__(self, key: str, compacted_at: Any) -> None:
        super().__init__(
            f"activity {key!r} was compacted by the retention policy on {compacted_at:%Y-%m-%d}: "
            "it can no longer be retracted",
            key=key,
            compacted_at=compacted_at,
        )
        self.key = key
        self.compacted_at = compacted_at


class RuleVersionNotInForce(Conflict):
    """An apply named a rule-set version that is not the one this process runs (or none at all):
    history can only be brought to the rules in force. Nothing was changed."""

    code = "rule_version_not_in_force"

    def __init__(self, version: int, in_force: int | None, *, exists: bool) -> None:
        what = "is not the rule set in force" if exists else "does not exist"
        super().__init__(f"rule version {version} {what} (in force: {in_force})", version=version, in_force=in_force)
        self.version = version
        self.in_force = in_force


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


class UnknownToken(NotFound):
    """No API token with this id."""

    code = "unknown_token"

    def __init__(self, token_id: int) -> None:
        super().__init__(f"no token with id {token_id!r}", token_id=token_id)
        self.token_id = token_id
