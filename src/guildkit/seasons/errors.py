"""The seasons feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import NotFound


class UnknownSeason(NotFound):
    code = "unknown_season"

    def __init__(self, slug: str) -> None:
        super().__init__(f"no season {slug!r}", slug=slug)
        self.slug = slug
