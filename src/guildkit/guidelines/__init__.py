"""The community guidelines: a versioned code of conduct members accept, ``gk.guidelines``.

* :meth:`Guidelines.publish` (admins) adds a new version: versions are numbered 1, 2, 3 … and
  never edited, so what a member accepted stays readable under its number. The newest is current.
  Publishing announces ``guildkit_guidelines_published`` after the commit; members are not
  notified one by one: the pages show a one-line notice to each member who has not accepted.
* :meth:`Guidelines.accept` records that a member accepted the current version, once (accepting
  again keeps the first time), with a ``guildkit.guidelines_accepted`` activity in the same
  transaction. A new version asks again: :meth:`Guidelines.pending`.
* With ``GUILDKIT_REQUIRE_GUIDELINES``, members who have not accepted the current version earn
  nothing (the pipeline treats them like suspended members: :mod:`guildkit.unit`).

The body is Markdown (CommonMark); :func:`render_markdown` turns it into HTML without raw HTML
and without ``javascript:`` (or other unsafe) links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from markdown_it import MarkdownIt
from markupsafe import Markup

from guildkit.activity import user_ref
from guildkit.errors import NotAllowed, ValidationError, check_fields
from guildkit.guidelines.errors import UnknownGuidelines
from guildkit.guidelines.hookspecs import GuidelinesPublished
from guildkit.guidelines.models import Guidelines as GuidelinesRow
from guildkit.guidelines.models import GuidelinesAcceptance
from guildkit.models import Member, table_of
from guildkit.store import upsert
from guildkit.text import MAX_INT, check_text

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

#: The activity type of a member accepting a version (actor: the member; payload: the version).
ACCEPTED = "guildkit.guidelines_accepted"
TITLE_MAX = 191
BODY_MAX = 100_000
SUMMARY_MAX = 2000

GUIDELINES = table_of(GuidelinesRow)
ACCEPTANCES = table_of(GuidelinesAcceptance)
MEMBERS = table_of(Member)

# CommonMark with raw HTML off: "<script>" in the text is shown, not run. markdown-it's default
# link validation drops javascript:, vbscript:, file: and (non-image) data: URLs.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def render_markdown(text: str) -> Markup:
    """The guidelines' Markdown as HTML that is safe to put in a page."""
    # Safe: with html off, markdown-it escapes every character of the text it does not turn into markup.
    return Markup(_MARKDOWN.render(text))


@dataclass(frozen=True)
class GuidelinesVersion:
    """One published version of the guidelines."""

    version: int
    title: str
    #: Markdown; see :attr:`html`.
    body: str
    summary: str
    published_at: datetime
    #: The host user id of the admin who published it (``None``: host code).
    published_by: str | None

    @property
    def html(self) -> Markup:
        """The body rendered safely (no raw HTML, no unsafe links)."""
        return render_markdown(self.body)


@dataclass(frozen=True)
class Acceptance:
    """A member accepted ``version`` at ``accepted_at``."""

    user_id: str
    version: int
    accepted_at: datetime


