"""Moderation pages in words: subjects titled and linked, members named, a case with its record.

A page asks the subject resolver (:func:`guildkit.subjects.resolve`) once for every key it shows
and names every member it shows in one lookup (:func:`guildkit.web.present.names`). A subject
nobody resolves, or whose resolver failed, is shown in general words ("An answer"), never by
its key; keys and user ids are left for the case page's "Details for developers".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guildkit.definitions import Subject
from guildkit.extension import GuildKit
from guildkit.i18n import format_date, format_relative, ngettext
from guildkit.i18n import gettext as _
from guildkit.moderation.common import moderators
from guildkit.moderation.record import MemberRecord, RecentActivity
from guildkit.moderation.views import CaseView
from guildkit.moderation.wording import a_kind, kind_of
from guildkit.subjects import resolve
from guildkit.web.present import names
from guildkit.words import Words


@dataclass(frozen=True)
class Shown:
    """A subject as a page shows it: the host's title and link, or its kind in general words."""

    #: What it is, in a word ("Answer").
    noun: str
    title: str
    url: str | None
    resolved: bool


def shown(key: str | None, subject: Subject | None) -> Shown:
    if subject is not None:
        return Shown(kind_of(key), subject.title, subject.url, True)
    general = a_kind(key)
    return Shown(kind_of(key), general[:1].upper() + general[1:], None, False)


def subjects(gk: GuildKit, keys: Iterable[str | None]) -> dict[str, Shown]:
    """Every key shown, resolved in one batch."""
    wanted = [key for key in dict.fromkeys(keys) if key]
    found = resolve(gk, wanted)
    return {key: shown(key, found.get(key)) for key in wanted}


def people(gk: GuildKit, user_ids: Iterable[str | None]) -> dict[str, str]:
    """Display names for every user id shown, in one lookup."""
    return names(gk, {user_id for user_id in user_ids if user_id})


@dataclass(frozen=True)
class Choice:
    """An option of a ``<select>``: the value the form sends and the words the moderator reads."""

    value: str
    words: str


def case_page(gk: GuildKit, by: str | None, case: CaseView, record: MemberRecord) -> dict[str, Any]:
    """What the case template shows, beyond the case itself."""
    reporters = [r.reporter for r in case.reports if r.reporter]
    staff = moderators(gk)
    named = people(
        gk,
        [
            case.user_id,
            case.assigned_to,
            case.resolved_by,
            *reporters,
            *(n.author for n in case.notes),
            *(a.actor for a in record.activities),
            *(a.target for a in record.activities),
            *staff,
        ],
    )
    keys = [case.subject, *(c.subject for c in record.other_cases), *(a.subject for a in record.activities)]
    titled = subjects(gk, keys)
    now = gk.clock()
    parties = [Choice(r, named[r]) for r in dict.fromkeys(reporters) if r != case.user_id]
    you = str(_("You"))
    mediators = [Choice(m, you if m == by else named[m]) for m in staff if m != case.user_id and m not in reporters]
    mediators.sort(key=lambda c: (c.value != by, c.words.casefold()))
    return {
        "subject": titled[case.subject],
        "subjects": titled,
        "names": named,
        "record": record,
        "joined": format_relative(record.joined_at, now),
        "badge_choices": [Choice(b.slug, badge_words(b.name, b.levels)) for b in record.badges],
        "activity_choices": [Choice(a.key, activity_words(gk, a, titled, named, case)) for a in record.activities],
        "party_choices": parties,
        "mediator_choices": mediators,
    }


def badge_words(name: str, levels: int) -> str:
    if levels == 1:
        return name
    return str(ngettext("%(name)s (%(num)d level)", "%(name)s (%(num)d levels)", levels, name=name))


def activity_words(
    gk: GuildKit, activity: RecentActivity, titled: dict[str, Shown], named: dict[str, str], case: CaseView
) -> str:
    """One activity as a moderator picks it: what happened and who else took part, on which day,
    marked when it is on the reported content. A type with a sentence for onlookers reads as that
    ("Ann answered *How do I cache a join?*"); any other as its label, who from or to, and the title."""
    shown_subject = titled.get(activity.subject or "")
    subject = shown_subject.title if shown_subject is not None and shown_subject.resolved else None
    words = Words(gk.registry)
    described = gk.registry.activity_types.get(activity.type)
    if described is not None and described.sentence("public"):
        said = words.sentence(
            activity.type,
            "public",
            subject_key=activity.subject,
            subject=Subject(subject) if subject else None,
            actor=named.get(activity.actor or ""),
            target=named.get(activity.target or ""),
        )
    else:
        said = words.label(activity.type)
        if activity.target == case.user_id and activity.actor and activity.actor != case.user_id:
            said = _("%(activity)s from %(name)s", activity=said, name=named[activity.actor])
        elif activity.actor == case.user_id and activity.target and activity.target != case.user_id:
            said = _("%(activity)s to %(name)s", activity=said, name=named[activity.target])
        if subject:
            said = _("%(activity)s: %(title)s", activity=said, title=subject)
    day = format_date(activity.occurred_at)
    if activity.subject and activity.subject == case.subject:
        return str(_("%(activity)s, %(day)s (the reported content)", activity=said, day=day))
    return str(_("%(activity)s, %(day)s", activity=said, day=day))
