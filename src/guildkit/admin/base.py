"""What every job of the admin console shares: the admin check, the audit row, and the trial
registry build that guards a change to console definitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from guildkit import audit
from guildkit.admin import console
from guildkit.admin.versions import bump_version
from guildkit.errors import DuplicateDefinition, GuildKitError, ValidationError
from guildkit.registry import Registry

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction


class ConsoleJob:
    """One job of the console (badges, roles, manual awards, inspection) for one ``GuildKit``."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def _admin(self, by: str | int | None, via: str | None) -> str | None:
        """The actor to write in the audit log; :class:`NotAllowed` unless ``by`` is an admin."""
        return audit.admin_actor(self.gk, by, via)

    @staticmethod
    def _audit(
        tx: Transaction, actor: str | None, action: str, target: str | None, reason: str, details: dict[str, Any]
    ) -> None:
        """One row of the audit log (area ``admin``), committed with the change."""
        audit.write(
            tx.conn, tx.now, area="admin", actor=actor, action=action, target=target, reason=reason, details=details
        )

    def _definitions_changed(self, tx: Transaction) -> None:
        """Refuse a change the registry could not be built with; else bump the version."""
        snapshot = console.load_snapshot(tx.conn)
        try:
            with console.preview(snapshot):
                Registry.build(self.gk.pm, self.gk)
        except ValidationError:
            raise
        except DuplicateDefinition as exc:
            raise ValidationError(exc.message, field="slug") from exc
        except GuildKitError as exc:
            text = exc.message
            field = "point_type" if "point type" in text else "thresholds" if "threshold" in text else "criterion"
            raise ValidationError(text, field=field) from exc
        bump_version(tx.conn)


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Audit details are JSON: lists stay lists, everything else is already plain."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}