class Guidelines:
    """The community guidelines of one :class:`~guildkit.GuildKit`; methods take host user ids."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- reading ---------------------------------------------------------------------------

    def current(self) -> GuidelinesVersion | None:
        """The newest version, or ``None`` before any is published."""
        row = self.gk.session.execute(_SELECT.order_by(GUIDELINES.c.version.desc()).limit(1)).first()
        return _view(row) if row else None

    def version(self, version: int) -> GuidelinesVersion:
        """One version; :class:`~guildkit.UnknownGuidelines` if there is none."""
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValidationError(f"version must be an integer, got {type(version).__name__}", field="version")
        if not 0 < version <= MAX_INT:  # no such version (and beyond what a database integer holds)
            raise UnknownGuidelines(version)
        row = self.gk.session.execute(_SELECT.where(GUIDELINES.c.version == version)).first()
        if row is None:
            raise UnknownGuidelines(version)
        return _view(row)

    def history(self) -> list[GuidelinesVersion]:
        """Every version, newest first."""
        return [_view(row) for row in self.gk.session.execute(_SELECT.order_by(GUIDELINES.c.version.desc()))]

    def acceptance(self, user_id: str | int) -> Acceptance | None:
        """When the member accepted the current version (``None``: not yet, or no guidelines)."""
        user_id = user_ref(user_id)
        row = self.gk.session.execute(
            sa.select(ACCEPTANCES.c.version, ACCEPTANCES.c.accepted_at)
            .join(MEMBERS, MEMBERS.c.id == ACCEPTANCES.c.member_id)
            .where(MEMBERS.c.user_id == str(user_id), ACCEPTANCES.c.version == _CURRENT_VERSION)
        ).first()
        return Acceptance(str(user_id), row.version, row.accepted_at) if row else None

    def has_accepted(self, user_id: str | int) -> bool:
        """Whether the member accepted the current version (false when there are no guidelines)."""
        return self.acceptance(user_id) is not None

    def pending(self, user_id: str | int) -> bool:
        """Whether there is a current version the member has not accepted yet (one query)."""
        user_id = user_ref(user_id)
        member = sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == str(user_id)).scalar_subquery()
        accepted = sa.exists().where(ACCEPTANCES.c.member_id == member, ACCEPTANCES.c.version == _CURRENT_VERSION)
        current, done = self.gk.session.execute(sa.select(_CURRENT_VERSION, accepted)).one()
        return current is not None and not done

    def changed_since_joining(self, user_id: str | int) -> bool:
        """Whether the current version came out while the member was already a member (one
        query): for them the guidelines *changed*; for someone who joined later they are new."""
        user_id = user_ref(user_id)
        joined = sa.select(MEMBERS.c.joined_at).where(MEMBERS.c.user_id == str(user_id)).scalar_subquery()
        current = GUIDELINES.c.version == _CURRENT_VERSION
        since = sa.select(GUIDELINES.c.version).where(current, GUIDELINES.c.published_at >= joined).exists()
        return bool(self.gk.session.scalar(sa.select(since)))

    # -- writing ---------------------------------------------------------------------------

    def publish(self, by: str | int | None, *, title: str, body: str, summary: str = "") -> GuidelinesVersion:
        """Publish a new version (``by``: an admin; ``None`` for host code). Returns it.

        Raises :class:`~guildkit.errors.NotAllowed` when ``by`` lacks the ``admin`` permission and
        :class:`~guildkit.errors.ValidationError` naming every bad field of the title, body and summary.
        """
        if by is not None and not self.gk.has_permission(by, "admin"):
            raise NotAllowed(f"only admins may publish guidelines, and {str(by)!r} is not one", user_id=str(by))
        check_fields(
            {
                "title": lambda: check_text(title, "title", max_length=TITLE_MAX),
                "body": lambda: check_text(body, "body", max_length=BODY_MAX),
                "summary": lambda: check_text(summary, "summary", max_length=SUMMARY_MAX, empty=True),
            }
        )
        publisher = None if by is None else str(by)

        def write(tx: Transaction) -> GuidelinesVersion:
            if tx.dialect == "postgresql":
                # One publisher at a time, so two never compute the same next version (SQLite's
                # BEGIN IMMEDIATE already serializes writers); the primary key is the backstop.
                tx.conn.exec_driver_sql(f"LOCK TABLE {GUIDELINES.name} IN SHARE ROW EXCLUSIVE MODE")
            by_id = tx.members(publisher, active=False)[publisher] if publisher is not None else None
            version = int(tx.conn.scalar(sa.select(sa.func.max(GUIDELINES.c.version))) or 0) + 1
            values: dict[str, Any] = {
                "version": version,
                "title": title,
                "body": body,
                "summary": summary,
                "published_at": tx.now,
                "published_by": by_id,
            }
            tx.conn.execute(sa.insert(GUIDELINES).values(**values))
            tx.announce(
                "guidelines_published",
                guidelines=GuidelinesPublished(version, title, summary, publisher),
            )
            return GuidelinesVersion(version, title, body, summary, tx.now, publisher)

        return self.gk.transaction(write)

    def accept(self, user_id: str | int, version: int) -> Acceptance:
        """Record that the member accepted ``version``, which must be the current one.

        Accepting again changes nothing and returns the first acceptance. A version that is not
        the current one raises :class:`~guildkit.errors.ValidationError` (``field="version"``).
        """
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValidationError("version must be an integer", field="version")
        user = str(user_id)

        def write(tx: Transaction) -> Acceptance:
            current = tx.conn.scalar(sa.select(sa.func.max(GUIDELINES.c.version)))
            if current is None:
                raise ValidationError("there are no guidelines to accept yet", field="version")
            if version != current:
                raise ValidationError(
                    f"version {version} is not the current version of the guidelines ({current})", field="version"
                )
            member_id = tx.members(user, active=False)[user]
            tx.conn.execute(
                upsert(tx.dialect, ACCEPTANCES, ("member_id", "version")),
                {"member_id": member_id, "version": version, "accepted_at": tx.now},
            )
            # Recorded after the acceptance, so the gate already lets this activity's own rules award.
            tx.record(ACCEPTED, key=f"guidelines:{version}:{user}", actor=user, payload={"version": version})
            accepted_at: datetime = tx.conn.execute(
                sa.select(ACCEPTANCES.c.accepted_at).where(
                    ACCEPTANCES.c.member_id == member_id, ACCEPTANCES.c.version == version
                )
            ).scalar_one()
            return Acceptance(user, version, accepted_at)

        return self.gk.transaction(write)


_SELECT = sa.select(GUIDELINES, MEMBERS.c.user_id.label("publisher")).outerjoin(
    MEMBERS, MEMBERS.c.id == GUIDELINES.c.published_by
)
_CURRENT_VERSION = sa.select(sa.func.max(GUIDELINES.c.version)).scalar_subquery()


def _view(row: Any) -> GuidelinesVersion:
    return GuidelinesVersion(row.version, row.title, row.body, row.summary, row.published_at, row.publisher)
