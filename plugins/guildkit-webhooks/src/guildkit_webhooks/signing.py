"""Signing deliveries and checking signatures (the receiver's side), in one of two schemes.

* ``standard-webhooks`` — `Standard Webhooks <https://www.standardwebhooks.com/>`_ 1.0, the
  default for every endpoint registered since 0.2. Three headers: ``webhook-id`` (the delivery
  id, the same on every retry), ``webhook-timestamp`` (unix seconds of this attempt) and
  ``webhook-signature: v1,<base64>``, the HMAC-SHA256 of ``f"{id}.{timestamp}.".encode() + body``.
  The secret reads ``whsec_<base64>``: the HMAC key is the base64-decoded bytes after ``whsec_``
  (not the text of the secret). The id is signed, so a captured request cannot be replayed under
  a new id to get past the receiver's de-duplication.
* ``guildkit-v1`` — what 0.1 sent, kept for endpoints registered then (and for anyone who asks
  for it): ``Guildkit-Signature: t=<unix seconds>,v1=<hex>``, the HMAC-SHA256 of
  ``f"{t}.".encode() + body`` keyed with the UTF-8 bytes of the secret. The ``Guildkit-Delivery``
  id is **not** signed: within the tolerance a captured request replays under any id.

Several signatures may be sent at once (space-separated ``v1,…`` entries; several ``v1=``), one
per secret, while an endpoint's previous secret is still honoured after a rotation. Receivers
accept a request if any one of them matches.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Mapping
from secrets import token_bytes, token_urlsafe
from typing import overload

STANDARD_WEBHOOKS = "standard-webhooks"
GUILDKIT_V1 = "guildkit-v1"
#: The signing schemes an endpoint may use, the default first.
SCHEMES = (STANDARD_WEBHOOKS, GUILDKIT_V1)

WEBHOOK_ID_HEADER = "webhook-id"
WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
WEBHOOK_SIGNATURE_HEADER = "webhook-signature"
#: guildkit-v1's signature header.
SIGNATURE_HEADER = "Guildkit-Signature"
#: guildkit-v1's delivery id (and raw deliveries'); Standard Webhooks sends it as ``webhook-id``.
DELIVERY_HEADER = "Guildkit-Delivery"
#: The event name, sent in both schemes (the body's ``event`` says the same, signed).
EVENT_HEADER = "Guildkit-Event"

SECRET_PREFIX = "whsec_"
#: Standard Webhooks keys are 24 to 64 random bytes; guildkit generates 32.
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64
#: guildkit-v1 secrets shorter than this are refused: they could be guessed offline from one signature.
MIN_SECRET_LENGTH = 32

_TIMESTAMP = re.compile(r"[0-9]{1,15}")


class SignatureError(ValueError):
    """A signature is missing, malformed, stale or does not match."""


def generate_secret(scheme: str = STANDARD_WEBHOOKS) -> str:
    """A fresh endpoint secret: ``whsec_`` + base64 of 32 random bytes (Standard Webhooks), or
    32 random bytes in URL-safe base64 (guildkit-v1)."""
    if scheme == STANDARD_WEBHOOKS:
        return SECRET_PREFIX + base64.b64encode(token_bytes(32)).decode()
    return token_urlsafe(32)


def key_of(secret: str | bytes) -> bytes:
    """The Standard Webhooks HMAC key of ``secret``: the base64-decoded bytes after ``whsec_``
    (the prefix may be left out, padding too); ``bytes`` are the key itself.

    Raises :class:`ValueError` when the text is not base64 or the key is not 24-64 bytes.
    """
    if isinstance(secret, bytes):
        key = secret
    else:
        encoded = secret.removeprefix(SECRET_PREFIX)
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("a Standard Webhooks secret is 'whsec_' followed by standard base64") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(f"a Standard Webhooks key is {MIN_KEY_BYTES}-{MAX_KEY_BYTES} bytes, this one {len(key)}")
    return key


def standard_signature(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """One ``v1,<base64>`` entry: HMAC-SHA256 of ``f"{msg_id}.{timestamp}.".encode() + body``."""
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """guildkit-v1: the hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body`` under ``secret``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str | Iterable[str], body: bytes, timestamp: int | None = None) -> str:
    """guildkit-v1: the ``Guildkit-Signature`` value for ``body``, signed now (or at
    ``timestamp``), with one ``v1=`` per secret."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    keys = [secret] if isinstance(secret, str) else list(secret)
    return ",".join([f"t={t}", *(f"v1={compute(each, t, body)}" for each in keys)])


def sign_standard(secret: str | bytes | Iterable[str | bytes], msg_id: str, body: bytes, timestamp: int) -> str:
    """Standard Webhooks: the ``webhook-signature`` value, one ``v1,…`` entry per secret."""
    keys = [secret] if isinstance(secret, str | bytes) else list(secret)
    return " ".join(standard_signature(key_of(each), msg_id, timestamp, body) for each in keys)


def signed_headers(
    scheme: str, secrets: Iterable[str], delivery_id: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """The headers that identify and sign one attempt of a delivery under ``scheme``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    if scheme == STANDARD_WEBHOOKS:
        return {
            WEBHOOK_ID_HEADER: delivery_id,
            WEBHOOK_TIMESTAMP_HEADER: str(t),
            WEBHOOK_SIGNATURE_HEADER: sign_standard(secrets, delivery_id, body, t),
        }
    return {DELIVERY_HEADER: delivery_id, SIGNATURE_HEADER: sign(secrets, body, t)}


