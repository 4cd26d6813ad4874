"""``did:key`` for Ed25519 keys, and the base58btc / base64url encodings it and JWS need.

A ``did:key`` carries its public key in the identifier itself: multicodec ``ed25519-pub``
(``0xed 0x01``) followed by the 32 raw key bytes, base58btc-encoded with the multibase prefix
``z``. Resolving one needs no network, which is what makes credentials verifiable offline.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUB = b"\xed\x01"
PREFIX = "did:key:"


class DidKeyError(ValueError):
    """A ``did:key`` (or verification method) that is malformed or not an Ed25519 key."""


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = ALPHABET.find(char)
        if index < 0:
            raise DidKeyError(f"{char!r} is not a base58btc character")
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def did_from_public_key(key: Ed25519PublicKey | bytes) -> str:
    """``did:key:z6Mk…`` for an Ed25519 public key (a key object or its 32 raw bytes)."""
    raw = key if isinstance(key, bytes) else raw_public_key(key)
    if len(raw) != 32:
        raise DidKeyError("an Ed25519 public key is 32 bytes")
    return PREFIX + "z" + b58encode(ED25519_PUB + raw)


def verification_method(did: str) -> str:
    """The key's verification method id: ``did:key:z6Mk…#z6Mk…``."""
    return f"{did}#{did.removeprefix(PREFIX)}"


def resolve(did_or_method: str) -> Ed25519PublicKey:
    """The Ed25519 public key named by a ``did:key`` or its verification method (no network)."""
    did, _, fragment = did_or_method.partition("#")
    if not did.startswith(PREFIX + "z"):
        raise DidKeyError(f"{did_or_method!r} is not a base58btc did:key")
    identifier = did.removeprefix(PREFIX)
    if fragment and fragment != identifier:
        raise DidKeyError("the verification method's fragment does not name the did:key's own key")
    decoded = b58decode(identifier[1:])
    if not decoded.startswith(ED25519_PUB) or len(decoded) != 34:
        raise DidKeyError(f"{did!r} is not an Ed25519 did:key")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])
