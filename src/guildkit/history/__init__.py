"""History import: ``gk.import_history(source)`` and ``flask guildkit import FILE`` (docs/import.md).

Two passes. The first (:mod:`.reading`) reads the source once, checks every line and spools the
good ones; a bad line refuses the whole file (:class:`~.errors.ImportFileError`, naming the line
and the field) before anything is written, or with ``skip_bad`` goes to the rejects. The second
(:mod:`.importing`) records the spooled activities in chunks, one transaction each, quietly: no
notifications, announcements, webhooks, rate limits or earning gates. An audit entry records
each import.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import audit
from guildkit.errors import ValidationError
from guildkit.history import importing, reading
from guildkit.history.errors import ImportFileError, Problem
from guildkit.history.reading import Progress, Source
from guildkit.models import Member, table_of

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

__all__ = ["HistoryImport", "ImportFileError", "ImportSummary", "Problem", "Progress"]

#: Activities recorded per transaction, unless the caller says otherwise.
DEFAULT_CHUNK = 500
MAX_CHUNK = 10_000
MEMBERS = table_of(Member)


@dataclass(frozen=True)
class ImportSummary:
    """What an import did. ``duplicates`` were stored already (or earlier in the file);
    ``problems`` describes the first rejected lines when no reject file was given."""

    lines: int
    imported: int
    duplicates: int
    rejected: int
    members_created: int
    points: int
    badges: int
    seconds: float
    chunks: int
    rejects: str | None = None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def rate(self) -> float:
        """Lines imported or skipped per second."""
        return (self.imported + self.duplicates) / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [str(p) for p in self.problems]
        data["seconds"] = round(self.seconds, 3)
        return data


class _Rejects:
    """Where bad lines go: a JSON Lines file (line, reasons, the original line), or a list."""

    def __init__(self, target: str | os.PathLike[str] | IO[str] | None, skip_bad: bool) -> None:
        self.skip_bad = skip_bad
        self.problems: list[Problem] = []
        self.count = 0
        self.path = None if target is None or not isinstance(target, str | os.PathLike) else str(target)
        self._target = target
        self._file: IO[str] | None = None

    def __call__(self, line: int, problems: list[Problem], raw: str | Mapping[str, Any]) -> None:
        self.count += 1
        if len(self.problems) < reading.MAX_PROBLEMS:
            self.problems += problems
        if not self.skip_bad or self._target is None:
            return
        if self._file is None:
            target = self._target
            if isinstance(target, str | os.PathLike):
                target = Path(target).open("w", encoding="utf-8")  # noqa: SIM115 - open for the whole first pass
            self._file = target
        text = raw.rstrip("\n") if isinstance(raw, str) else json.dumps(raw, default=str)
        reasons = [{"field": p.field, "message": p.message} for p in problems]
        self._file.write(json.dumps({"line": line, "reasons": reasons, "text": text}) + "\n")

    def close(self) -> None:
        if self._file is not None and self.path is not None:
            self._file.close()


class HistoryImport:
    """``gk.import_history``: import history from a JSON Lines file or an iterable (docs/import.md)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def __call__(
        self,
        source: Source,
        *,
        skip_bad: bool = False,
        rejects: str | os.PathLike[str] | IO[str] | None = None,
        progress: Callable[[Progress], None] | None = None,
        chunk: int = DEFAULT_CHUNK,
        types: Iterable[str] = (),
        by: str | int | None = None,
        via: str = "host",
    ) -> ImportSummary:
        """Import ``source``: a file path, or an iterable of JSON lines or mappings.

        A bad line refuses the whole source with :class:`ImportFileError` before anything is
        written; with ``skip_bad`` it goes to ``rejects`` (a path or a text stream) and the rest
        is imported. ``types`` names activity types to accept that no rule counts yet.
        ``progress`` is called with a :class:`Progress` as the passes go. ``by`` (an admin) or
        ``via`` is the audit entry's actor.
        """
        if not isinstance(chunk, int) or isinstance(chunk, bool) or not 1 <= chunk <= MAX_CHUNK:
            raise ValidationError(f"chunk must be an integer from 1 to {MAX_CHUNK}", field="chunk")
        if isinstance(types, str):
            raise ValidationError("types must be a list of activity types", field="types")
        if isinstance(source, str | os.PathLike):
            if not Path(source).is_file():
                raise ValidationError(f"no such file: {source}", field="source")
        elif isinstance(source, bytes | Mapping) or not isinstance(source, Iterable):
            raise ValidationError("source must be a file path or an iterable of lines or mappings", field="source")
        actor = audit.admin_actor(self.gk, by, via)
        started = time.monotonic()
        gk = self.gk
        checker = reading.Checker(gk.registry, reading.known_types(gk.registry, types), gk.clock())
        bad = _Rejects(rejects, skip_bad)
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            try:
                with gk.store.engine.connect() as conn:
                    checked = reading.check(conn, checker, source, spool, bad, progress)
            finally:
                bad.close()
            if bad.count and not skip_bad:
                raise ImportFileError(sorted(bad.problems, key=lambda p: p.line), bad.count)
            checker.seen.clear()  # the first pass's memory is not needed for the second
            spool.seek(0)
            before = self._members()
            done = importing.record(gk, spool, checked.good, chunk, progress)
        summary = ImportSummary(
            lines=checked.lines,
            imported=done.imported,
            duplicates=checked.duplicates + done.duplicates,
            rejected=checked.rejected,
            members_created=self._members() - before,
            points=done.points,
            badges=done.badges,
            seconds=time.monotonic() - started,
            chunks=done.chunks,
            rejects=bad.path if skip_bad else None,
            problems=tuple(bad.problems) if bad.path is None else (),
        )
        details = {k: v for k, v in summary.as_json().items() if k != "problems"}
        details["file"] = str(source) if isinstance(source, str | os.PathLike) else None
        gk.store.run_write(
            lambda conn: audit.write(
                conn, gk.clock(), area="admin", actor=actor, action="history.import", details=details
            )
        )
        return summary

    def _members(self) -> int:
        with self.gk.store.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(MEMBERS)).scalar_one())
