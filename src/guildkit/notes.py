"""Collapsing a list of notifications: unread ones of one kind about one subject become one entry.

Used by the community's notifications page and by the notifications feature's digest emails.

"Bob upvoted your answer", "Cat upvoted your answer", "Dan upvoted your answer", all unread and
all about ``answer:384``, read better as one line: "3 people upvoted your answer". A pure
function over what a page or a digest already loaded, so it costs no query:

* only **unread** notifications collapse, and only with others of the same ``kind`` whose
  ``data["subject"]`` is the same (a notification without a subject stands alone);
* a read notification is always its own entry: the member has seen it, and a line that grew
  after they read it would hide that something new happened;
* entries keep the order of the list given (newest first, as pages list them): each sits where
  its newest notification was.

How an entry reads is for the template: one notification reads as its text, several as the
kind's ``many`` phrase when it declares one (``"{people} people upvoted your answer"``:
``{count}`` notifications, from ``{people}`` distinct ``data["actor"]`` values, or as many as
there are notifications when they name none), which :func:`group` fills in as
:attr:`Entry.headline`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol


class Note(Protocol):
    """What grouping reads of a notification (a ``guildkit.models.Notification`` has it all)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def read_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Entry:
    """One line of the list: one notification, or unread ones about one subject."""

    kind: str
    #: The subject they share (``"answer:384"``), or ``None`` for a notification standing alone.
    subject: str | None
    #: Newest first, as given.
    notes: tuple[Any, ...]
    #: The kind's ``many`` phrase for these (``None``: one notification, or no phrase declared).
    headline: str | None = None

    @property
    def newest(self) -> Any:
        return self.notes[0]

    @property
    def count(self) -> int:
        return len(self.notes)

    @property
    def unread(self) -> bool:
        return any(note.read_at is None for note in self.notes)

    @property
    def actors(self) -> tuple[str, ...]:
        """The distinct ``data["actor"]`` of its notifications, newest first (who did it)."""
        seen: dict[str, None] = {}
        for note in self.notes:
            actor = _data(note).get("actor")
            if isinstance(actor, str | int) and not isinstance(actor, bool):
                seen.setdefault(str(actor), None)
        return tuple(seen)

    @property
    def text(self) -> str:
        """The line in words: the headline, or the newest notification's text."""
        return self.headline or str(self.newest.text)


def _data(note: Note) -> Mapping[str, Any]:
    data = note.data
    return data if isinstance(data, Mapping) else {}


def subject_of(note: Note) -> str | None:
    """The notification's subject, when it has one that can group (text, not empty)."""
    subject = _data(note).get("subject")
    return subject if isinstance(subject, str) and subject else None


def group(notes: Iterable[Note], many: Mapping[str, str | None] | None = None) -> list[Entry]:
    """The entries ``notes`` collapse into, in their order; ``many``: each kind's phrase for several."""
    order: list[tuple[str, str] | int] = []
    collected: dict[tuple[str, str] | int, list[Note]] = {}
    for position, note in enumerate(notes):
        subject = subject_of(note)
        key: tuple[str, str] | int = (note.kind, subject) if note.read_at is None and subject else position
        if key not in collected:
            order.append(key)
            collected[key] = []
        collected[key].append(note)
    phrases = many or {}
    entries = []
    for key in order:
        found: Sequence[Note] = collected[key]
        first = found[0]
        entry = Entry(first.kind, key[1] if isinstance(key, tuple) else subject_of(first), tuple(found))
        phrase = phrases.get(first.kind) if entry.count > 1 else None
        if phrase:
            entry = replace(entry, headline=phrase.format(count=entry.count, people=len(entry.actors) or entry.count))
        entries.append(entry)
    return entries
