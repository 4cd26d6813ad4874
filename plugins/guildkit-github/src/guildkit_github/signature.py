"""GitHub's webhook signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``.

GitHub signs the exact bytes it sends with the webhook's secret. :func:`verify` recomputes the
HMAC over the raw body (before anything parses it) and compares in constant time; several
secrets may be configured while one is being rotated, and any of them may match.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="
_HEX = re.compile(r"^[0-9a-f]{64}$")


def sign(secret: str | bytes, body: bytes) -> str:
    """The header value GitHub would send for ``body`` signed with ``secret``."""
    key = secret.encode() if isinstance(secret, str) else secret
    return PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(secrets: Iterable[bytes], body: bytes, header: str | None) -> bool:
    """Whether ``header`` is a valid signature of ``body`` under one of ``secrets``."""
    if not header or not header.startswith(PREFIX):
        return False
    given = header[len(PREFIX) :].strip().lower()
    if not _HEX.match(given):
        return False
    matched = False
    for secret in secrets:
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
        # Every secret is compared (no early exit), so the time taken does not say which matched.
        matched |= hmac.compare_digest(expected.encode(), given.encode())
    return matched
