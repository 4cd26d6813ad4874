"""Signing deliveries and checking signatures (the receiver's side).

The header is ``Guildkit-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256 with the endpoint's secret over ``f"{t}.".encode() + body`` — the exact bytes of
the request body. Binding the timestamp stops an old request from being replayed later;
receivers reject signatures older than a tolerance (five minutes by default).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Guildkit-Signature"
DELIVERY_HEADER = "Guildkit-Delivery"
EVENT_HEADER = "Guildkit-Event"

#: Secrets shorter than this are refused: they could be guessed offline from one signature.
MIN_SECRET_LENGTH = 32


class SignatureError(ValueError):
    """A ``Guildkit-Signature`` header is missing, malformed, stale or does not match."""


def generate_secret() -> str:
    """A fresh endpoint secret: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body`` under ``secret``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``Guildkit-Signature`` header value for ``body``, signed now (or at ``timestamp``)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={compute(secret, t, body)}"


def verify_signature(
    secret: str, header: str | None, body: bytes, tolerance: int = 300, now: float | None = None
) -> int:
    """Check a ``Guildkit-Signature`` header against the raw request ``body``.

    Returns the signed timestamp. Raises :class:`SignatureError` when the header is missing or
    malformed, older (or further in the future) than ``tolerance`` seconds, or when no ``v1``
    signature matches (several ``v1=`` entries are allowed, e.g. during a secret rotation).
    Compare in constant time; pass the body exactly as received, before any JSON parsing.
    """
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("the signature's timestamp is not an integer") from None
        elif name == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError(f"{SIGNATURE_HEADER} must look like 't=<unix seconds>,v1=<hex>'")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError(f"the signature's timestamp is more than {tolerance} seconds from now")
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("no signature matches this body and secret")
    return timestamp
