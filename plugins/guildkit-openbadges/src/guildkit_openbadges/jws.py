"""Compact JWS with EdDSA (Ed25519): what a VC-JWT is made of.

``sign`` serializes header and payload as compact JSON, base64url-encodes them and signs
``header.payload`` (RFC 7515 §5.1); ``parse`` splits a token and decodes both parts without
trusting them; ``check_signature`` verifies the signature with a given public key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .didkey import b64url_decode, b64url_encode


class JwsError(ValueError):
    """A token that is not a well-formed compact JWS."""


@dataclass(frozen=True)
class Jws:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _json(part: dict[str, Any]) -> bytes:
    return json.dumps(part, separators=(",", ":"), ensure_ascii=False, sort_keys=False).encode("utf-8")


def sign(header: dict[str, Any], payload: dict[str, Any], key: Ed25519PrivateKey) -> str:
    signing_input = f"{b64url_encode(_json(header))}.{b64url_encode(_json(payload))}".encode("ascii")
    return f"{signing_input.decode('ascii')}.{b64url_encode(key.sign(signing_input))}"


def parse(token: str) -> Jws:
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise JwsError("a compact JWS has three non-empty base64url parts separated by dots")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwsError(f"the token's parts are not base64url-encoded JSON: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JwsError("the token's header and payload must be JSON objects")
    return Jws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def check_signature(jws: Jws, key: Ed25519PublicKey) -> bool:
    try:
        key.verify(jws.signature, jws.signing_input)
    except InvalidSignature:
        return False
    return True
