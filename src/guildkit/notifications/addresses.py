"""A member's email address, from the host (``GUILDKIT_EMAIL_ADDRESS_LOADER``).

guildkit stores no email addresses: it asks the host's loader, with the host user id, each time
it sends, so an address the member changed in the host's settings is used at once and an erased
member has none. No loader, ``None``, or something that is not one plain address means no
email for that member, and nothing fails. A loader that raises is the host's bug: it is logged
and the email is tried again later.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from guildkit.notifications.mailer import SendFailed

log = logging.getLogger("guildkit.notifications")
#: RFC 5321's limit on a path, which a mailbox must fit in.
MAX_LENGTH = 254


def plain(value: object) -> str | None:
    """``value`` if it is one plain address (``ann@example.org``, ``Ann <ann@example.org>``)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_LENGTH or any(c in value for c in "\r\n\0,;"):
        return None
    _, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    return value if at and local and "." in domain and " " not in address else None


def address_of(config: Mapping[str, Any], user_id: str) -> str | None:
    """The member's address, or ``None`` when they have none; :class:`SendFailed` if the loader broke."""
    loader = config["GUILDKIT_EMAIL_ADDRESS_LOADER"]
    if loader is None:
        return None
    try:
        found = loader(user_id)
    except Exception as exc:  # the host's code: log it, and try again later
        log.exception("guildkit notifications: GUILDKIT_EMAIL_ADDRESS_LOADER failed for %r", user_id)
        raise SendFailed(f"the address loader failed: {type(exc).__name__}: {exc}", final=False) from exc
    return plain(found)
