"""The nominations feature's configuration keys (see docs/nominations.md and docs/config.md).

``GUILDKIT_NOMINATIONS_BADGES`` names the badges members may nominate each other for, each with
how many approvals it takes and from which role (``{"helper": {"approvals": 2, "role":
"moderator"}}``; a badge given as ``{}`` or ``None`` takes the defaults below). The shape is
checked at start-up; whether each badge and role exist is checked against the registry when
nominations read it (badges and roles may come from the admin console's database), and by
``flask guildkit nominations check``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guildkit.definitions import check_slug
from guildkit.errors import ConfigurationError, ValidationError

#: The badge the feature defines itself, nominatable out of the box.
CHAMPION = "community-champion"
MOST_APPROVALS = 20
MOST_EXPIRE_DAYS = 3650

DEFAULTS: dict[str, Any] = {
    # Badge slug -> {"approvals": n, "role": slug} (either may be left out: the defaults below).
    "GUILDKIT_NOMINATIONS_BADGES": {CHAMPION: {}},
    # Approvals a nomination needs, unless its badge says otherwise.
    "GUILDKIT_NOMINATIONS_APPROVALS": 2,
    # The role approvers hold, unless the badge says otherwise.
    "GUILDKIT_NOMINATIONS_ROLE": "moderator",
    # Days a nomination waits for its approvals before it expires; None: it never does.
    "GUILDKIT_NOMINATIONS_EXPIRE_DAYS": 30,
}


def check(config: Any) -> None:
    parse(config)
    days = config["GUILDKIT_NOMINATIONS_EXPIRE_DAYS"]
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MOST_EXPIRE_DAYS):
        raise ConfigurationError(
            "GUILDKIT_NOMINATIONS_EXPIRE_DAYS must be None or a whole number "
            f"from 1 to {MOST_EXPIRE_DAYS}, got {days!r}"
        )


def parse(config: Any) -> dict[str, tuple[int, str]]:
    """The nominatable badges as ``{slug: (approvals, role)}``, defaults filled in; a
    :class:`ConfigurationError` naming the key for anything malformed."""
    approvals = _approvals(config["GUILDKIT_NOMINATIONS_APPROVALS"], "GUILDKIT_NOMINATIONS_APPROVALS")
    role = _slug(config["GUILDKIT_NOMINATIONS_ROLE"], "GUILDKIT_NOMINATIONS_ROLE")
    badges = config["GUILDKIT_NOMINATIONS_BADGES"]
    if not isinstance(badges, Mapping):
        raise ConfigurationError(
            'GUILDKIT_NOMINATIONS_BADGES must be a dict of badge slugs, e.g. {"helper": {"approvals": 2}}'
        )
    found: dict[str, tuple[int, str]] = {}
    for slug, rule in badges.items():
        where = f"GUILDKIT_NOMINATIONS_BADGES[{slug!r}]"
        _slug(slug, f"a key of GUILDKIT_NOMINATIONS_BADGES ({slug!r})")
        rule = {} if rule is None else rule
        if not isinstance(rule, Mapping) or set(rule) - {"approvals", "role"}:
            raise ConfigurationError(f'{where} must be None or a dict with "approvals" and/or "role", got {rule!r}')
        found[slug] = (
            _approvals(rule.get("approvals", approvals), f"{where}['approvals']"),
            _slug(rule.get("role", role), f"{where}['role']"),
        )
    return found


def _approvals(value: object, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MOST_APPROVALS:
        raise ConfigurationError(f"{key} must be a whole number from 1 to {MOST_APPROVALS}, got {value!r}")
    return value


def _slug(value: object, key: str) -> str:
    try:
        return check_slug(value, key)
    except ValidationError:
        raise ConfigurationError(
            f"{key} must be a slug (1-100 characters of a-z, 0-9, '_', '.', ':' or '-'), got {value!r}"
        ) from None
