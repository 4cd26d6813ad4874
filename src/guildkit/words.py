"""What members read about activities and rules: sentences and goals in words, never internals.

:class:`Words` turns an activity type and its subject into a sentence for the member who did
it, the member it was done to, or anyone else ("Your answer to *How do I cache a join?* was
upvoted"), and a rule into what it asks ("Answer 5 questions · 15 · 40"). The words come from
the :class:`~guildkit.ActivityTypeDef` hosts and plugins register; a type nobody describes is
shown by its name made readable ("Answer upvoted"), and a subject nobody resolves by its kind
("an answer"), so a raw key never reaches a member.

Everything is said in the reader's language: guildkit's own words through its catalogue, a
definition's words through :func:`~guildkit.definitions.shown` (a lazy translation said now; a
host's plain text through the host's catalogue, when it has it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from guildkit import i18n
from guildkit.definitions import ActivityTypeDef, Audience, Subject, Text, shown
from guildkit.i18n import N_, ngettext
from guildkit.i18n import gettext as _
from guildkit.metrics import Count, Distinct, Metric, OpeningCount, PointsTotal, Streak
from guildkit.models import Member
from guildkit.registry import Registry
from guildkit.rules.builtin import BadgeRule, EventBadgeRule, RoleRule
from guildkit.subjects import resolve

_SEPARATORS = re.compile(r"[._\-:]+")


def readable(name: str) -> str:
    """``"answer.upvoted"`` → ``"Answer upvoted"``: a name made into words, for types nobody described."""
    text = _SEPARATORS.sub(" ", name).strip()
    return text[:1].upper() + text[1:] if text else name


def number(n: int) -> str:
    """A count as members read it, in their locale (``4,750``, ``4.750``)."""
    return i18n.format_number(n)


def either(said: list[str], message: str) -> str | None:
    """Alternatives as one phrase ("A; or B; or C"), joined by ``message`` (marked with ``N_``,
    with ``%(one)s`` and ``%(other)s``) in the reader's language."""
    if not said:
        return None
    return functools.reduce(lambda one, other: _(message, one=one, other=other), said)


