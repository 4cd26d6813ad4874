"""guildkit-openbadges: every badge award as a signed Open Badges 3.0 credential.

Installed, guildkit loads it from the ``guildkit`` entry-point group (name ``openbadges``); or
register it yourself: ``GuildKit(app, plugins=[guildkit_openbadges])``. See the README.
"""

from .credentials import IssuerKey
from .didkey import did_from_public_key, resolve
from .issuer import OpenBadges, openbadges
from .plugin import guildkit_init_app, guildkit_page_links
from .verify import Verification, verify

__all__ = [
    "IssuerKey",
    "OpenBadges",
    "Verification",
    "did_from_public_key",
    "guildkit_init_app",
    "guildkit_page_links",
    "openbadges",
    "resolve",
    "verify",
]
