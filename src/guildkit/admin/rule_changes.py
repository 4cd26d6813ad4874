"""Rule changes in the console: preview a proposed rule file, apply the rules in force to history,
and offer a new or edited badge to the members who already qualify.

A preview replays the whole history (``gk.rules.preview``), so it is stored once made
(``guildkit_rule_previews``) and paged from there. An apply can take minutes on a large
community: it runs as the ``guildkit.rules.apply`` job (in the background with the thread or
Celery backend), and the audit log records it when it is done.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from guildkit.admin.base import ConsoleJob
from guildkit.admin.models import RulePreview, RulePreviewMember
from guildkit.builtin.rule_changes import APPLY_JOB
from guildkit.definitions import source
from guildkit.errors import ConfigurationError, NotFound, UnknownBadge, ValidationError
from guildkit.i18n import gettext as _
from guildkit.models import table_of
from guildkit.replay.apply import ApplyOptions
from guildkit.rules.loader import parse_rules
from guildkit.rules.ruleset import RuleSet
from guildkit.text import check_text, is_row_id
from guildkit.transaction import Transaction

PREVIEWS = table_of(RulePreview)
PREVIEW_MEMBERS = table_of(RulePreviewMember)
MAX_PROPOSAL = 200_000
MAX_PER_PAGE = 200


class UnknownPreview(NotFound):
    code = "unknown_preview"

    def __init__(self, preview_id: int) -> None:
        super().__init__(f"there is no rule preview {preview_id}", preview_id=preview_id)


@dataclass(frozen=True)
class PreviewView:
    id: int
    subject: str
    proposal: str
    removed: list[str]
    version: int | None
    activities: int
    counters_only: int
    totals: dict[str, Any]
    created_by: str | None
    created_at: datetime
    #: One page of the members affected: ``{"user_id", "points", "levels", "badges_awarded", …}``.
    members: list[dict[str, Any]]
    page: int
    per_page: int
    #: How many members are affected in all (every page).
    member_count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.member_count // self.per_page))


class RuleChangesConsole(ConsoleJob):
    def preview_rules(
        self, by: str | int | None, proposal: str, *, remove: list[str] | None = None, via: str | None = None
    ) -> int:
        """Preview the rules in force with ``proposal`` (rule-file TOML) in place of the definitions
        of the same names, less those in ``remove``; store it and return its id."""
        actor = self._admin(by, via)
        check_text(proposal, "rules", max_length=MAX_PROPOSAL, empty=True)
        removed = list(remove or [])
        if not all(isinstance(name, str) and name for name in removed):
            raise ValidationError("remove must be a list of names", field="remove")
        if not proposal.strip() and not removed:
            raise ValidationError(_("give the proposed rules (rule-file TOML) or names to remove"), field="rules")
        changes = _parse(proposal) if proposal.strip() else None
        subject = "the proposed rules" if changes is not None else "the rules in force less " + ", ".join(removed)
        return self._store_preview(actor, subject, proposal, removed, changes)

    def preview_badge_backfill(self, by: str | int | None, slug: str, *, via: str | None = None) -> int:
        """Preview what the rules in force would award of badge ``slug`` to members who already
        qualify (a badge just made or edited); stored like any preview, its totals say how many."""
        actor = self._admin(by, via)
        definition = self.gk.registry.badges.get(slug)
        if definition is None:
            raise UnknownBadge(slug)
        # Stored as written (English): the pages say it in the reader's language (rule_pages.subject).
        subject = f"badge {source(definition.name)} as it stands"
        return self._store_preview(actor, subject, "", [], None, badge=slug)

    def _store_preview(
        self,
        actor: str | None,
        subject: str,
        proposal: str,
        removed: list[str],
        changes: RuleSet | None,
        *,
        badge: str | None = None,
    ) -> int:
        try:
            found = self.gk.rules.preview(changes, remove=removed)
        except ConfigurationError as exc:
            raise ValidationError(exc.message, field="rules") from exc
        members = found.members
        totals = found.totals.as_json()
        if badge is not None:  # only what the backfill of this badge would give
            members = [m for m in members if any(b == badge and n > 0 for (b, _), n in m.badges.items())]
            totals = {
                "members": len(members),
                "badges_awarded": [t for t in totals["badges_awarded"] if t["badge"] == badge],
            }
        version = self.gk.registry.version

        def write(tx: Transaction) -> int:
            made = tx.conn.execute(
                PREVIEWS.insert()
                .values(
                    subject=subject[:191],
                    proposal=proposal,
                    removed=removed,
                    version=version,
                    activities=found.activities,
                    counters_only=found.counters_only,
                    totals=totals,
                    created_by=actor,
                    created_at=tx.now,
                )
                .returning(PREVIEWS.c.id)
            ).scalar_one()
            rows = [
                {"preview_id": made, "position": n, "user_id": m.user_id, "change": m.as_json()}
                for n, m in enumerate(members)
            ]
            for start in range(0, len(rows), 1000):
                tx.conn.execute(PREVIEW_MEMBERS.insert(), rows[start : start + 1000])
            details = {"preview": made, "members": len(members), "activities": found.activities, "removed": removed}
            self._audit(tx, actor, "rules.preview", f"preview:{made}", subject, details)
            return int(made)

        return self.gk.transaction(write)

    def rule_preview(self, preview_id: int, *, page: int = 1, per_page: int = 50) -> PreviewView:
        """A stored preview with one page of its members."""
        if not is_row_id(preview_id):
            raise ValidationError("preview_id must be a preview's number", field="preview_id")
        if not is_row_id(page):
            raise ValidationError("page must be a whole number from 1", field="page")
        if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
            raise ValidationError(f"per_page must be from 1 to {MAX_PER_PAGE}", field="per_page")
        session = self.gk.session
        row = session.execute(sa.select(PREVIEWS).where(PREVIEWS.c.id == preview_id)).first()
        if row is None:
            raise UnknownPreview(preview_id)
        count = session.scalar(
            sa.select(sa.func.count()).select_from(PREVIEW_MEMBERS).where(PREVIEW_MEMBERS.c.preview_id == preview_id)
        )
        members = session.scalars(
            sa.select(PREVIEW_MEMBERS.c.change)
            .where(PREVIEW_MEMBERS.c.preview_id == preview_id)
            .order_by(PREVIEW_MEMBERS.c.position)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        session.rollback()
        return PreviewView(
            row.id,
            row.subject,
            row.proposal,
            list(row.removed),
            row.version,
            row.activities,
            row.counters_only,
            dict(row.totals),
            row.created_by,
            row.created_at,
            list(members),
            page,
            per_page,
            int(count or 0),
        )

    def recent_previews(self, limit: int = 10) -> list[PreviewView]:
        """The latest stored previews, newest first (without their members)."""
        ids = self.gk.session.scalars(sa.select(PREVIEWS.c.id).order_by(PREVIEWS.c.id.desc()).limit(limit)).all()
        return [self.rule_preview(i, per_page=1) for i in ids]

    def apply_rules(
        self,
        by: str | int | None,
        *,
        version: int | None = None,
        grandfather: bool = False,
        notify: Literal["gains", "nobody"] = "gains",
        dated: Literal["earned", "today"] = "earned",
        badge: str | None = None,
        via: str | None = None,
    ) -> None:
        """Start applying the rules in force to the whole history (or only to ``badge``), as the
        ``guildkit.rules.apply`` job; the audit log records the result when it is done."""
        actor = self._admin(by, via)
        if version is not None:
            self.gk.rules.in_force(version)  # refused now, not in the job
        arguments: dict[str, Any] = {"grandfather": grandfather, "notify": notify, "dated": dated, "by": actor}
        ApplyOptions(notify=notify, dated=dated)  # refused here, not in the job
        if badge is not None:
            if badge not in self.gk.registry.badges:
                raise UnknownBadge(badge)
            arguments["badges"] = [badge]
        if version is not None:
            arguments["version"] = version
        self.gk.jobs.enqueue(APPLY_JOB, **arguments)


def _parse(text: str) -> RuleSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(_("the rules are not valid TOML: %(error)s", error=exc), field="rules") from exc
    try:
        return parse_rules(data, "the proposed rules")
    except ConfigurationError as exc:
        raise ValidationError(exc.message, field="rules") from exc
