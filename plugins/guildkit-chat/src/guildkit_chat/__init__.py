"""guildkit-chat: Slack and Discord incoming-webhook messages for guildkit events
("Ada earned Gold Answerer"), formatted and escaped per platform, rate-limited per target, and
delivered by guildkit-webhooks' delivery jobs (their retries and delivery log).

Configure ``GUILDKIT_CHAT_TARGETS`` (see :mod:`.targets`); register this module and
``guildkit_webhooks`` as plugins (their entry points ``chat`` and ``webhooks`` do that when
installed). The hooks live in :mod:`.plugin`; they are re-exported because guildkit registers
this module.
"""

from .messages import Message
from .plugin import (
    announce,
    guildkit_badge_awarded,
    guildkit_event_changed,
    guildkit_init_app,
    guildkit_level_changed,
    guildkit_member_joined,
    guildkit_mentorship_changed,
    guildkit_register_tables,
    guildkit_role_granted,
)
from .render import discord, discord_escape, render, slack, slack_escape
from .targets import CHAT_EVENTS, Target, parse_targets

__version__ = "0.1.0"

__all__ = [
    "CHAT_EVENTS",
    "Message",
    "Target",
    "__version__",
    "announce",
    "discord",
    "discord_escape",
    "guildkit_badge_awarded",
    "guildkit_event_changed",
    "guildkit_init_app",
    "guildkit_level_changed",
    "guildkit_member_joined",
    "guildkit_mentorship_changed",
    "guildkit_register_tables",
    "guildkit_role_granted",
    "parse_targets",
    "render",
    "slack",
    "slack_escape",
]