class Words:
    """The words for one registry's activity types and rules."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def _type(self, type: str) -> ActivityTypeDef | None:
        return self.registry.activity_types.get(type)

    def label(self, type: str) -> str:
        """The type's name in lists ("Answer upvoted")."""
        words = self._type(type)
        return shown(words.label) if words else readable(type)

    def subject(self, type: str, key: str | None) -> str:
        """A subject nobody resolved, in general words: the type's ``subject``, else its kind."""
        words = self._type(type)
        if words and words.subject:
            return shown(words.subject)
        kind = readable(key.split(":", 1)[0]).lower() if key and ":" in key else ""
        if not kind:
            return _("it")
        # The kind is the host's key ("answer"), in English: its article is English too.
        return _("an %(kind)s", kind=kind) if kind[0] in "aeiou" else _("a %(kind)s", kind=kind)

    def sentence(
        self,
        type: str,
        audience: Audience,
        *,
        subject_key: str | None = None,
        subject: Subject | None = None,
        actor: str | None = None,
        target: str | None = None,
        html: bool = False,
    ) -> str:
        """What happened, for ``audience``; with ``html``, safe markup with the subject linked."""
        words = self._type(type)
        said: Text | None = words.sentence(audience) if words else None
        # In the reader's language, the placeholders kept for below.
        default = _("{label}: {subject}") if subject is not None else "{label}"
        template = shown(said) if said is not None else default
        values: dict[str, Any] = {
            "label": self.label(type),
            "subject": self._subject_text(type, subject_key, subject, html),
            "actor": actor or _("Someone"),
            "target": target or _("someone"),
        }
        if html:
            return Markup(escape(template)).format(**values)
        return template.format(**values)

    def _subject_text(self, type: str, key: str | None, subject: Subject | None, html: bool) -> str:
        if subject is None:
            return self.subject(type, key)
        if html and subject.url:
            return Markup('<a href="{}">{}</a>').format(subject.url, subject.title)
        return subject.title

    # -- what rules ask ----------------------------------------------------------------------

    def goal(self, metric: Metric, n: int) -> str:
        """What reaching ``n`` on ``metric`` takes, in words ("Answer 5 questions")."""
        if isinstance(metric, OpeningCount):
            metric = metric.count
        if isinstance(metric, Count):
            return self._count_goal(metric.type, metric.role, n)
        if isinstance(metric, Distinct):
            what = self.label(metric.type)
            if metric.of in ("actor", "target"):
                return ngettext("%(what)s with %(count)s different member", "%(what)s with %(count)s different members",
                                n, what=what, count=number(n))  # fmt: skip
            return ngettext("%(what)s with %(count)s different item", "%(what)s with %(count)s different items",
                            n, what=what, count=number(n))  # fmt: skip
        if isinstance(metric, Streak):
            words = self._type(metric.type)
            doing = shown(words.goal_one) if words and words.goal_one else self.label(metric.type)
            return ngettext("%(what)s on %(count)s day in a row", "%(what)s on %(count)s days in a row",
                            n, what=doing, count=number(n))  # fmt: skip
        if isinstance(metric, PointsTotal):
            point_type = self.registry.point_types.get(metric.point_type)
            unit = shown(point_type.name) if point_type else readable(metric.point_type)
            return ngettext("Earn %(count)s %(unit)s", "Earn %(count)s %(unit)s", n, unit=unit, count=number(n))
        phrase = getattr(metric, "phrase", None)  # a plugin's metric may say it in its own words
        said = phrase(n) if callable(phrase) else None
        if isinstance(said, str | LazyString):
            return str(said)
        return ngettext("Reach %(count)s", "Reach %(count)s", n, count=number(n))

    def _count_goal(self, type: str, role: str, n: int) -> str:
        words = self._type(type)
        many, one = (words.goal, words.goal_one) if words and role == "actor" else (None, None)
        if words and role == "target":
            many, one = words.received_goal, words.received_goal_one
        if n == 1 and one:
            return shown(one)
        if many:
            return shown(many).format(n=number(n))
        what = self.label(type)
        if n == 1:
            return _("%(what)s once", what=what)
        return ngettext("%(what)s %(count)s time", "%(what)s %(count)s times", n, what=what, count=number(n))

    def tiers(self, metric: Metric, thresholds: tuple[int, ...] | list[int]) -> str:
        """Every tier of a badge: the first in words, the rest by number ("Answer 5 questions · 15 · 40")."""
        if not thresholds:
            return ""
        return " · ".join([self.goal(metric, thresholds[0]), *(number(t) for t in thresholds[1:])])

    def criteria(self, slug: str) -> str | None:
        """How to earn badge ``slug`` in words: the badge's own ``criteria``, else from its rules."""
        badge = self.registry.badges.get(slug)
        if badge is not None and badge.criteria:
            return shown(badge.criteria)
        said = [s for rule in self.registry.rules_awarding(slug) if (s := self.rule(rule))]
        return either(said, N_("%(one)s; or %(other)s"))

    def rule(self, rule: object) -> str | None:
        """What a built-in rule asks, in words; ``None`` for a rule guildkit cannot put in words."""
        if isinstance(rule, BadgeRule):
            return self.tiers(rule.metric, rule.thresholds)
        if isinstance(rule, EventBadgeRule):
            on = (rule.on,) if isinstance(rule.on, str) else rule.on
            goals = either([self._count_goal(t, rule.to, 1) for t in on], N_("%(one)s or %(other)s"))
            return _("%(goal)s, each time", goal=goals)
        if isinstance(rule, RoleRule):
            return self.goal(rule.metric, rule.threshold)
        return None

    def role_criteria(self, slug: str) -> str | None:
        """How a member comes to hold role ``slug``, in words (``None`` when no rule grants it)."""
        said = [
            s for rule in self.registry.rules.values() if isinstance(rule, RoleRule) and rule.role == slug
            if (s := self.rule(rule))
        ]  # fmt: skip
        return either(said, N_("%(one)s; or %(other)s"))


if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.models import Activity, LedgerEntry


def member_names(gk: GuildKit, member_ids: Iterable[int]) -> dict[int, str]:
    """Display names by guildkit member id (the stored name, else the host's ``user_info``)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    rows = gk.session.execute(
        sa.select(Member.id, Member.user_id, Member.display_name).where(Member.id.in_(wanted))
    ).all()
    hosts = gk.user_infos(user_id for _, user_id, name in rows if not name)
    return {member_id: name or hosts[user_id].name for member_id, user_id, name in rows}


def ledger_sentences(
    gk: GuildKit, member_id: int, pairs: Iterable[tuple[LedgerEntry, Activity]], *, html: bool = False
) -> list[str]:
    """What happened for each ledger row, from the side the member was on, with who did it and
    the subject titled (linked, with ``html``) by the subject resolver: one batch of each."""
    pairs = list(pairs)
    words = Words(gk.registry)
    subjects = resolve(gk, (a.subject for _, a in pairs))
    people = member_names(gk, {m for _, a in pairs for m in (a.actor_id, a.target_id) if m is not None})
    return [
        words.sentence(
            a.type,
            "actor" if a.actor_id == member_id else "target",
            subject_key=a.subject,
            subject=subjects.get(a.subject or ""),
            actor=people.get(a.actor_id or 0),
            target=people.get(a.target_id or 0),
            html=html,
        )
        for _, a in pairs
    ]
