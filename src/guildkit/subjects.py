"""Titles and links for what activities were about: ``"answer:384"`` → "How do I cache a join?".

Activities name their subject by a key the host chose. Members should read the host's title for
it, linked to where it lives, so the host (``@gk.subject_loader``) and plugins
(``guildkit_resolve_subjects``) resolve keys in batches. :func:`resolve` asks them once for all
the keys a page shows, at most once per key per request, and contains their failures: a
resolver that raises is logged and recorded like any failing hook, and what it would have named
is shown in general words (:func:`guildkit.words.Words.subject`).

.. code-block:: python

    @gk.subject_loader
    def subjects(keys):
        ids = [int(k.split(":")[1]) for k in keys if k.startswith("answer:")]
        return {f"answer:{a.id}": Subject(a.question.title, url_for("answer", id=a.id))
                for a in Answer.query.filter(Answer.id.in_(ids))}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from flask import g, has_request_context

from guildkit.definitions import Subject
from guildkit.markers import hookimpl
from guildkit.plugins import collecting_failures

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: What the host's loader returns: for the keys it knows, a Subject or a mapping with its fields.
SubjectLoader = Callable[[list[str]], "Mapping[str, Subject | Mapping[str, Any]] | None"]

#: The plugin name the host's loader is registered under.
HOST = "host.subject_loader"


class HostSubjects:
    """The host's ``@gk.subject_loader`` as a plugin, asked before any other resolver."""

    def __init__(self, loader: SubjectLoader) -> None:
        self.loader = loader

    @hookimpl(tryfirst=True)
    def guildkit_resolve_subjects(self, gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject] | None:
        answer = self.loader(list(keys))
        if answer is None:
            return None
        return {key: as_subject(value) for key, value in answer.items()}


def as_subject(value: Subject | Mapping[str, Any]) -> Subject:
    """A :class:`Subject` from the loader's answer: a Subject, or ``{"title": …, "url": …}``."""
    if isinstance(value, Subject):
        return value
    if isinstance(value, Mapping) and set(value) <= {"title", "url"}:
        return Subject(title=value.get("title"), url=value.get("url"))  # type: ignore[arg-type]
    raise TypeError(f"a subject must be a guildkit.Subject or a mapping with title and url, got {value!r}")


def register_loader(gk: GuildKit, loader: SubjectLoader) -> None:
    """Install (or replace) the host's loader."""
    previous = gk.pm.get_plugin(HOST)
    if previous is not None:
        gk.pm.unregister(previous)
    gk.pm.register(HostSubjects(loader), name=HOST)


def resolve(gk: GuildKit, keys: Iterable[str | None]) -> dict[str, Subject]:
    """The subjects the host and plugins know among ``keys`` (unknown and failed ones left out)."""
    wanted = list(dict.fromkeys(key for key in keys if key))
    cache: dict[str, Subject | None] = _request_cache()
    missing = [key for key in wanted if key not in cache]
    if missing:
        found: dict[str, Subject] = {}
        with collecting_failures() as failures:
            answers = gk.pm.hook.guildkit_resolve_subjects(gk=gk, keys=missing)
        asked = set(missing)
        for answer in answers:  # the host's loader first (tryfirst), then plugins
            for key, subject in answer.items():
                if key in asked and key not in found:
                    found[key] = subject
        if failures:
            gk.record_failures(failures)
        for key in missing:
            cache[key] = found.get(key)
    return {key: subject for key in wanted if (subject := cache.get(key)) is not None}


def _request_cache() -> dict[str, Subject | None]:
    if not has_request_context():
        return {}
    cache: dict[str, Subject | None] | None = g.get("_guildkit_subjects")
    if cache is None:
        cache = g._guildkit_subjects = {}
    return cache
