"""What the host reports (an :class:`ActivityInput`, validated) and what rules see of it
(an :class:`ActivityView`, with member ids resolved), plus the result of recording one."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal, TypedDict

from guildkit.errors import ValidationError
from guildkit.text import MAX_INT, check_json, check_text

TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,99}$")
MAX_PAYLOAD_BYTES = 64 * 1024
#: How far ahead of guildkit's clock an ``occurred_at`` may be (the host's clock may run ahead).
FUTURE_TOLERANCE = timedelta(hours=1)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def user_ref(value: object, field_name: str = "user_id") -> str:
    """A host user id as guildkit stores it: ``str`` (1-191 characters of storable one-line text)
    or ``int`` (not ``bool``, within a database's 64-bit integers)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(
            f"{field_name} must be a user id (str or int), got {type(value).__name__}", field=field_name
        )
    if isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
        raise ValidationError(f"{field_name} is too large a number for a user id", field=field_name)
    return check_text(str(value), field_name, one_line=True)


def _optional_user(value: object, field_name: str) -> str | None:
    return None if value is None else user_ref(value, field_name)


def check_moment(value: object, field_name: str, now: datetime) -> datetime:
    """A timezone-aware moment from 1970 to a little after now: history can be imported, the
    future cannot be recorded. "Now" is the later of guildkit's clock (``now``, which tests and
    scripts may set) and the real time, plus an hour for hosts whose clocks run ahead."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(f"{field_name} must be a timezone-aware datetime", field=field_name)
    if value > max(now, datetime.now(UTC)) + FUTURE_TOLERANCE:
        raise ValidationError(f"{field_name} is in the future ({value.isoformat()})", field=field_name)
    if value < EARLIEST:
        raise ValidationError(f"{field_name} is before 1970 ({value.isoformat()})", field=field_name)
    return value


class ActivityFields(TypedDict, total=False):
    """What an activity may carry besides its type and key (``gk.record(type, key=..., **fields)``)."""

    actor: str | int | None
    target: str | int | None
    subject: str | None
    payload: Mapping[str, Any] | None
    occurred_at: datetime | None


@dataclass(frozen=True)
class ActivityInput:
    """A validated activity, before it touches the database."""

    type: str
    key: str
    actor: str | None
    target: str | None
    subject: str | None
    payload: Mapping[str, Any]
    occurred_at: datetime
    fingerprint: str

    @classmethod
    def build(
        cls,
        type: str,
        *,
        key: str,
        actor: str | int | None = None,
        target: str | int | None = None,
        subject: str | None = None,
        payload: Mapping[str, Any] | None = None,
        occurred_at: datetime | None = None,
        now: datetime,
    ) -> ActivityInput:
        if not isinstance(type, str) or not TYPE_RE.match(type):
            raise ValidationError(
                "type must be 1-100 chars of a-z, 0-9, '_', '.', ':' or '-', e.g. 'answer.upvoted'",
                field="type",
            )
        check_text(key, "key", one_line=True)
        actor_ref = _optional_user(actor, "actor")
        target_ref = _optional_user(target, "target")
        if actor_ref is None and target_ref is None:
            raise ValidationError("an activity needs an actor or a target", field="actor")
        if subject is not None:
            check_text(subject, "subject", one_line=True)
        if payload is None:
            payload = {}
        if not isinstance(payload, Mapping):
            raise ValidationError("payload must be a JSON object", field="payload")
        check_json(payload, "payload")
        payload_json = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        if len(payload_json) > MAX_PAYLOAD_BYTES:
            raise ValidationError(f"payload is larger than {MAX_PAYLOAD_BYTES} bytes", field="payload")
        occurred_at = now if occurred_at is None else check_moment(occurred_at, "occurred_at", now)
        # occurred_at is left out on purpose: a redelivery stamped later is still the same event.
        content = json.dumps([type, actor_ref, target_ref, subject, payload_json])
        return cls(
            type=type,
            key=key,
            actor=actor_ref,
            target=target_ref,
            subject=subject,
            payload=dict(payload),
            occurred_at=occurred_at,
            fingerprint=hashlib.sha256(content.encode()).hexdigest(),
        )

    def content(self) -> dict[str, Any]:
        """The fields that make two deliveries of one key the same activity (or a conflict)."""
        return {
            "type": self.type,
            "actor": self.actor,
            "target": self.target,
            "subject": self.subject,
            "payload": dict(self.payload),
        }

    def stored_fields(self) -> dict[str, Any]:
        """What a table keeping the activity stores of it: key, content, time and fingerprint."""
        return {"key": self.key, **self.content(), "occurred_at": self.occurred_at, "fingerprint": self.fingerprint}

    def differences(self, stored: Mapping[str, Any]) -> list[str]:
        """Which fields differ from a stored activity with the same key."""
        return [name for name, value in self.content().items() if stored.get(name) != value]


@dataclass(frozen=True)
class ActivityView:
    """An activity as rules and hooks see it: stored, with member ids resolved."""

    id: int
    key: str
    type: str
    actor_id: int | None
    target_id: int | None
    actor_user_id: str | None
    target_user_id: str | None
    subject: str | None
    payload: Mapping[str, Any]
    occurred_at: datetime
    day_ordinal: int

    @staticmethod
    def day_of(moment: datetime, zone: tzinfo) -> int:
        return moment.astimezone(zone).date().toordinal()

    @property
    def week_ordinal(self) -> int:
        """The week of ``day_ordinal``, counted from Monday (day ordinal 1, 0001-01-01, is a Monday)."""
        return (self.day_ordinal - 1) // 7

    def member(self, role: str) -> int | None:
        return self.actor_id if role == "actor" else self.target_id

    def user(self, role: str) -> str | None:
        return self.actor_user_id if role == "actor" else self.target_user_id


@dataclass(frozen=True)
class PointsChange:
    user_id: str
    point_type: str
    amount: int
    balance: int
    rule: str
    reason: str


@dataclass(frozen=True)
class BadgeChange:
    user_id: str
    badge: str
    level: int
    rule: str
    granted: bool = True


@dataclass(frozen=True)
class RoleChange:
    user_id: str
    role: str
    rule: str
    granted: bool = True


@dataclass(frozen=True)
class ActivityResult:
    """What recording (or retracting) one activity did.

    ``duplicate`` is true when the key had been seen before: the result then describes what the
    first delivery did, and nothing changed this time.
    """

    key: str
    activity_id: int
    type: str
    duplicate: bool = False
    retracted: bool = False
    points: tuple[PointsChange, ...] = field(default_factory=tuple)
    badges: tuple[BadgeChange, ...] = field(default_factory=tuple)
    roles: tuple[RoleChange, ...] = field(default_factory=tuple)

    def points_for(self, user_id: str | int, point_type: str | None = None) -> int:
        """Net points this activity gave ``user_id`` (of ``point_type``, or of every type)."""
        return sum(
            p.amount
            for p in self.points
            if p.user_id == str(user_id) and (point_type is None or p.point_type == point_type)
        )


#: Where an activity accepted for later (``gk.record(..., wait=False)``) stands.
AcceptedStatus = Literal["pending", "recorded", "failed"]


@dataclass(frozen=True)
class Accepted:
    """An activity stored to be recorded later (``gk.record(..., wait=False)``), and where it stands.

    ``pending``: stored durably, not recorded yet. ``recorded``: ``result`` is what recording it
    did (the :class:`ActivityResult` a synchronous call returns). ``failed``: recording it raised
    a guildkit error, named by ``error_code`` and described by ``error``; it will not be tried
    again on its own.
    """

    key: str
    status: AcceptedStatus
    accepted_at: datetime | None = None
    result: ActivityResult | None = None
    error_code: str | None = None
    error: str | None = None

    @property
    def pending(self) -> bool:
        return self.status == "pending"


#: The keys of one activity in ``record_many``: :meth:`GuildKit.record`'s arguments.
ACTIVITY_FIELDS = {"type", "key", "actor", "target", "subject", "payload", "occurred_at"}


def inputs_from(raws: list[Any], offset: int, now: datetime) -> list[ActivityInput]:
    """Validated activities from ``record_many``'s mappings; errors name the index in the batch."""
    items = []
    for index, raw in enumerate(raws, offset):
        if not isinstance(raw, Mapping):
            raise ValidationError(f"activities[{index}] must be a mapping", field=f"activities[{index}]")
        unknown = set(raw) - ACTIVITY_FIELDS
        if unknown:
            raise ValidationError(
                f"activities[{index}] has unknown fields {sorted(unknown)}", field=f"activities[{index}]"
            )
        if "type" not in raw or "key" not in raw:
            raise ValidationError(f"activities[{index}] needs 'type' and 'key'", field=f"activities[{index}]")
        try:
            items.append(ActivityInput.build(**raw, now=now))
        except ValidationError as exc:
            raise ValidationError(
                f"activities[{index}]: {exc.message}", field=f"activities[{index}].{exc.field}"
            ) from exc
    return items
