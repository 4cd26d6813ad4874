"""The hooks of the community guidelines feature, the records they carry, and their signals (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class GuidelinesPublished:
    """A new version of the community guidelines (see ``docs/guidelines.md``)."""

    version: int
    title: str
    #: What changed since the previous version ("" for the first).
    summary: str
    #: The host user id of the admin who published it (``None``: host code).
    by: str | None


#: New community guidelines were published. Sender: ``GuildKit``; kwargs: ``guidelines`` (GuidelinesPublished).
guidelines_published = declare("guidelines_published")


@hookspec
def guildkit_guidelines_published(gk: GuildKit, guidelines: GuidelinesPublished) -> None:
    """An admin (or host code) published a new version of the community guidelines.

    Members are not notified one by one: guildkit's pages show a one-line notice to each member
    who has not accepted the new version. Send your own announcement (an email, a post) here.
    Versions and acceptance are described in ``docs/guidelines.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param guidelines: the new version's number, title and summary of changes, and who published it.
    """
