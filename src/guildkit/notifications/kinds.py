"""The kinds of notification members can choose about: guildkit's own, and those plugins declare.

guildkit's core and features tell members things under these kinds (``Step.tell_member`` in
:mod:`guildkit.awards`, ``tx.tell`` in the features). They are declared here, each with the
plugin that tells it, so that a kind of a feature the host switched off is not offered; each
feature stays unaware of this one. Plugins add theirs with ``guildkit_register_notification_kinds``;
every activity type that tells the member it was done to (``notify="target"``) is a kind too,
named and labelled by its words.

:func:`registered` gathers them (in this order: the core's, the features', the plugins'), with the
host's ``GUILDKIT_NOTIFICATIONS_DEFAULTS`` applied over the declared defaults.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from flask import current_app

from guildkit.errors import DuplicateDefinition, PluginError
from guildkit.i18n import lazy_gettext
from guildkit.notifications.hookspecs import NotificationKind
from guildkit.plugins import contributions

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

# Lazy, like the labels below: each is put in the reader's language when a page or email shows it.
RECOGNITION = lazy_gettext("Recognition")
MEMBERSHIP = lazy_gettext("Your membership")
MENTORING = lazy_gettext("Mentoring")
EVENTS = lazy_gettext("Events")
MODERATION = lazy_gettext("Moderation")
ACTIVITY = lazy_gettext("What others do with what you post")
GROUPS = lazy_gettext("Groups")
MANAGING = lazy_gettext("Running the community")

#: ``(the plugin that tells it, or None for the core; the kind)``.
BUILTIN: tuple[tuple[str | None, NotificationKind], ...] = (
    (None, NotificationKind("badge_awarded", lazy_gettext("You earn a badge"), RECOGNITION)),
    (None, NotificationKind("level_up", lazy_gettext("You reach a new level"), RECOGNITION)),
    (None, NotificationKind("role_granted", lazy_gettext("You are given a new role"), RECOGNITION)),
    (None, NotificationKind(
        "badge_revoked", lazy_gettext("A badge of yours is taken back"), RECOGNITION,
        description=lazy_gettext("For example when the post that earned it was deleted."),
    )),
    ("guildkit.trust", NotificationKind(
        "trust_level", lazy_gettext("Your trust level changes"), RECOGNITION,
        description=lazy_gettext("Trust levels unlock privileges as you take part."),
    )),
    (None, NotificationKind(
        "status", lazy_gettext("Your membership is suspended, banned or restored"), MEMBERSHIP, "email",
        required=True,
    )),
    ("guildkit.mentorship", NotificationKind(
        "mentorship", lazy_gettext("News about your mentorships"), MENTORING, "email",
        description=lazy_gettext("Requests to you, answers to your requests, and mentorships starting or ending."),
    )),
    ("guildkit.events", NotificationKind(
        "event.promoted", lazy_gettext("A place opens up for you at an event"), EVENTS, "email",
    )),
    ("guildkit.events", NotificationKind(
        "event.changed", lazy_gettext("An event you are going to gets a new time or place"), EVENTS, "email",
    )),
    ("guildkit.events", NotificationKind(
        "event.cancelled", lazy_gettext("An event you are going to is cancelled"), EVENTS, "email",
    )),
    ("guildkit.events", NotificationKind(
        "event.organizer", lazy_gettext("You are made an organizer of an event"), EVENTS,
    )),
    ("guildkit.moderation", NotificationKind(
        "moderation.warn", lazy_gettext("A moderator warns you"), MODERATION, "email", required=True,
    )),
    ("guildkit.moderation", NotificationKind(
        "moderation.mute", lazy_gettext("You are muted"), MODERATION, "email", required=True,
    )),
    ("guildkit.moderation", NotificationKind(
        "moderation.suspend", lazy_gettext("You are suspended"), MODERATION, "email", required=True,
    )),
    ("guildkit.moderation", NotificationKind(
        "moderation.ban", lazy_gettext("You are banned"), MODERATION, "email", required=True,
    )),
    ("guildkit.moderation", NotificationKind(
        "moderation.appeal", lazy_gettext("A decision on your appeal"), MODERATION, "email", required=True,
    )),
    ("guildkit.moderation", NotificationKind(
        "moderation.mediation", lazy_gettext("News about a mediation you take part in"), MODERATION, "email",
    )),
    ("guildkit.challenges", NotificationKind(
        "challenge.completed", lazy_gettext("You (or a group of yours) complete a challenge"), RECOGNITION,
    )),
    ("guildkit.groups", NotificationKind(
        "groups.invited", lazy_gettext("You are invited to join a group"), GROUPS, "email",
    )),
    ("guildkit.groups", NotificationKind(
        "groups.approved", lazy_gettext("Your request to join a group is approved"), GROUPS,
    )),
    ("guildkit.groups", NotificationKind(
        "groups.goal_reached", lazy_gettext("A group of yours reaches a goal"), GROUPS,
    )),
    ("guildkit.nominations", NotificationKind(
        "nominations.approved", lazy_gettext("A nomination of you is approved"), RECOGNITION,
    )),
    ("guildkit.nominations", NotificationKind(
        "nominations.decided", lazy_gettext("A nomination you made is decided"), RECOGNITION,
        description=lazy_gettext("Approved, not approved, or expired."),
    )),
    ("guildkit.nominations", NotificationKind(
        "nominations.awaiting", lazy_gettext("A nomination awaits your decision as an approver"), RECOGNITION,
    )),
    ("guildkit.objectives", NotificationKind(
        "objectives.decided", lazy_gettext("A community objective you own is met or missed"), MANAGING, "email",
    )),
)  # fmt: skip


def registered(gk: GuildKit) -> dict[str, NotificationKind]:
    """Every kind members can choose about, by name, with the host's defaults applied."""
    found: dict[str, NotificationKind] = {}
    origin: dict[str, str] = {}
    for plugin, kind in BUILTIN:
        if plugin is None or gk.pm.get_plugin(plugin) is not None:
            found[kind.name], origin[kind.name] = kind, plugin or "guildkit"
    # Activity types that tell the member they were done to (ActivityTypeDef(notify="target")).
    for words in gk.registry.activity_types.values():
        if words.notify == "target" and words.type not in found:
            found[words.type] = NotificationKind(words.type, words.label, ACTIVITY)
            origin[words.type] = gk.registry.origin.get(("activity type", words.type), "guildkit")
    for plugin, contributed in contributions(gk.pm, "guildkit_register_notification_kinds", gk=gk):
        for kind in contributed or ():
            if not isinstance(kind, NotificationKind):
                raise PluginError(
                    f"{plugin}: guildkit_register_notification_kinds must return NotificationKind objects"
                )
            if kind.name in found:
                raise DuplicateDefinition("notification kind", kind.name, origin[kind.name], plugin)
            found[kind.name], origin[kind.name] = kind, plugin
    defaults: dict[str, str] = current_app.config["GUILDKIT_NOTIFICATIONS_DEFAULTS"]
    for name, delivery in defaults.items():
        declared = found.get(name)
        if declared is not None and not (declared.required and delivery == "off"):
            found[name] = replace(declared, default=delivery)
    return found
