"""What every KPI hands the web layer: a :class:`Table` of the numbers, the same ones the JSON
shows, so a page's table, its chart and its CSV download cannot disagree.

Per-period queries run one ``SELECT`` per bucket, each bounded by the bucket's UTC instants, so
it is an index range scan. SQLite runs them one by one. PostgreSQL gets them in ``UNION ALL``
chunks of :data:`CHUNK` buckets, which it can scan in parallel, with JIT compilation off for the
transaction: compiling hundreds of branches cost more than the scans themselves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.analytics.periods import Period


@dataclass(frozen=True)
class Table:
    """Rows of plain values under named columns; :meth:`csv` is the download."""

    columns: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if value is None else value for value in row])
        return out.getvalue()


#: Buckets per ``UNION ALL`` statement on PostgreSQL.
CHUNK = 31


def per_period(
    session: Session, periods: Sequence[Period], build: Callable[[Period], Any]
) -> dict[int, list[sa.Row[Any]]]:
    """Run ``build(period)`` for each period; rows by the period's index.

    ``build`` returns a ``SELECT`` (typed ``Any``: a ``Select`` of any row shape).
    """
    if session.get_bind().dialect.name != "postgresql":
        return {i: list(session.execute(build(period))) for i, period in enumerate(periods)}
    session.execute(sa.text("SET LOCAL jit = off"))
    found: dict[int, list[sa.Row[Any]]] = {i: [] for i in range(len(periods))}
    for at in range(0, len(periods), CHUNK):
        chunk = periods[at : at + CHUNK]
        selects: list[Any] = [
            build(period).add_columns(sa.literal(at + n).label("_bucket")) for n, period in enumerate(chunk)
        ]
        # Typed Any: mypy 2.4 crashes inferring union_all() over selects of unknown row shape.
        statement: Any = selects[0] if len(selects) == 1 else sa.union_all(*selects)
        for row in session.execute(statement):
            found[row._mapping["_bucket"]].append(row)
    return found
