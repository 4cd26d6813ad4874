"""Data rights: ``gk.privacy``. Export everything guildkit holds about a member, erase a member,
and let a member leave the leaderboards.

* :meth:`Privacy.export` gathers the core's sections (profile, roles, balances, ledger, badges,
  activities, notifications, staff actions concerning them) and asks every plugin for its own
  through ``guildkit_member_export``, in one read transaction: one JSON document with a format
  name and version (:data:`FORMAT`, :data:`FORMAT_VERSION`), datetimes in ISO 8601.
* :meth:`Privacy.erase` pseudonymises the member in one write transaction: the core's tables
  (:func:`guildkit.erasure.erase_core`) and every plugin's (``guildkit_member_erase``). A plugin
  that fails aborts the whole erasure (:class:`~guildkit.errors.PrivacyHookFailed`, naming it):
  a member is never left half erased. The erasure is written to the audit log (area
  ``privacy``) with the tombstone, never the old id.
* :meth:`Privacy.set_leaderboard_opt_out` stores the member's choice; :mod:`guildkit.leaderboards`
  leaves opted-out (and erased) members off every board and out of everyone's rank.

The community plugin offers this as ``gk.privacy``; ``docs/privacy.md`` is the full story.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import audit
from guildkit.activity import user_ref
from guildkit.erasure import TOMBSTONE_PREFIX, Erasure, erase_core, is_tombstone
from guildkit.errors import Conflict, PluginError, PrivacyHookFailed, UnknownMember, ValidationError
from guildkit.models import (
    Activity,
    AuditRecord,
    BadgeAward,
    Balance,
    LedgerEntry,
    Member,
    Notification,
    RoleGrant,
    table_of,
)
from guildkit.plugins import collecting_failures
from guildkit.text import check_text

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

#: The export's ``format``: what the document is.
FORMAT = "guildkit.member-export"
#: The export's ``version``: raised when a key is renamed or removed (adding keys keeps it).
FORMAT_VERSION = 1

MEMBERS = table_of(Member)
ACTIVITIES = table_of(Activity)
LEDGER = table_of(LedgerEntry)
BALANCES = table_of(Balance)
AWARDS = table_of(BadgeAward)
GRANTS = table_of(RoleGrant)
NOTIFICATIONS = table_of(Notification)
AUDIT = table_of(AuditRecord)


@dataclass(frozen=True)
class Erased:
    """What :meth:`Privacy.erase` did."""

    member_id: int
    #: The member's user id from now on (``erased:…``).
    tombstone: str
    erased_at: datetime
    #: The plugins that erased their part (``guildkit_member_erase``), in the order they ran.
    plugins: tuple[str, ...]


class Privacy:
    """``gk.privacy``: a member's data rights, for one :class:`~guildkit.GuildKit`."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- the leaderboard opt-out -----------------------------------------------------------

    def leaderboard_opt_out(self, user_id: str | int) -> bool:
        """Whether the member asked to be left off leaderboards (``False`` for a non-member)."""
        user = user_ref(user_id)
        found = self.gk.session.scalar(sa.select(Member.leaderboard_opt_out).where(Member.user_id == user))
        return bool(found)

    def set_leaderboard_opt_out(self, user_id: str | int, opt_out: bool) -> bool:
        """Leave the leaderboards (``True``) or come back (``False``); returns the setting.

        A host user who is not a member yet becomes one, so the choice holds from their first
        activity. Suspended and banned members may change it too.
        """
        if not isinstance(opt_out, bool):
            raise ValidationError("opt_out must be true or false", field="opt_out")
        user = str(user_id)
        if is_tombstone(user):
            raise Conflict("an erased member has no settings", user_id=user)

        def body(tx: Transaction) -> None:
            member_id = tx.members(user, active=False)[user]
            tx.conn.execute(MEMBERS.update().where(MEMBERS.c.id == member_id).values(leaderboard_opt_out=opt_out))

        self.gk.transaction(body)
        self.gk.session.expire_all()  # the read session may hold the member row from before
        return opt_out

    # -- export ----------------------------------------------------------------------------

    def export(self, user_id: str | int) -> dict[str, Any]:
        """Everything guildkit and its plugins hold about the member, as a JSON-ready dict.

        :raises UnknownMember: the host user is not a member.
        :raises PrivacyHookFailed: a plugin could not export its part (the export would be
            incomplete, so there is none).
        """
        member = self.gk.member(user_id)
        engine = self.gk.store.engine
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # Every section from one snapshot, even while the member keeps earning.
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                document = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "exported_at": self.gk.clock(),
                    **core_sections(conn, member),
                    "plugins": self._plugin_sections(conn, member),
                }
        return jsonable(document)  # type: ignore[no-any-return]

    def _plugin_sections(self, conn: sa.Connection, member: Member) -> dict[str, Any]:
        with collecting_failures() as failures:
            results = self.gk.pm.hook.guildkit_member_export(gk=self.gk, member=member, conn=conn)
        if failures:
            self.gk.record_failures(failures)
            raise PrivacyHookFailed(failures[0]["hook"], failures[0]["plugin"], failures[0]["error"])
        sections: dict[str, Any] = {}
        for result in reversed(results):  # in order of registration
            for name, section in result.items():
                if name in sections:
                    raise PluginError(f"two plugins exported a section named {name!r}", section=name)
                sections[name] = section
        return sections

    # -- erase -----------------------------------------------------------------------------

    def erase(
        self,
        user_id: str | int,
        *,
        confirm: bool | str = False,
        by: str | int | None = None,
        via: str | None = None,
        reason: str = "",
    ) -> Erased:
        """Pseudonymise the member everywhere, for good: see ``docs/privacy.md``.

        :param confirm: ``True``, or the member's user id again: erasing cannot be undone.
        :param by: an admin acting (checked), or ``None`` for host code, named by ``via``
            (``"cli"``, ``"account-deletion"`` …) in the audit log.
        :param reason: why, for the audit log (scrubbed of the member's id and names).
        :raises UnknownMember: the host user is not a member (or was erased already).
        :raises Conflict: ``user_id`` is a tombstone: that member was erased already.
        :raises PrivacyHookFailed: a plugin failed: nothing was erased.
        """
        user = str(user_id)
        if confirm is not True and confirm != user:
            raise ValidationError(
                "erasing a member cannot be undone: pass confirm=True, or their user id again", field="confirm"
            )
        check_text(reason, "reason", max_length=2000, empty=True)
        actor = audit.admin_actor(self.gk, by, via)
        member = self.gk.member(user)
        if is_tombstone(member.user_id):
            raise Conflict(f"{user!r} was erased already", user_id=user)
        # The host's own name for them (outside the transaction: it is host code).
        names = tuple({n for n in (member.display_name, self.gk.user_info(user).name) if n})
        tombstone = TOMBSTONE_PREFIX + secrets.token_hex(12)
        caller = self.gk.pm.hook.guildkit_member_erase
        told = tuple(impl.plugin_name for impl in reversed(caller.get_hookimpls()))
        failed: list[dict[str, Any]] = []

        def body(tx: Transaction) -> Erased:
            query = sa.select(MEMBERS.c.user_id).where(MEMBERS.c.id == member.id)
            if tx.dialect == "postgresql":
                query = query.with_for_update()
            if tx.conn.execute(query).scalar() != user:  # erased meanwhile, by another process
                raise UnknownMember(user)
            erasure = Erasure(self.gk, tx, member.id, user, tombstone, names)
            with collecting_failures() as failures:
                caller(gk=self.gk, erasure=erasure)
            if failures:
                failed[:] = failures
                raise PrivacyHookFailed(failures[0]["hook"], failures[0]["plugin"], failures[0]["error"])
            erase_core(erasure)
            audit.write(
                tx.conn,
                tx.now,
                area="privacy",
                actor=tombstone if actor == user else actor,
                action="member.erase",
                target=f"member:{tombstone}",
                member_id=member.id,
                reason=erasure.scrub(reason),
                details={"plugins": list(told)},
            )
            return Erased(member.id, tombstone, tx.now, told)

        try:
            erased = self.gk.transaction(body)
        except PrivacyHookFailed:
            self.gk.record_failures(failed)  # rolled back with the rest: stored on their own
            raise
        self.gk.session.expire_all()  # the read session may hold the member row from before
        return erased


