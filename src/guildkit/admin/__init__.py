"""The admin console's service, ``gk.admin`` (docs/admin.md): what the admin pages and the admin
API call.

* **Badges**: every badge with its origin; badges made here (``guildkit_console_badges``) can
  be edited, archived and given an image; code- and file-defined ones are read-only.
* **Manual awards and revocations** of points, badges and roles, with a required reason: the
  ``guildkit.award`` / ``guildkit.revoke`` activities, so they land in the ledger with it.
* **Roles** made here, with permissions from the known list; granting and revoking them.
* **Rules, plugins, hook failures**: what is running, where each piece came from; rule-change
  previews (stored, paged) and applying the rules in force to history (:mod:`.rule_changes`).
* **The audit log**: every change above writes one row (area ``admin``) of guildkit's audit log
  (:mod:`guildkit.audit`) in its own transaction. API tokens are the core's (``gk.tokens``).

Changing methods take ``by``, the admin's host user id (checked: ``admin`` permission), or
``None`` for host code or an API token, which then names itself in ``via`` for the audit log.
A change to console badges or roles is checked by a trial registry build before it commits,
bumps the definitions version (:mod:`.versions`) and rebuilds this process's registry at once.

Each job lives in its own module (:mod:`.badge_console`, :mod:`.role_console`, :mod:`.awards`,
:mod:`.inspection`, :mod:`.rule_changes`); :class:`Admin` is all of them, reached as ``gk.admin``.
"""

from __future__ import annotations

from typing import Unpack

from guildkit.admin.awards import ManualAwards
from guildkit.admin.badge_console import BadgeConsole
from guildkit.admin.inspection import Inspection
from guildkit.admin.role_console import RoleConsole
from guildkit.admin.rule_changes import PreviewView, RuleChangesConsole
from guildkit.admin.views import BadgeView, FailureView, PluginView, RoleView, RuleView, describe, origin_of
from guildkit.audit import AuditEntry, AuditFilters

__all__ = [
    "Admin",
    "BadgeView",
    "FailureView",
    "PluginView",
    "PreviewView",
    "RoleView",
    "RuleView",
    "describe",
    "origin_of",
]


class Admin(BadgeConsole, RoleConsole, ManualAwards, Inspection, RuleChangesConsole):
    """The admin console for one :class:`~guildkit.GuildKit`: every job above."""

    def audit(self, **filters: Unpack[AuditFilters]) -> list[AuditEntry]:
        """guildkit's audit log as the console shows it: every area, newest first, filtered."""
        return self.gk.audit_log(**filters)
