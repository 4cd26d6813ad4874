"""The community's Ed25519 issuer key: from config, or a PEM file created on first use.

``GUILDKIT_OPENBADGES_KEY`` (a PEM string) wins; otherwise ``GUILDKIT_OPENBADGES_KEY_FILE``
(default ``<instance folder>/guildkit-openbadges-key.pem``) is read, and created with mode
0600 if it does not exist. Nothing here runs at import or at ``init_app``: only when a
credential, the issuer profile or the status list is first needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from guildkit import ConfigurationError


def load_pem(pem: str | bytes, origin: str) -> Ed25519PrivateKey:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{origin}: not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{origin}: the issuer key must be Ed25519, not {type(key).__name__}")
    return key


def to_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def load_or_create(path: Path) -> Ed25519PrivateKey:
    """The key in ``path``; a new one written there (0600, never overwritten) if it is missing."""
    try:
        return load_pem(path.read_bytes(), str(path))
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    try:
        # O_EXCL: two processes starting at once must not both write (and disagree on) a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_pem(path.read_bytes(), str(path))
    with os.fdopen(fd, "wb") as out:
        out.write(to_pem(key))
    return key