def _check_age(timestamp: int, tolerance: int, now: float | None) -> None:
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError(f"the signature's timestamp is more than {tolerance} seconds from now")


def verify_standard_webhooks(
    secret: str | bytes, headers: Mapping[str, str], body: bytes, tolerance: int = 300, now: float | None = None
) -> str:
    """Check a Standard Webhooks request; returns its ``webhook-id``, the key to de-duplicate by.

    ``headers`` is the request's headers (any mapping; names are matched case-insensitively),
    ``body`` the raw bytes as received, before any JSON parsing. Raises :class:`SignatureError`
    when a header is missing or malformed, the timestamp is more than ``tolerance`` seconds away,
    or no ``v1`` signature matches (any one of several may). Compares in constant time.
    """
    try:
        key = key_of(secret)
    except ValueError as exc:
        raise SignatureError(str(exc)) from None
    found = {name.lower(): value for name, value in headers.items()}
    missing = [
        name for name in (WEBHOOK_ID_HEADER, WEBHOOK_TIMESTAMP_HEADER, WEBHOOK_SIGNATURE_HEADER) if not found.get(name)
    ]
    if missing:
        raise SignatureError(f"missing {', '.join(missing)} header" + ("s" if len(missing) > 1 else ""))
    msg_id, stamp = found[WEBHOOK_ID_HEADER], found[WEBHOOK_TIMESTAMP_HEADER]
    if not _TIMESTAMP.fullmatch(stamp):
        raise SignatureError(f"{WEBHOOK_TIMESTAMP_HEADER} must be unix seconds")
    timestamp = int(stamp)
    _check_age(timestamp, tolerance, now)
    expected = standard_signature(key, msg_id, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, given.encode()) for given in found[WEBHOOK_SIGNATURE_HEADER].split(" ")):
        raise SignatureError("no signature matches this id, timestamp, body and secret")
    return msg_id


def verify_guildkit_v1(
    secret: str, header: str | None, body: bytes, tolerance: int = 300, now: float | None = None
) -> int:
    """Check a guildkit-v1 ``Guildkit-Signature`` header against the raw request ``body``.

    Returns the signed timestamp. Raises :class:`SignatureError` when the header is missing or
    malformed, older (or further in the future) than ``tolerance`` seconds, or when no ``v1``
    signature matches (several ``v1=`` entries are allowed, e.g. during a secret rotation).
    This scheme does not sign ``Guildkit-Delivery``: see the module's notes.
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
    _check_age(timestamp, tolerance, now)
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("no signature matches this body and secret")
    return timestamp


@overload
def verify_signature(
    secret: str | bytes, headers: Mapping[str, str], body: bytes, tolerance: int = 300, now: float | None = None
) -> str: ...


@overload
def verify_signature(
    secret: str, headers: str | None, body: bytes, tolerance: int = 300, now: float | None = None
) -> int: ...


def verify_signature(
    secret: str | bytes,
    headers: Mapping[str, str] | str | None,
    body: bytes,
    tolerance: int = 300,
    now: float | None = None,
) -> str | int:
    """The receiver's check. Pass the request's headers: a Standard Webhooks request is verified
    (:func:`verify_standard_webhooks`) and its ``webhook-id`` returned.

    Called the 0.1 way, with the value of the ``Guildkit-Signature`` header (a string, or
    ``None`` when it is absent) instead of the headers, it checks a guildkit-v1 endpoint's
    request as before (:func:`verify_guildkit_v1`) and returns the signed timestamp.
    """
    if headers is None or isinstance(headers, str):
        if not isinstance(secret, str):
            raise TypeError("guildkit-v1 secrets are text")
        return verify_guildkit_v1(secret, headers, body, tolerance, now)
    return verify_standard_webhooks(secret, headers, body, tolerance, now)
