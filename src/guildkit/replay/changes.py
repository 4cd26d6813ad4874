"""``gk.rules``: preview a rule change against the stored history, and apply the rules in force.

- :meth:`RuleChanges.preview` replays the history under proposed rules and says what would
  change (:mod:`.preview`); nothing is written, nobody is told.
- :meth:`RuleChanges.apply` brings every member to what the rules in force make of the whole
  history (:mod:`.apply`), as new ledger rows, awards and revocations; the audit log records it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from guildkit import audit
from guildkit.errors import RuleVersionNotInForce
from guildkit.models import utcnow
from guildkit.replay import apply as applying
from guildkit.replay.preview import Preview, preview
from guildkit.rules import versions
from guildkit.rules.loader import load_rule_file
from guildkit.rules.ruleset import RuleSet

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.registry import Registry


class RuleChanges:
    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def proposed(self, changes: RuleSet | str | Path | None = None, *, remove: Iterable[str] = ()) -> Registry:
        """The rules in force with ``changes`` (a :class:`RuleSet`, or a rule file's path) in place
        of the definitions of the same names, less those named in ``remove``. Invalid rules raise
        :class:`~guildkit.errors.ConfigurationError`; the rules in force stay as they are."""
        if isinstance(changes, str | Path):
            changes = load_rule_file(changes)
        return self.gk._sync().changed(changes, remove)

    def preview(
        self, changes: RuleSet | str | Path | None = None, *, remove: Iterable[str] = (), chunk: int = 2000
    ) -> Preview:
        """What the proposed rules would change for every member, had they always been in force."""
        return preview(self.gk, self.proposed(changes, remove=remove), chunk=chunk)

    def in_force(self, version: int | None = None) -> Registry:
        """The rules in force; :class:`~guildkit.errors.RuleVersionNotInForce` if ``version`` is
        given and is not theirs."""
        registry = self.gk._sync()
        if version is not None and version != registry.version:
            with self.gk.store.engine.connect() as conn:
                exists = any(row.id == version for row in versions.stored(conn))
            raise RuleVersionNotInForce(version, registry.version, exists=exists)
        return registry

    def apply(
        self,
        *,
        version: int | None = None,
        grandfather: bool = False,
        notify: Literal["gains", "nobody"] = "gains",
        dated: Literal["earned", "today"] = "earned",
        badges: Iterable[str] | None = None,
        by: str | None = None,
        chunk: int = 2000,
        members_chunk: int = 500,
        after_chunk: Callable[[applying.ApplyResult], None] | None = None,
    ) -> applying.ApplyResult:
        """Bring every member to what the rules in force make of the whole history.

        ``version``, when given, must be the version in force (:attr:`Registry.version`): an
        apply cannot bring history to rules this process does not run. ``badges`` limits it to
        those badges (a new badge's backfill). ``by`` names who asked, for the audit log.
        """
        only = None if badges is None else frozenset(badges)
        options = applying.ApplyOptions(grandfather=grandfather, notify=notify, dated=dated, badges=only)
        registry = self.gk._sync()
        if version is not None and version != registry.version:
            with self.gk.store.engine.connect() as conn:
                exists = any(row.id == version for row in versions.stored(conn))
            raise RuleVersionNotInForce(version, registry.version, exists=exists)
        result = applying.apply(
            self.gk, registry, options, chunk=chunk, members_chunk=members_chunk, after_chunk=after_chunk
        )
        self.gk.store.run_write(
            lambda conn: audit.write(
                conn,
                utcnow(),
                area="admin",
                actor=by,
                action="rules.apply",
                subject=f"v{registry.version}",
                reason=f"rules changed to v{registry.version}",
                details={**result.as_json(), "options": options.as_json()},
            )
        )
        return result
