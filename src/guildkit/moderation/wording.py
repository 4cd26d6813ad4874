"""The words moderation pages show for its internal names: one mapping, used by every template.

Cases, reports, sanctions, mediations and appeals store short names (``dismiss``, ``open``,
``revoke_badge``); members and moderators read :data:`WORDS` instead, through the
``gk_moderation`` template filter (``{{ case.status|gk_moderation("state") }}``). A name the
mapping lacks (a host's own category, say) is made readable, never shown raw. The raw names
appear only in a case's collapsed "Details for developers". The words are lazy: each is put in
the reader's language when a page shows it.

:func:`kind_of` names what a subject key points at ("answer:42" → "Answer") without echoing a key
that is not a plain word.
"""

from __future__ import annotations

import re

from guildkit.i18n import gettext as _
from guildkit.i18n import lazy_gettext, lazy_ngettext
from guildkit.words import readable

#: Words for each internal name, by what the name is.
WORDS = {
    # What a moderator can do with a case: the buttons of the case page.
    "action": {
        "dismiss": lazy_gettext("Dismiss the report"),
        "warn": lazy_gettext("Warn the member"),
        "mute": lazy_gettext("Mute the member"),
        "suspend": lazy_gettext("Suspend the member"),
        "ban": lazy_gettext("Ban the member"),
        "revoke_badge": lazy_gettext("Take back the badge"),
        "retract": lazy_gettext("Undo the activity"),
        "mediate": lazy_gettext("Settle it in a mediation"),
    },
    # What was done, as a moderator, the member or the public log reads it afterwards.
    "done": {
        "dismiss": lazy_gettext("Dismissed: no action"),
        "warn": lazy_gettext("Warning"),
        "mute": lazy_gettext("Mute"),
        "suspend": lazy_gettext("Suspension"),
        "ban": lazy_gettext("Ban"),
        "revoke_badge": lazy_gettext("Badge taken back"),
        "retract": lazy_gettext("Activity undone"),
        "mediate": lazy_gettext("Settled in a mediation"),
    },
    # The label of the form that appeals a sanction, on the member's own page.
    "appeal": {
        "warn": lazy_gettext("Appeal this warning"),
        "mute": lazy_gettext("Appeal this mute"),
        "suspend": lazy_gettext("Appeal this suspension"),
        "ban": lazy_gettext("Appeal this ban"),
    },
    # Where a case, mediation or appeal stands.
    "state": {
        "open": lazy_gettext("Open"),
        "resolved": lazy_gettext("Resolved"),
        "agreed": lazy_gettext("Agreed"),
        "abandoned": lazy_gettext("Closed without an agreement"),
        "pending": lazy_gettext("Waiting for a decision"),
        "upheld": lazy_gettext("Upheld: the action stands"),
        "overturned": lazy_gettext("Overturned: the action was lifted"),
    },
    # Why a member reported something: the report form's choices and the case page.
    "category": {
        "spam": lazy_gettext("Spam"),
        "harassment": lazy_gettext("Harassment"),
        "off-topic": lazy_gettext("Off-topic"),
        "other": lazy_gettext("Something else"),
    },
    # What each reason covers, under its choice on the report form.
    "category_hint": {
        "spam": lazy_gettext("Advertising, or the same thing posted again and again."),
        "harassment": lazy_gettext("Insults, threats or abuse aimed at a person."),
        "off-topic": lazy_gettext("It does not belong in this community."),
        "other": lazy_gettext("Tell the moderators in the comment."),
    },
    # A member's account status.
    "status": {
        "active": lazy_gettext("Active"),
        "suspended": lazy_gettext("Suspended"),
        "banned": lazy_gettext("Banned"),
    },
    # Who the reader is in a mediation.
    "role": {
        "respondent": lazy_gettext("You are the reported member."),
        "party": lazy_gettext("You are the other party."),
        "mediator": lazy_gettext("You are the mediator."),
    },
    # An appeal's decision, as the moderator picks it.
    "decision": {
        "uphold": lazy_gettext("Uphold: the action stands"),
        "overturn": lazy_gettext("Overturn: lift it"),
    },
    # What just happened, after a form was sent (the ``done`` of the redirect).
    "after": {
        "assign": lazy_gettext("The case is assigned to you."),
        "notes": lazy_gettext("Your note is added."),
        "resolve": lazy_gettext("The case is resolved."),
        "mediation": lazy_gettext("The mediation has started."),
        "started": lazy_gettext("The mediation has started. Both parties are told."),
        "statements": lazy_gettext("Your statement is added."),
        "agree": lazy_gettext("The agreement is recorded and the case is resolved."),
        "abandon": lazy_gettext("The mediation is closed; the case is back in the queue."),
        "decided": lazy_gettext("The appeal is decided and the member is told."),
        "appealed": lazy_gettext("Your appeal was sent. Another moderator will decide it."),
    },
}

#: How long each choice of the mute/suspend period is, in hours, with its words.
PERIODS = (
    (1, lazy_ngettext("%(num)d hour", "%(num)d hours", 1)),
    (8, lazy_ngettext("%(num)d hour", "%(num)d hours", 8)),
    (24, lazy_ngettext("%(num)d day", "%(num)d days", 1)),
    (72, lazy_ngettext("%(num)d day", "%(num)d days", 3)),
    (168, lazy_ngettext("%(num)d week", "%(num)d weeks", 1)),
    (336, lazy_ngettext("%(num)d week", "%(num)d weeks", 2)),
    (720, lazy_ngettext("%(num)d day", "%(num)d days", 30)),
    (2160, lazy_ngettext("%(num)d day", "%(num)d days", 90)),
    (8760, lazy_ngettext("%(num)d year", "%(num)d years", 1)),
)

_PLAIN_KIND = re.compile(r"[A-Za-z][A-Za-z0-9 _.\-]{0,39}")


def word(name: str | None, kind: str) -> str:
    """The words for ``name`` (a ``kind`` in :data:`WORDS`), in the reader's language; a name
    nobody described made readable."""
    if not name:
        return ""
    found = WORDS.get(kind, {}).get(name)
    return str(found) if found is not None else readable(name)


def plain_kind(key: str | None) -> str | None:
    """The host's word for what a subject key points at (``"answer:42"`` → ``"Answer"``), as
    written; ``None`` when the key has no plain kind."""
    prefix = key.split(":", 1)[0] if key and ":" in key else ""
    return readable(prefix) if _PLAIN_KIND.fullmatch(prefix) else None


def kind_of(key: str | None) -> str:
    """What a subject key points at, in a word: ``"answer:42"`` → ``"Answer"``; ``"Content"`` when
    the key has no plain kind (so a hostile or garbled key is never echoed)."""
    return plain_kind(key) or str(_("Content"))


def a_kind(key: str | None) -> str:
    """The kind with its article, in running text: ``"an answer"``, ``"a post"``, ``"content"``.
    The kind is the host's own word, so each article is a msgid of its own for translators to fit."""
    kind = (plain_kind(key) or "content").lower()
    if kind == "content":
        return str(_("content"))
    return str(_("an %(kind)s", kind=kind) if kind[0] in "aeiou" else _("a %(kind)s", kind=kind))
