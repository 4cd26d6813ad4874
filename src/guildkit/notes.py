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

A notification's text is stored once, for members who read different languages, so what it
says is also kept as a :class:`Said` in its ``data["said"]``: the message as written and its
values, said again in each reader's language when shown (:func:`text_of`): words through the
catalogue, numbers, days and moments as the reader's locale writes them, a moment in the reader's
time zone. guildkit's own notifications are made here (:func:`earned`, :func:`taken_back`,
:func:`became`, :func:`reached`, :func:`now_status`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from markupsafe import Markup

from guildkit import i18n
from guildkit.definitions import TIER_NAMES, BadgeDef, Text, source
from guildkit.i18n import N_, translated

#: Where a notification's data keeps what it says (:class:`Said`).
SAID = "said"


#: What a :class:`Said` may name: words and names (text), numbers, days and moments.
Value = str | int | date | datetime


@dataclass(frozen=True)
class Said:
    """What a notification says, kept so that each reader reads it in their language.

    ``message`` is marked for translation with :func:`~guildkit.i18n.N_` and names its values
    (``N_("You are now trust level %(level)s: %(name)s")``). The values named in ``words`` are
    words a catalogue may translate (a level's name, as written); the others are shown as they
    are (a person's name, a title), numbers in the reader's locale. A :class:`~datetime.date`
    reads as the reader's locale writes a day ("May 5, 2026", "05.05.2026"); a
    :class:`~datetime.datetime` (UTC when naive, as guildkit stores it) as a moment in the
    reader's locale and time zone ("Tue, May 5, 2026, 4:00 PM"). An id is text (``str(id)``),
    so it never reads as "1,234".

    .. code-block:: python

        tx.tell(member_id, "event.organizer",
                Said(N_("You are now an organizer of %(event)s."), {"event": title}), event_id=event_id)
        tx.tell(member_id, "moderation.mute",
                Said(N_("You are muted until %(until)s: %(reason)s"), {"until": until, "reason": reason}))
    """

    message: str
    values: Mapping[str, Value] = field(default_factory=dict)
    words: tuple[str, ...] = ()

    @property
    def written(self) -> str:
        """As written in the code (what the notification's ``text`` stores): days and moments in
        ISO form, a moment in UTC ("2026-05-05 14:00 UTC")."""
        return self.message % {name: _as_written(value) for name, value in self.values.items()}

    def text(self) -> str:
        """In the reader's language."""
        values = {name: self._said(name, value) for name, value in self.values.items()}
        try:
            return i18n.gettext(self.message) % values
        except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
            return self.written

    def _said(self, name: str, value: Value) -> str | int:
        if isinstance(value, datetime):
            return i18n.format_datetime(value, i18n.weekday_pattern(i18n.current_locale()))
        if isinstance(value, date):
            return i18n.format_date(value)
        if isinstance(value, str) and name in self.words:
            return translated(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return i18n.format_number(value)
        return value

    def as_data(self) -> dict[str, Any]:
        """As JSON: days and moments in ISO form (a moment in UTC), their names under ``dates``."""
        dates = [name for name, value in self.values.items() if isinstance(value, date)]
        values = {name: i18n.iso(value) if isinstance(value, date) else value for name, value in self.values.items()}
        data = {"message": self.message, "values": values, "words": list(self.words)}
        return {**data, "dates": dates} if dates else data

    @classmethod
    def of(cls, data: object) -> Said | None:
        """The :class:`Said` a notification's data keeps, if it keeps a well-formed one."""
        said = data.get(SAID) if isinstance(data, Mapping) else None
        if not isinstance(said, Mapping) or not isinstance(said.get("message"), str):
            return None
        values, words, dates = said.get("values") or {}, said.get("words") or [], said.get("dates") or []
        if not isinstance(values, Mapping) or not isinstance(words, list) or not isinstance(dates, list):
            return None
        kept = {str(name): _from_iso(value) if name in dates else value for name, value in values.items()}
        return cls(said["message"], kept, tuple(str(w) for w in words))


def _aware(value: datetime) -> datetime:
    """guildkit stores UTC; SQLite hands it back naive."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _from_iso(value: Any) -> Any:
    """A stored day or moment back from its ISO form (``"2026-05-05"``, ``"2026-05-05T14:00:00Z"``);
    anything else as it is."""
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value) if len(value) == len("2026-05-05") else datetime.fromisoformat(value)
    except ValueError:
        return value


def _as_written(value: Value) -> str | int:
    if isinstance(value, datetime):
        return f"{_aware(value).astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if isinstance(value, date):
        return value.isoformat()
    return value


def stored(text: str | Said, data: Mapping[str, object]) -> tuple[str, dict[str, object]]:
    """A notification's ``text`` and ``data`` as stored: a :class:`Said` as written, kept in the data."""
    if isinstance(text, Said):
        return text.written, {**data, SAID: text.as_data()}
    return text, dict(data)


def text_of(note: Note) -> str:
    """What a notification says, in the reader's language when it kept its :class:`Said`; its
    stored text when what it kept does not fit its message (data a plugin wrote by hand)."""
    said = Said.of(note.data)
    if said is None:
        return str(note.text)
    try:
        return said.text()
    except (KeyError, TypeError, ValueError):
        return str(note.text)


# -- what guildkit's core tells members ----------------------------------------------------


def _badge(definition: BadgeDef, level: int, message: str, tiered: str, **values: str) -> Said:
    """``message`` naming the badge level, or ``tiered`` naming its tier and badge ("Gold Answerer")."""
    levels = definition.levels
    named = levels[level - 1].name if 0 < level <= len(levels) else None
    if named or len(levels) == 1 or not 0 < level <= len(levels):
        name = named or definition.name
        return Said(message, {"badge": source(name), **values}, ("badge",))
    tier = levels[level - 1].tier
    return Said(
        tiered,
        {"tier": source(TIER_NAMES.get(tier, tier)), "badge": source(definition.name), **values},
        ("tier", "badge"),
    )


def earned(definition: BadgeDef, level: int) -> Said:
    return _badge(definition, level, N_("You earned %(badge)s"), N_("You earned %(tier)s %(badge)s"))


def taken_back(definition: BadgeDef | None, badge: str, level: int, reason: str) -> Said:
    if definition is None:
        return Said(N_("%(badge)s was taken back: %(reason)s"), {"badge": badge, "reason": reason})
    return _badge(definition, level, N_("%(badge)s was taken back: %(reason)s"),
                  N_("%(tier)s %(badge)s was taken back: %(reason)s"), reason=reason)  # fmt: skip


def became(role: Text) -> Said:
    return Said(N_("You are now %(role)s"), {"role": source(role)}, ("role",))


def reached(names: Sequence[Text], level: int) -> Said:
    """A new level of a point type's scale, by its name (``names``), else its number."""
    if names and 0 < level <= len(names):
        return Said(N_("You reached %(level)s"), {"level": source(names[level - 1])}, ("level",))
    return Said(N_("You reached Level %(number)s"), {"number": level})


#: What a member is told when their membership's status changes: ``(with a reason, without)``.
STATUS_TOLD = {
    "active": (N_("Your membership is now active: %(reason)s"), N_("Your membership is now active.")),
    "suspended": (N_("Your membership is now suspended: %(reason)s"), N_("Your membership is now suspended.")),
    "banned": (N_("Your membership is now banned: %(reason)s"), N_("Your membership is now banned.")),
}


def now_status(status: str, reason: str) -> Said:
    """A new status of the member's membership, and why when there is a reason: a reason
    guildkit wrote (``N_("the suspension ended")``) is read in the reader's language, a person's
    as they wrote it."""
    told = STATUS_TOLD.get(status)
    if told is None:  # a status without words of its own: named as it is
        message = (
            N_("Your membership is now %(status)s: %(reason)s") if reason else N_("Your membership is now %(status)s.")
        )
        return Said(message, {"status": status, "reason": reason} if reason else {"status": status}, ("reason",))
    return Said(told[0], {"reason": reason}, ("reason",)) if reason else Said(told[1])


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
        """The line in words: the headline, or the newest notification's, in the reader's language."""
        return self.headline or text_of(self.newest)


def _data(note: Note) -> Mapping[str, Any]:
    data = note.data
    return data if isinstance(data, Mapping) else {}


def subject_of(note: Note) -> str | None:
    """The notification's subject, when it has one that can group (text, not empty)."""
    subject = _data(note).get("subject")
    return subject if isinstance(subject, str) and subject else None


def group(notes: Iterable[Note], many: Mapping[str, Text | None] | None = None) -> list[Entry]:
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
            people = len(entry.actors) or entry.count
            headline = str(phrase).format(count=i18n.format_number(entry.count), people=i18n.format_number(people))
            entry = replace(entry, headline=headline)
        entries.append(entry)
    return entries


#: Stands for the sentence while the count's words are translated (no catalogue writes it).
_SENTENCE = "\x00"


def others_too(sentence: str, others: int) -> str:
    """What the newest of several people did (``sentence``, said of them alone) and how many
    others did it too, as one sentence with the count: "Dan attended *Caching joins*, and 2 others
    did too". Not "Dan and 2 others attended …": an activity's sentence is written for one person,
    and in German its verb would stay singular for several ("… und 2 weitere Personen hat …").
    A :class:`~markupsafe.Markup` sentence comes back as markup, the translation escaped."""
    frame = i18n.ngettext(
        "%(sentence)s, and %(count)s other did too",
        "%(sentence)s, and %(count)s others did too",
        others,
        sentence=_SENTENCE,
        count=i18n.format_number(others),
    )
    if isinstance(sentence, Markup):
        return Markup.escape(frame).replace(_SENTENCE, sentence)
    return frame.replace(_SENTENCE, sentence)
