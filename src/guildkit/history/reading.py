"""The import's first pass: read the source once, check every line, spool the good ones.

Each line is one JSON object: an activity (``record()``'s fields, ``occurred_at`` required) or a
member's totals (``member`` with ``counts``, ``received`` and/or ``points``), which becomes an
activity of type ``guildkit.opening`` (:mod:`guildkit.builtin.opening`). A line is checked as
``record()`` checks an activity, and more: its type must be one the rules count (or named in
``types``), and its key must not be used with other content, earlier in the file or in the
stored history (looked up a thousand keys at a time). A line already stored is a duplicate and
is not spooled, so a second run, or one resumed after a crash, skips it at the cost of a lookup.
Nothing is written to the database here.

The good lines go to a spool file (the validated fields and fingerprint, one JSON array a line)
that the second pass (:mod:`.importing`) reads back, so any source, a generator too, is read
once and memory holds a batch of lines and one fingerprint per distinct key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from guildkit.activity import ACTIVITY_FIELDS, ActivityInput
from guildkit.builtin.manual import AWARD, REVOKE, STATUS, award_payload, revoke_payload
from guildkit.builtin.opening import check_opening
from guildkit.errors import GuildKitError, ValidationError
from guildkit.history.errors import Problem
from guildkit.metrics import OPENING
from guildkit.models import MEMBER_STATUSES
from guildkit.pipeline import SELECT_KNOWN
from guildkit.registry import Registry

#: Bad lines described in full (in an error, or in the summary without a reject file).
MAX_PROBLEMS = 100
#: Keys looked up in the stored history at a time.
LOOKUP_BATCH = 1000
#: guildkit's own activity types an import may hold besides those the rules count.
OWN_TYPES = frozenset({AWARD, REVOKE, STATUS, OPENING, "guildkit.joined"})
#: The fields of a totals line.
TOTALS_FIELDS = frozenset({"member", "key", "occurred_at", "counts", "received", "points"})

Source = str | os.PathLike[str] | Iterable[Mapping[str, Any] | str]


@dataclass(frozen=True)
class Progress:
    """How far an import is: ``phase`` ``check`` (``unit`` bytes of a file, or lines of another
    source, ``total`` unknown) or ``import`` (``unit`` activities, ``total`` known)."""

    phase: str
    done: int
    total: int | None
    unit: str


@dataclass
class Checked:
    """What the first pass found."""

    lines: int = 0
    good: int = 0
    #: Lines whose key and content are stored already, or an earlier line had: nothing to import twice.
    duplicates: int = 0
    rejected: int = 0


def known_types(registry: Registry, extra: Iterable[str]) -> frozenset[str]:
    """Activity types an import accepts: those a rule or metric listens to, guildkit's own, ``extra``."""
    heard = {t for t in (*registry.rules_by_trigger, *registry.metrics_by_trigger) if not t.startswith("points:")}
    return frozenset(heard | OWN_TYPES | set(extra))


def _lines(source: Source) -> Iterator[tuple[int, str | Mapping[str, Any], int]]:
    """(line number, line, bytes read so far) of a file path, or of any iterable of lines or mappings."""
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as file:
            done = 0
            for number, raw in enumerate(file, 1):
                done += len(raw)
                try:
                    yield number, raw.decode("utf-8"), done
                except UnicodeDecodeError:
                    yield number, "\ufffd", done  # refused as bad JSON, with its line number
        return
    for number, item in enumerate(source, 1):
        yield number, item, number


def _moment(value: object) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                f"bad timestamp {value!r}: use ISO 8601 with a time zone (2021-03-04T05:06:07Z)", field="occurred_at"
            ) from None
    else:
        raise ValidationError(f"bad timestamp {value!r}: use an ISO 8601 string", field="occurred_at")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(f"bad timestamp {value!r}: it has no time zone (add Z or +00:00)", field="occurred_at")
    return moment


def _as_activity(data: Mapping[str, Any]) -> dict[str, Any]:
    """A totals line as the ``guildkit.opening`` activity it is stored as; an activity as is."""
    if "type" in data or "member" not in data:
        return dict(data)
    unknown = set(data) - TOTALS_FIELDS
    if unknown:
        raise ValidationError(f"unknown field {sorted(unknown)[0]!r} in a totals line", field=sorted(unknown)[0])
    payload = {part: data[part] for part in ("counts", "received", "points") if part in data}
    fields = {"type": OPENING, "actor": data["member"], "target": data["member"], "payload": payload}
    return fields | {name: data[name] for name in ("key", "occurred_at") if name in data}


