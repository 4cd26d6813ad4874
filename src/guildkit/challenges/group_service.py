"""Groups, as challenges see them: through the ``gk.groups`` service only, when a plugin offers it.

The groups feature (or any plugin registering a ``groups`` service) is optional: with none,
group challenges are refused with a clear error and everything else works. This feature never
imports another; these four methods are all it asks of the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from guildkit.errors import NotFound, ValidationError
from guildkit.i18n import gettext as _

if TYPE_CHECKING:
    import sqlalchemy as sa

    from guildkit.extension import GuildKit


class GroupView(Protocol):
    """A group as ``gk.groups.get`` returns it (its ``url``, where it has one, is read if present)."""

    @property
    def name(self) -> str: ...

    @property
    def slug(self) -> str: ...


class GroupsService(Protocol):
    """What challenges use of ``gk.groups``."""

    def group_ids_of(self, conn: sa.Connection, member_id: int) -> list[int]: ...

    def can_manage(self, conn: sa.Connection, group_id: int, member_id: int) -> bool: ...

    def get(self, group_id: int) -> GroupView: ...

    def members_of(self, conn: sa.Connection, group_id: int) -> list[int]: ...


def service(gk: GuildKit) -> GroupsService | None:
    """``gk.groups``, or ``None`` when no registered plugin offers it (``gk`` raises
    ``AttributeError`` for a service nobody registered)."""
    found: Any = getattr(gk, "groups", None)
    return found  # type: ignore[no-any-return]


def required(gk: GuildKit, field: str) -> GroupsService:
    """``gk.groups``; a :class:`ValidationError` on ``field`` when groups are switched off."""
    found = service(gk)
    if found is None:
        raise ValidationError(
            _("group challenges need the groups feature, which is switched off on this community"), field=field
        )
    return found


def view(gk: GuildKit, group_id: int) -> GroupView | None:
    """The group, or ``None`` when there is no such group (or no groups at all)."""
    groups = service(gk)
    if groups is None:
        return None
    try:
        return groups.get(group_id)
    except (NotFound, LookupError):
        return None
