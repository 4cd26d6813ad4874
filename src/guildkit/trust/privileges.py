"""Privileges: named capabilities unlocked by trust level, points, a role or a badge.

``GUILDKIT_PRIVILEGES`` maps each privilege to a requirement: one mapping with a single key
(``{"trust_level": 1}``, ``{"points": {"reputation": 15}}``, ``{"role": "moderator"}``,
``{"badge": "editor"}``), or a list of such mappings, any one of which unlocks it; or, to say
it in words for members, ``{"label": "Flag posts", "description": "…", "requires": <the same>}``.

:meth:`GuildKit.can` answers for host code: members who are not active have no privileges; staff
with ``admin`` have them all; then the ``guildkit_can`` hook may grant or deny.
:meth:`GuildKit.privileges` lists each privilege with its requirement and the member's progress.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from guildkit import queries
from guildkit.activity import user_ref
from guildkit.config import parsed
from guildkit.definitions import shown
from guildkit.errors import ConfigurationError, ValidationError
from guildkit.i18n import N_, ngettext, translated
from guildkit.i18n import gettext as _
from guildkit.models import Member
from guildkit.plugins import collecting_failures
from guildkit.trust.models import TRUST_LEVELS
from guildkit.words import either, number, readable

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

KINDS = ("trust_level", "points", "role", "badge")

#: What members read for the privileges guildkit defines or defaults, unless the host says (in
#: the reader's language when shown, as are the host's own words its catalogue translates).
LABELS: dict[str, tuple[str, str]] = {
    "flag": (N_("Flag posts"), N_("Point moderators to posts that break the guidelines.")),
    "vote_down": (N_("Vote down"), N_("Mark posts that are not useful.")),
    "invite": (N_("Invite people"), N_("Bring new members into the community.")),
    "edit_others": (N_("Edit others' posts"), N_("Improve posts written by other members.")),
    "comment_everywhere": (N_("Comment everywhere"), N_("Comment on any post, not only your own.")),
    "content.visible": (
        N_("Your posts are shown"), N_("Others see what you post (a moderator may hide it for a while)."),
    ),
}  # fmt: skip

#: A small default set (see docs/trust.md for a Stack Exchange-style one over reputation).
DEFAULT_PRIVILEGES: dict[str, object] = {
    "flag": {"trust_level": 1},
    "vote_down": {"trust_level": 1},
    "invite": {"trust_level": 2},
    "edit_others": [{"trust_level": 3}, {"role": "moderator"}],
}


@dataclass(frozen=True)
class Requirement:
    """One way to unlock a privilege: ``kind`` is ``trust_level``, ``points``, ``role`` or ``badge``."""

    kind: str
    #: The slug of the point type, role or badge (``""`` for a trust level).
    slug: str
    #: The trust level or the points needed (1 for a role or badge).
    amount: int


@dataclass(frozen=True)
class PrivilegeStatus:
    """A privilege as a member sees it: whether they have it, what unlocks it, and how far they are."""

    name: str
    has: bool
    requirement: str
    progress: str
    #: The privilege in words ("Flag posts") and what it lets the member do.
    label: str = ""
    description: str = ""


@dataclass(frozen=True)
class Holdings:
    """What a member has that requirements look at."""

    level: int
    balances: Mapping[str, int]
    roles: frozenset[str]
    badges: frozenset[str]

    def meets(self, req: Requirement) -> bool:
        return self.value(req) >= req.amount

    def value(self, req: Requirement) -> int:
        if req.kind == "trust_level":
            return self.level
        if req.kind == "points":
            return self.balances.get(req.slug, 0)
        held = self.roles if req.kind == "role" else self.badges
        return 1 if req.slug in held else 0


def parse_privileges(raw: object) -> dict[str, tuple[Requirement, ...]]:
    """``GUILDKIT_PRIVILEGES`` as requirements (any-of); :class:`ConfigurationError` if malformed."""
    key = "GUILDKIT_PRIVILEGES"
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{key} must map privilege names to requirements")
    parsed = {}
    for name, spec in raw.items():
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"{key}: privilege names must be non-empty strings")
        spec = _worded(f"{key}[{name!r}]", spec)[2]
        options = spec if isinstance(spec, list | tuple) else [spec]
        if not options:
            raise ConfigurationError(f"{key}[{name!r}] needs at least one requirement")
        parsed[name] = tuple(_requirement(f"{key}[{name!r}]", option) for option in options)
    return parsed


def privilege_words(raw: Mapping[str, object]) -> dict[str, tuple[str, str]]:
    """Each privilege's ``(label, description)``: the host's, else guildkit's, else its name made readable."""
    found = {}
    for name, spec in raw.items():
        label, description, _ = _worded(name, spec)
        known = LABELS.get(name, (readable(name), ""))
        found[name] = (label or known[0], description if label else description or known[1])
    return found


def _worded(where: str, spec: object) -> tuple[str, str, object]:
    """``(label, description, requirements)`` of a privilege's spec (labels empty when not given)."""
    if not isinstance(spec, Mapping) or "requires" not in spec:
        return "", "", spec
    if set(spec) - {"label", "description", "requires"}:
        raise ConfigurationError(f"{where}: a worded privilege has 'label', 'description' and 'requires'")
    label, description = spec.get("label", ""), spec.get("description", "")
    if not isinstance(label, str) or not isinstance(description, str) or len(label) > 100 or len(description) > 300:
        raise ConfigurationError(f"{where}: label (up to 100 characters) and description (300) must be text")
    return label, description, spec["requires"]


