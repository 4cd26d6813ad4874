"""What shows next to a member's name: a title they chose, a group they chose (``docs/titles.md``).

Plugins answer ``guildkit_member_flair`` in batches (the titles feature with the badge a member
chose, the groups feature with the group). :func:`resolve` asks them once for all the members a
page shows, at most once per member per request, and contains their failures: a plugin that
raises is logged and recorded like any failing hook, and the names show without what it would
have added. :func:`attach` puts the answer on the dicts the presenters make (``"flair"``), where
the ``member_link`` macro finds it; :func:`as_data` is the same for the JSON API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from markupsafe import Markup

from guildkit.definitions import FLAIR_KINDS, Flair
from guildkit.plugins import collecting_failures

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class MemberFlair:
    """What plugins show next to one member's name: a title, a group, each optional."""

    title: Flair | None = None
    group: Flair | None = None

    def __bool__(self) -> bool:
        return self.title is not None or self.group is not None


NONE = MemberFlair()


def resolve(gk: GuildKit, user_ids: Iterable[str | None]) -> dict[str, MemberFlair]:
    """Each of ``user_ids`` with what plugins show next to their name (``NONE`` for nothing)."""
    wanted = list(dict.fromkeys(user_id for user_id in user_ids if user_id))
    cache = _request_cache()
    missing = [user_id for user_id in wanted if user_id not in cache]
    if missing:
        found: dict[str, dict[str, Flair]] = {}
        caller = gk.pm.hook.guildkit_member_flair
        answers: list[Mapping[str, Flair]] = []
        if caller.get_hookimpls():
            with collecting_failures() as failures:
                answers = caller(gk=gk, user_ids=missing)
            if failures:
                gk.record_failures(failures)
        asked = set(missing)
        for answer in reversed(answers):  # in order of registration
            for user_id, piece in answer.items():
                if user_id in asked:
                    found.setdefault(user_id, {}).setdefault(piece.kind, piece)
        for user_id in missing:
            pieces = found.get(user_id, {})
            cache[user_id] = MemberFlair(**{kind: pieces.get(kind) for kind in FLAIR_KINDS})
    return {user_id: cache[user_id] for user_id in wanted}


def attach(gk: GuildKit, shown: Iterable[MutableMapping[str, Any]]) -> None:
    """Put ``"flair"`` on each member dict (with a ``"user_id"``), to be asked for when first read.

    Nothing is asked here: every presenter of a page attaches, and the first flair a template
    reads asks once for all the members attached so far (the home page's three lists, one call).
    """
    shown = list(shown)
    pending = _pending()
    for item in shown:
        user_id = item.get("user_id")
        if user_id:
            pending.append(user_id)
        item["flair"] = Deferred(gk, user_id)


class Deferred:
    """A member's :class:`MemberFlair`, asked for (with every other one pending) when first read."""

    def __init__(self, gk: GuildKit, user_id: str | None) -> None:
        self._gk = gk
        self._user_id = user_id

    def get(self) -> MemberFlair:
        if not self._user_id:
            return NONE
        pending = _pending()
        found = resolve(self._gk, [*pending, self._user_id])
        pending.clear()
        return found[self._user_id]

    @property
    def title(self) -> Flair | None:
        return self.get().title

    @property
    def group(self) -> Flair | None:
        return self.get().group

    def __bool__(self) -> bool:
        return bool(self.get())


def as_data(flair: MemberFlair | Deferred) -> dict[str, Any]:
    """``title`` and ``flair`` as the API gives them: words and what they stand for, or ``null``."""
    if isinstance(flair, Deferred):
        flair = flair.get()
    title, group = flair.title, flair.group
    return {
        "title": None if title is None else {"text": title.text, "badge": title.ref, "url": title.url},
        "flair": None if group is None else {"text": group.text, "group": group.ref, "url": group.url},
    }


def markup(flair: MemberFlair | Deferred) -> Markup:
    """The HTML shown after a name (as the ``member_link`` macro shows it), for host templates."""
    if isinstance(flair, Deferred):
        flair = flair.get()
    parts = []
    if flair.title is not None:
        parts.append(Markup('<span class="gk-title"> · {}</span>').format(flair.title.text))
    if flair.group is not None:
        group = flair.group
        if group.url:
            parts.append(Markup(' <a class="gk-flair" href="{}">{}</a>').format(group.url, group.text))
        else:
            parts.append(Markup(' <span class="gk-flair">{}</span>').format(group.text))
    return Markup("").join(parts)


def forget(user_id: str) -> None:
    """Ask again for ``user_id`` in this request: they just chose something else."""
    _request_cache().pop(user_id, None)


def _pending() -> list[str]:
    """The members attached in this request and not asked for yet."""
    if not has_request_context():
        return []
    pending: list[str] = request.environ.setdefault(_PENDING, [])
    return pending


def _request_cache() -> dict[str, MemberFlair]:
    """Kept in the request's environ, not ``g``: an app context may outlive one request."""
    if not has_request_context():
        return {}
    cache: dict[str, MemberFlair] = request.environ.setdefault(_CACHE, {})
    return cache


_CACHE = "guildkit.flair"
_PENDING = "guildkit.flair_pending"
