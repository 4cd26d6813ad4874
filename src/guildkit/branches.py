"""A migration history of one part of guildkit (:class:`Branch`): what :mod:`guildkit.migrate` runs
and what a feature's plugin hands over (``guildkit_register_migrations``).

A module of its own, with no dependencies, so that the extension and the plugins can name
branches without importing the migration machinery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

#: The table holding the core's applied revision (the host's ``alembic_version`` stays theirs).
VERSION_TABLE = "guildkit_alembic_version"


@dataclass(frozen=True)
class Branch:
    """One part's migration history: its scripts, its version table and the tables it owns."""

    name: str
    directory: Path
    tables: tuple[str, ...]
    #: The first revision: the tables as guildkit 0.1 left them (adopted, not run, on such databases).
    baseline: str

    @property
    def version_table(self) -> str:
        # The core keeps 0.1's table: its history continues there.
        return VERSION_TABLE if self.name == "core" else f"guildkit_{self.name}_alembic_version"


def feature_branch(name: str, directory: Path, tables: Iterable[sa.Table], baseline: str | None = None) -> Branch:
    """A feature's :class:`Branch` (what its plugin returns from ``guildkit_register_migrations``)."""
    return Branch(name, directory, tuple(t.name for t in tables), baseline or f"{name}_0001")
