"""The words moderation pages show for its internal names: one mapping, used by every template.

Cases, reports, sanctions, mediations and appeals store short names (``dismiss``, ``open``,
``revoke_badge``); members and moderators read :data:`WORDS` instead, through the
``gk_moderation`` template filter (``{{ case.status|gk_moderation("state") }}``). A name the
mapping lacks (a host's own category, say) is made readable, never shown raw. The raw names
appear only in a case's collapsed "Details for developers".

:func:`ago` says how long ago something was ("3 months ago"); :func:`kind_of` names what a
subject key points at ("answer:42" → "Answer") without echoing a key that is not a plain word.
"""

from __future__ import annotations

import re
from datetime import datetime

from guildkit.words import readable

#: Words for each internal name, by what the name is.
WORDS: dict[str, dict[str, str]] = {
    # What a moderator can do with a case: the buttons of the case page.
    "action": {
        "dismiss": "Dismiss the report",
        "warn": "Warn the member",
        "mute": "Mute the member",
        "suspend": "Suspend the member",
        "ban": "Ban the member",
        "revoke_badge": "Take back the badge",
        "retract": "Undo the activity",
        "mediate": "Settle it in a mediation",
    },
    # What was done, as a moderator, the member or the public log reads it afterwards.
    "done": {
        "dismiss": "Dismissed: no action",
        "warn": "Warning",
        "mute": "Mute",
        "suspend": "Suspension",
        "ban": "Ban",
        "revoke_badge": "Badge taken back",
        "retract": "Activity undone",
        "mediate": "Settled in a mediation",
    },
    # Where a case, mediation or appeal stands.
    "state": {
        "open": "Open",
        "resolved": "Resolved",
        "agreed": "Agreed",
        "abandoned": "Closed without an agreement",
        "pending": "Waiting for a decision",
        "upheld": "Upheld: the action stands",
        "overturned": "Overturned: the action was lifted",
    },
    # Why a member reported something: the report form's choices and the case page.
    "category": {
        "spam": "Spam",
        "harassment": "Harassment",
        "off-topic": "Off-topic",
        "other": "Something else",
    },
    # What each reason covers, under its choice on the report form.
    "category_hint": {
        "spam": "Advertising, or the same thing posted again and again.",
        "harassment": "Insults, threats or abuse aimed at a person.",
        "off-topic": "It does not belong in this community.",
        "other": "Tell the moderators in the comment.",
    },
    # A member's account status.
    "status": {
        "active": "Active",
        "suspended": "Suspended",
        "banned": "Banned",
    },
    # Who someone is in a mediation.
    "role": {
        "respondent": "the reported member",
        "party": "the other party",
        "mediator": "the mediator",
    },
    # An appeal's decision, as the moderator picks it.
    "decision": {
        "uphold": "Uphold: the action stands",
        "overturn": "Overturn: lift it",
    },
    # What just happened, after a form was sent (the ``done`` of the redirect).
    "after": {
        "assign": "The case is assigned to you.",
        "notes": "Your note is added.",
        "resolve": "The case is resolved.",
        "mediation": "The mediation has started.",
        "started": "The mediation has started. Both parties are told.",
        "statements": "Your statement is added.",
        "agree": "The agreement is recorded and the case is resolved.",
        "abandon": "The mediation is closed; the case is back in the queue.",
        "decided": "The appeal is decided and the member is told.",
        "appealed": "Your appeal was sent. Another moderator will decide it.",
    },
}

#: How long each choice of the mute/suspend period is, in hours, with its words.
PERIODS: tuple[tuple[int, str], ...] = (
    (1, "1 hour"),
    (8, "8 hours"),
    (24, "1 day"),
    (72, "3 days"),
    (168, "1 week"),
    (336, "2 weeks"),
    (720, "30 days"),
    (2160, "90 days"),
    (8760, "1 year"),
)

_PLAIN_KIND = re.compile(r"[A-Za-z][A-Za-z0-9 _.\-]{0,39}")


def word(name: str | None, kind: str) -> str:
    """The words for ``name`` (a ``kind`` in :data:`WORDS`); a name nobody described made readable."""
    if not name:
        return ""
    found = WORDS.get(kind, {}).get(name)
    return found if found is not None else readable(name)


def kind_of(key: str | None) -> str:
    """What a subject key points at, in a word: ``"answer:42"`` → ``"Answer"``; ``"Content"`` when
    the key has no plain kind (so a hostile or garbled key is never echoed)."""
    prefix = key.split(":", 1)[0] if key and ":" in key else ""
    if not _PLAIN_KIND.fullmatch(prefix):
        return "Content"
    return readable(prefix)


def a_kind(key: str | None) -> str:
    """The kind with its article, in running text: ``"an answer"``, ``"a post"``, ``"content"``."""
    kind = kind_of(key).lower()
    if kind == "content":
        return "content"
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def ago(then: datetime | None, now: datetime) -> str:
    """How long before ``now`` ``then`` was, roughly: "just now", "5 days ago", "3 months ago"."""
    if then is None:
        return ""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    for size, unit in ((365 * 86400, "year"), (30 * 86400, "month"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"