class Checker:
    """Checks lines, one at a time, against the rules and what came before them."""

    def __init__(self, registry: Registry, types: frozenset[str], now: datetime) -> None:
        self.registry = registry
        self.types = types
        self.now = now
        #: key -> (fingerprint, line) of every good line so far.
        self.seen: dict[str, tuple[str, int]] = {}

    def parse(self, line: str | Mapping[str, Any]) -> ActivityInput:
        """The activity one line holds; a :class:`ValidationError` names the field that is wrong."""
        if isinstance(line, str):
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"bad JSON: {exc.msg} (column {exc.colno})", field="json") from None
        else:
            data = line
        if not isinstance(data, Mapping):
            raise ValidationError("a line must be a JSON object", field="json")
        fields = _as_activity(data)
        unknown = set(fields) - ACTIVITY_FIELDS
        if unknown:
            raise ValidationError(f"unknown field {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
        for name in ("type", "key", "occurred_at"):
            if fields.get(name) is None:
                raise ValidationError(f"missing field {name!r}", field=name)
        fields["occurred_at"] = _moment(fields["occurred_at"])
        if fields["type"] == OPENING and fields.get("target") is None:
            fields["target"] = fields.get("actor")  # an opening's member is its actor and its target
        item = ActivityInput.build(**fields, now=self.now)
        if item.type not in self.types:
            raise ValidationError(
                f"unknown activity type {item.type!r}: no rule counts it (name it in types=/--type to import it)",
                field="type",
            )
        self._check_payload(item)
        return item

    def _check_payload(self, item: ActivityInput) -> None:
        """guildkit's own types carry payloads its rules read: refuse what they would misread."""
        payload = item.payload
        try:
            if item.type == OPENING:
                check_opening(self.registry, payload)
                for part in ("counts", "received"):
                    for name in payload.get(part, {}):
                        if name not in self.types:
                            raise ValidationError(f"unknown activity type {name!r}", field=f"payload.{part}.{name}")
            elif item.type in (AWARD, REVOKE):
                what = {k: v for k, v in payload.items() if k not in ("reason",)}
                if item.type == AWARD:
                    award_payload(self.registry, payload.get("reason", ""), **what)
                else:
                    revoke_payload(self.registry, payload.get("reason", ""), what.get("badge"), what.get("level"),
                                   what.get("role"))  # fmt: skip
            elif item.type == STATUS and payload.get("status") not in MEMBER_STATUSES:
                raise ValidationError(f"status must be one of {', '.join(MEMBER_STATUSES)}", field="payload.status")
        except ValidationError as exc:
            field = exc.field or "payload"
            raise ValidationError(
                exc.message, field=field if field.startswith("payload") else f"payload.{field}"
            ) from None
        except GuildKitError as exc:  # an unknown point type, badge or role
            raise ValidationError(exc.message, field="payload") from None

    def same_key(self, item: ActivityInput, line: int) -> bool:
        """True when an earlier line had this key and content; an error when it had other content."""
        earlier = self.seen.get(item.key)
        if earlier is None:
            self.seen[item.key] = (item.fingerprint, line)
            return False
        if earlier[0] != item.fingerprint:
            raise ValidationError(f"key {item.key!r} is used on line {earlier[1]} for other content", field="key")
        return True


def stored_lookup(conn: sa.Connection, items: list[tuple[int, ActivityInput]]) -> tuple[dict[int, str], set[int]]:
    """Lines whose key is stored with other content (with what differs), and lines already stored."""
    if not items:
        return {}, set()
    known = {row.key: row for row in conn.execute(SELECT_KNOWN, {"keys": [i.key for _, i in items]})}
    conflicts: dict[int, str] = {}
    stored: set[int] = set()
    for line, item in items:
        row = known.get(item.key)
        if row is None:
            continue
        if row.fingerprint == item.fingerprint:
            stored.add(line)
            continue
        fields = {"type": row.type, "actor": row.actor, "target": row.target, "subject": row.subject}
        differs = ", ".join(item.differences(fields | {"payload": row.payload})) or "content"
        conflicts[line] = f"key {item.key!r} is already stored with other content (differs in: {differs})"
    return conflicts, stored


def spool_line(line: int, item: ActivityInput) -> str:
    fields = [line, item.type, item.key, item.actor, item.target, item.subject, item.payload]
    return json.dumps([*fields, item.occurred_at.isoformat(), item.fingerprint], separators=(",", ":")) + "\n"


def unspool(text: str) -> tuple[int, ActivityInput]:
    line, type_, key, actor, target, subject, payload, occurred_at, fingerprint = json.loads(text)
    when = datetime.fromisoformat(occurred_at)
    return line, ActivityInput(type_, key, actor, target, subject, payload, when, fingerprint)


def check(
    conn: sa.Connection,
    checker: Checker,
    source: Source,
    spool: IO[str],
    reject: Callable[[int, list[Problem], str | Mapping[str, Any]], None],
    progress: Callable[[Progress], None] | None,
) -> Checked:
    """Read ``source``, write its good lines to ``spool`` and hand each bad one to ``reject``."""
    counts = Checked()
    unit = "bytes" if isinstance(source, str | os.PathLike) else "lines"
    total = os.path.getsize(source) if isinstance(source, str | os.PathLike) else None
    batch: list[tuple[int, ActivityInput, str | Mapping[str, Any]]] = []

    def flush() -> None:
        conflicts, stored = stored_lookup(conn, [(line, item) for line, item, _ in batch])
        for line, item, raw in batch:
            if line in conflicts:
                del checker.seen[item.key]
                counts.rejected += 1
                reject(line, [Problem(line, "key", conflicts[line])], raw)
            elif line in stored:  # imported before (a second run, or one resumed after a crash)
                counts.duplicates += 1
            else:
                counts.good += 1
                spool.write(spool_line(line, item))
        batch.clear()

    done = 0
    for line, raw, done in _lines(source):
        counts.lines += 1
        if isinstance(raw, str) and not raw.strip():
            continue  # blank lines (a trailing newline) are nothing
        try:
            item = checker.parse(raw)
            if checker.same_key(item, line):
                counts.duplicates += 1
                continue
        except ValidationError as exc:
            counts.rejected += 1
            reject(line, [Problem(line, exc.field or "line", exc.message)], raw)
            continue
        batch.append((line, item, raw))
        if len(batch) >= LOOKUP_BATCH:
            flush()
            if progress is not None:
                progress(Progress("check", done, total, unit))
    flush()
    if progress is not None:
        progress(Progress("check", done, total, unit))
    return counts