def core_sections(conn: sa.Connection, member: Member) -> dict[str, Any]:
    """The core's part of an export: profile, roles, balances, ledger, badges, activities,
    notifications, and staff actions concerning the member (without who took them)."""
    m = member.id
    activity_key = sa.select(ACTIVITIES.c.key).where(ACTIVITIES.c.id == LEDGER.c.activity_id).scalar_subquery()
    return {
        "member": {
            "user_id": member.user_id,
            "display_name": member.display_name,
            "status": member.status,
            "joined_at": member.joined_at,
            "leaderboard_opt_out": bool(member.leaderboard_opt_out),
        },
        "roles": rows(
            conn,
            sa.select(
                GRANTS.c.role_slug.label("role"),
                GRANTS.c.rule,
                GRANTS.c.mode,
                GRANTS.c.reason,
                GRANTS.c.granted_at,
                GRANTS.c.revoked_at,
                GRANTS.c.revoke_reason,
            )
            .where(GRANTS.c.member_id == m)
            .order_by(GRANTS.c.id),
        ),
        "balances": rows(
            conn,
            sa.select(BALANCES.c.point_type, BALANCES.c.balance, BALANCES.c.level, BALANCES.c.updated_at)
            .where(BALANCES.c.member_id == m)
            .order_by(BALANCES.c.point_type),
        ),
        "ledger": rows(
            conn,
            sa.select(
                LEDGER.c.id,
                LEDGER.c.point_type,
                LEDGER.c.amount,
                LEDGER.c.balance_after,
                LEDGER.c.rule,
                LEDGER.c.reason,
                activity_key.label("activity_key"),
                LEDGER.c.reverses_id,
                LEDGER.c.created_at,
            )
            .where(LEDGER.c.member_id == m)
            .order_by(LEDGER.c.id),
        ),
        "badges": rows(
            conn,
            sa.select(
                AWARDS.c.badge_slug.label("badge"),
                AWARDS.c.level,
                AWARDS.c.rule,
                AWARDS.c.mode,
                AWARDS.c.reason,
                AWARDS.c.awarded_at,
                AWARDS.c.revoked_at,
                AWARDS.c.revoke_reason,
            )
            .where(AWARDS.c.member_id == m)
            .order_by(AWARDS.c.id),
        ),
        "activities": [
            {**row, "as": _role(row.pop("actor_id"), row.pop("target_id"), m)}
            for row in rows(
                conn,
                sa.select(
                    ACTIVITIES.c.key,
                    ACTIVITIES.c.type,
                    ACTIVITIES.c.actor_id,
                    ACTIVITIES.c.target_id,
                    ACTIVITIES.c.subject,
                    ACTIVITIES.c.payload,
                    ACTIVITIES.c.occurred_at,
                    ACTIVITIES.c.recorded_at,
                    ACTIVITIES.c.retracted_at,
                    ACTIVITIES.c.retract_reason,
                )
                .where(sa.or_(ACTIVITIES.c.actor_id == m, ACTIVITIES.c.target_id == m))
                .order_by(ACTIVITIES.c.id),
            )
        ],
        "notifications": rows(
            conn,
            sa.select(
                NOTIFICATIONS.c.kind,
                NOTIFICATIONS.c.text,
                NOTIFICATIONS.c.data,
                NOTIFICATIONS.c.created_at,
                NOTIFICATIONS.c.read_at,
            )
            .where(NOTIFICATIONS.c.member_id == m)
            .order_by(NOTIFICATIONS.c.id),
        ),
        "staff_actions": rows(
            conn,
            sa.select(AUDIT.c.area, AUDIT.c.action, AUDIT.c.reason, AUDIT.c.at)
            .where(sa.or_(AUDIT.c.member_id == m, AUDIT.c.target == f"member:{member.user_id}"))
            .order_by(AUDIT.c.id),
        ),
    }


def rows(conn: sa.Connection, query: sa.Select[Any]) -> list[dict[str, Any]]:
    """The query's rows as plain dicts, for an export section (features' exports use it too)."""
    return [dict(row._mapping) for row in conn.execute(query)]


def _role(actor_id: int | None, target_id: int | None, member_id: int) -> str:
    if actor_id == member_id and target_id == member_id:
        return "both"
    return "actor" if actor_id == member_id else "target"


def jsonable(value: Any) -> Any:
    """``value`` with datetimes and dates as ISO 8601 strings and tuples as lists; anything else
    that JSON cannot hold is a ``TypeError``."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} is not JSON")
