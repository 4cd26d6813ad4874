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
from guildkit.notifications.hookspecs import NotificationKind
from guildkit.plugins import contributions

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

RECOGNITION = "Recognition"
MEMBERSHIP = "Your membership"
MENTORING = "Mentoring"
EVENTS = "Events"
MODERATION = "Moderation"
ACTIVITY = "What others do with what you post"

#: ``(the plugin that tells it, or None for the core; the kind)``.
BUILTIN: tuple[tuple[str | None, NotificationKind], ...] = (
    (None, NotificationKind("badge_awarded", "You earn a badge", RECOGNITION)),
    (None, NotificationKind("level_up", "You reach a new level", RECOGNITION)),
    (None, NotificationKind("role_granted", "You are given a new role", RECOGNITION)),
    (None, NotificationKind(
        "badge_revoked", "A badge of yours is taken back", RECOGNITION,
        description="For example when the post that earned it was deleted.",
    )),
    ("guildkit.trust", NotificationKind(
        "trust_level", "Your trust level changes", RECOGNITION,
        description="Trust levels unlock privileges as you take part.",
    )),
    (None, NotificationKind(
        "status", "Your membership is suspended, banned or restored", MEMBERSHIP, "email", required=True,
    )),
    ("guildkit.mentorship", NotificationKind(
        "mentorship", "News about your mentorships", MENTORING, "email",
        description="Requests to you, answers to your requests, and mentorships starting or ending.",
    )),
    ("guildkit.events", NotificationKind("event.promoted", "A place opens up for you at an event", EVENTS, "email")),
    ("guildkit.events", NotificationKind(
        "event.changed", "An event you are going to gets a new time or place", EVENTS, "email",
    )),
    ("guildkit.events", NotificationKind("event.cancelled", "An event you are going to is cancelled", EVENTS, "email")),
    ("guildkit.events", NotificationKind("event.organizer", "You are made an organizer of an event", EVENTS)),
    ("guildkit.moderation", NotificationKind(
        "moderation.warn", "A moderator warns you", MODERATION, "email", required=True,
    )),
    ("guildkit.moderation", NotificationKind("moderation.mute", "You are muted", MODERATION, "email", required=True)),
    ("guildkit.moderation", NotificationKind(
        "moderation.suspend", "You are suspended", MODERATION, "email", required=True,
    )),
    ("guildkit.moderation", NotificationKind("moderation.ban", "You are banned", MODERATION, "email", required=True)),
    ("guildkit.moderation", NotificationKind(
        "moderation.appeal", "A decision on your appeal", MODERATION, "email", required=True,
    )),
    ("guildkit.moderation", NotificationKind(
        "moderation.mediation", "News about a mediation you take part in", MODERATION, "email",
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