def _requirement(where: str, raw: object) -> Requirement:
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in KINDS:
        raise ConfigurationError(f"{where}: each requirement is one of {', '.join(KINDS)} (got {raw!r})")
    kind, value = next(iter(raw.items()))
    if kind == "trust_level":
        if value not in TRUST_LEVELS or isinstance(value, bool):
            raise ConfigurationError(f"{where}: trust_level must be 0-4")
        return Requirement(kind, "", value)
    if kind == "points":
        if not isinstance(value, Mapping) or len(value) != 1:
            raise ConfigurationError(f"{where}: points must be {{point_type: amount}} (one type)")
        slug, amount = next(iter(value.items()))
        if not isinstance(slug, str) or not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
            raise ConfigurationError(f"{where}: points must be {{point_type: positive integer}}")
        return Requirement(kind, slug, amount)
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{where}: {kind} must be a slug")
    return Requirement(kind, value, 1)


class Privileges:
    """Answers ``can`` and lists privileges, for one :class:`~guildkit.GuildKit`."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    @property
    def defined(self) -> dict[str, tuple[Requirement, ...]]:
        return parsed("GUILDKIT_PRIVILEGES", parse_privileges)

    def _member(self, user_id: str) -> Member | None:
        return self.gk.session.scalar(sa.select(Member).where(Member.user_id == user_id))

    def _holdings(self, member: Member | None) -> Holdings:
        if member is None:
            return Holdings(0, {}, frozenset(), frozenset())
        session = self.gk.session
        return Holdings(
            level=self.gk.trust.level(member.user_id),
            balances=queries.balances(session, member.id),
            roles=frozenset(queries.role_slugs(session, member.id)),
            badges=frozenset(a.badge_slug for a in queries.badge_awards(session, member.id)),
        )

    def _is_admin(self, holdings: Holdings) -> bool:
        roles = self.gk.registry.roles
        return any("admin" in roles[r].permissions for r in holdings.roles if r in roles)

    def _answer(self, user_id: str, name: str, options: tuple[Requirement, ...], holdings: Holdings) -> bool:
        granted = self._is_admin(holdings) or any(holdings.meets(r) for r in options)
        # A plugin's answer (guildkit_can) replaces the built-in one; its failures are recorded.
        with collecting_failures() as failures:
            answer = self.gk.pm.hook.guildkit_can(gk=self.gk, user_id=user_id, privilege=name, granted=granted)
        if failures:
            self.gk.record_failures(failures)
        return granted if answer is None else bool(answer)

    def can(self, user_id: str | int, privilege: str) -> bool:
        defined = self.defined
        if not isinstance(privilege, str) or privilege not in defined:
            raise ValidationError(f"unknown privilege {privilege!r} (see GUILDKIT_PRIVILEGES)", field="privilege")
        user = user_ref(user_id, "user_id")
        member = self._member(user)
        if member is not None and member.status != "active":
            return False
        return self._answer(user, privilege, defined[privilege], self._holdings(member))

    def statuses(self, user_id: str | int) -> list[PrivilegeStatus]:
        """Every privilege in ``GUILDKIT_PRIVILEGES`` order: held or not, its requirement, the progress."""
        user = user_ref(user_id, "user_id")
        member = self.gk.member(user)
        holdings = self._holdings(member)
        words = privilege_words(current_app.config["GUILDKIT_PRIVILEGES"])
        out = []
        for name, options in self.defined.items():
            has = member.status == "active" and self._answer(user, name, options, holdings)
            out.append(
                PrivilegeStatus(
                    name=name,
                    has=has,
                    requirement=either([self._describe(r) for r in options], N_("%(one)s or %(other)s")) or "",
                    progress="; ".join(self._progress(r, holdings) for r in options),
                    label=translated(words[name][0]),
                    description=translated(words[name][1]),
                )
            )
        return out

    def _describe(self, req: Requirement) -> str:
        """What unlocks a privilege, in the reader's language: "trust level 1 (Basic)", "20 Reputation"."""
        registry = self.gk.registry
        if req.kind == "trust_level":
            return _("trust level %(level)s (%(name)s)", level=req.amount, name=self.gk.trust.name(req.amount))
        if req.kind == "points":
            return ngettext("%(count)s %(unit)s", "%(count)s %(unit)s", req.amount, count=number(req.amount),
                            unit=self._unit(req.slug))  # fmt: skip
        if req.kind == "role":
            role = registry.roles.get(req.slug)
            return _("the %(role)s role", role=shown(role.name) if role else req.slug)
        badge = registry.badges.get(req.slug)
        return _("the %(badge)s badge", badge=shown(badge.name) if badge else req.slug)

    def _progress(self, req: Requirement, holdings: Holdings) -> str:
        value = holdings.value(req)
        if req.kind == "trust_level":
            return _("trust level %(level)s of %(needed)s", level=value, needed=req.amount)
        if req.kind == "points":
            return ngettext("%(value)s of %(count)s %(unit)s", "%(value)s of %(count)s %(unit)s", req.amount,
                            value=number(value), count=number(req.amount), unit=self._unit(req.slug))  # fmt: skip
        if req.kind == "role":
            return _("role held") if value else _("role not held")
        return _("badge held") if value else _("badge not held")

    def _unit(self, slug: str) -> str:
        point_type = self.gk.registry.point_types.get(slug)
        return shown(point_type.name) if point_type else slug


def can(gk: GuildKit) -> Callable[[str | int, str], bool]:
    """``gk.can``: whether a member has a privilege (see :meth:`Privileges.can`)."""
    return Privileges(gk).can


def statuses(gk: GuildKit) -> Callable[[str | int], list[PrivilegeStatus]]:
    """``gk.privileges``: every privilege as a member sees it (see :meth:`Privileges.statuses`)."""
    return Privileges(gk).statuses
