"""Serial-voting detection, ``gk.abuse`` and ``flask guildkit detect-abuse`` (docs/abuse.md).

One actor rewarding one target more than ``threshold`` times within ``window_hours`` is serial
voting. The job looks back ``lookback_days``, finds every such run (a sliding window over each
pair's votes, so a run is found wherever it starts), retracts those votes with a recorded reason
— their points, badges and counters are reversed by the ordinary retraction — and flags the
voter for moderators (``gk.moderation`` case on ``member:<voter>``, category ``other``), all in
one transaction. Retracted votes no longer count, so a second run finds nothing new: the job is
idempotent and safe to schedule often (hourly or daily).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.errors import ConfigurationError
from guildkit.models import Activity, Member, table_of

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
#: The reversed votes, the case and the audit row name this as the reason.
KIND = "serial voting"
#: A PostgreSQL advisory lock key: two detection runs never interleave.
_LOCK = 0x6775696C64


@dataclass(frozen=True)
class SerialVoting:
    """``GUILDKIT_SERIAL_VOTING``: which activity types are votes, and how many are too many."""

    types: tuple[str, ...] = ("answer.upvoted", "question.upvoted", "post.liked")
    #: The most votes one member may give one other member within the window.
    threshold: int = 10
    window_hours: int = 24
    lookback_days: int = 7

    @classmethod
    def from_config(cls, value: object) -> SerialVoting:
        if value is None:
            return cls()
        if not isinstance(value, Mapping) or set(value) - {"types", "threshold", "window_hours", "lookback_days"}:
            raise ConfigurationError(
                "GUILDKIT_SERIAL_VOTING must be a dict with types, threshold, window_hours and lookback_days"
            )
        settings = {**cls().__dict__, **value}
        types = settings["types"]
        if isinstance(types, str) or not types or not all(isinstance(t, str) and t for t in types):
            raise ConfigurationError("GUILDKIT_SERIAL_VOTING['types'] must be a non-empty list of activity types")
        for name in ("threshold", "window_hours", "lookback_days"):
            number = settings[name]
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise ConfigurationError(f"GUILDKIT_SERIAL_VOTING[{name!r}] must be a positive integer")
        if settings["lookback_days"] * 24 < settings["window_hours"]:
            raise ConfigurationError("GUILDKIT_SERIAL_VOTING: lookback_days must cover window_hours")
        return cls(tuple(types), settings["threshold"], settings["window_hours"], settings["lookback_days"])


@dataclass(frozen=True)
class Finding:
    """One voter's serial votes for one target: what was reversed, and the case it opened."""

    voter: str
    target: str
    keys: tuple[str, ...]
    first_at: datetime
    last_at: datetime
    #: Points the target lost, by point type.
    points: dict[str, int] = field(default_factory=dict)
    case_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "voter": self.voter,
            "target": self.target,
            "votes": len(self.keys),
            "keys": list(self.keys),
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "points": self.points,
            "case_id": self.case_id,
        }


def serial_runs(times: list[datetime], threshold: int, window: timedelta) -> list[int]:
    """Indexes of the votes in any window holding more than ``threshold`` of them (``times`` sorted)."""
    marked: set[int] = set()
    start = 0
    for end, moment in enumerate(times):
        while moment - times[start] > window:
            start += 1
        if end - start + 1 > threshold:
            marked.update(range(start, end + 1))
    return sorted(marked)


class AbuseDetection:
    """Serial-voting detection for one :class:`~guildkit.GuildKit`."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    @property
    def settings(self) -> SerialVoting:
        from flask import current_app

        return SerialVoting.from_config(current_app.config["GUILDKIT_SERIAL_VOTING"])

    def detect(self, *, dry_run: bool = False) -> list[Finding]:
        """Find serial votes in the lookback; unless ``dry_run``, reverse them and flag the voters."""
        settings = self.settings

        def run(tx: Transaction) -> list[Finding]:
            if tx.dialect == "postgresql":
                tx.conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK)))
            findings = self._find(tx.conn, settings, tx.now)
            if not dry_run:
                findings = [self._act(tx, settings, finding) for finding in findings]
            return findings

        return self.gk.transaction(run)

    def _find(self, conn: sa.Connection, settings: SerialVoting, now: datetime) -> list[Finding]:
        votes = sa.and_(
            ACTIVITIES.c.type.in_(settings.types),
            ACTIVITIES.c.occurred_at >= now - timedelta(days=settings.lookback_days),
            ACTIVITIES.c.retracted_at.is_(None),
            ACTIVITIES.c.actor_id.is_not(None),
            ACTIVITIES.c.target_id.is_not(None),
            ACTIVITIES.c.actor_id != ACTIVITIES.c.target_id,
        )
        pairs = conn.execute(
            sa.select(ACTIVITIES.c.actor_id, ACTIVITIES.c.target_id)
            .where(votes)
            .group_by(ACTIVITIES.c.actor_id, ACTIVITIES.c.target_id)
            .having(sa.func.count() > settings.threshold)
            .order_by(ACTIVITIES.c.actor_id, ACTIVITIES.c.target_id)
        ).all()
        window = timedelta(hours=settings.window_hours)
        findings: list[Finding] = []
        for actor_id, target_id in pairs:
            rows = conn.execute(
                sa.select(ACTIVITIES.c.key, ACTIVITIES.c.occurred_at)
                .where(votes, ACTIVITIES.c.actor_id == actor_id, ACTIVITIES.c.target_id == target_id)
                .order_by(ACTIVITIES.c.occurred_at, ACTIVITIES.c.id)
            ).all()
            marked = serial_runs([r.occurred_at for r in rows], settings.threshold, window)
            if not marked:
                continue
            users: dict[int, str] = {
                row.id: row.user_id
                for row in conn.execute(
                    sa.select(MEMBERS.c.id, MEMBERS.c.user_id).where(MEMBERS.c.id.in_([actor_id, target_id]))
                )
            }
            findings.append(
                Finding(
                    users[actor_id],
                    users[target_id],
                    tuple(rows[i].key for i in marked),
                    rows[marked[0]].occurred_at,
                    rows[marked[-1]].occurred_at,
                )
            )
        return findings

    def _act(self, tx: Transaction, settings: SerialVoting, finding: Finding) -> Finding:
        from guildkit.moderation.cases import flag
        from guildkit.moderation.common import audit

        reason = (
            f"{KIND}: {len(finding.keys)} votes from {finding.voter} to {finding.target}, "
            f"more than {settings.threshold} within {settings.window_hours} hours"
        )
        points: dict[str, int] = {}
        for key in finding.keys:
            for change in tx.retract(key, reason=reason).points:
                if change.user_id == finding.target:
                    points[change.point_type] = points.get(change.point_type, 0) + change.amount
        details = {"target": finding.target, "keys": list(finding.keys), "points": points}
        case_id = flag(tx, finding.voter, f"member:{finding.voter}", "other", reason, details)
        members = tx.members(finding.voter, finding.target, active=False)
        audit(tx, None, "reverse_votes", members[finding.voter], case_id, reason, details)
        return Finding(finding.voter, finding.target, finding.keys, finding.first_at, finding.last_at, points, case_id)
