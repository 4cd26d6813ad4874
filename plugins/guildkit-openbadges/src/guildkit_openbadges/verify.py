"""Verifying an OpenBadgeCredential offline: signature, schema, dates and revocation.

:func:`verify` takes what a member hands over (a VC-JWT, an ``EnvelopedVerifiableCredential``
wrapping one, or a bare JSON credential) and returns a :class:`Verification`. The signature is
checked with the Ed25519 key inside the ``did:key`` named by the header's ``kid``, which must be
the credential's issuer. Revocation is asked of a ``status`` callback, because only the caller
knows where the status list lives (inside the app: the local database, see ``issuer.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import jws
from .credentials import CONTEXT, credential_of
from .didkey import DidKeyError, resolve
from .schema import validate

#: Answers "is this credentialStatus entry revoked?"; ``None`` when it cannot tell.
StatusCheck = Callable[[dict[str, Any]], "bool | None"]
ENVELOPE_PREFIX = "data:application/vc+jwt,"


@dataclass
class Verification:
    valid: bool = False
    errors: list[str] = field(default_factory=list)
    issuer: str | None = None
    achievement: dict[str, Any] | None = None
    #: ``True``/``False`` once the status list was consulted; ``None`` when it could not be.
    revoked: bool | None = None
    credential: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": self.errors,
            "issuer": self.issuer,
            "achievement": self.achievement,
            "revoked": self.revoked,
        }


def _parse_time(value: Any, name: str, errors: list[str]) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors.append(f"{name}: {value!r} is not a date-time")
        return None


def _token_of(text: str, errors: list[str]) -> str | dict[str, Any] | None:
    text = text.strip()
    if not text:
        errors.append("empty input: paste a VC-JWT or a JSON credential")
        return None
    if not text.startswith("{"):
        return text
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        errors.append(f"not JSON and not a JWT: {exc}")
        return None
    if not isinstance(document, dict):
        errors.append("a credential is a JSON object")
        return None
    identifier = document.get("id")
    if "EnvelopedVerifiableCredential" in _types(document) and isinstance(identifier, str):
        if identifier.startswith(ENVELOPE_PREFIX):
            return identifier.removeprefix(ENVELOPE_PREFIX)
        errors.append(f"id: an EnvelopedVerifiableCredential id starts with {ENVELOPE_PREFIX!r}")
        return None
    return document


def _types(document: dict[str, Any]) -> list[Any]:
    kind = document.get("type")
    return kind if isinstance(kind, list) else [kind]


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    found = issuer.get("id") if isinstance(issuer, dict) else issuer
    return found if isinstance(found, str) else None


def _check_signature(token: str, result: Verification) -> dict[str, Any] | None:
    try:
        parsed = jws.parse(token)
    except jws.JwsError as exc:
        result.errors.append(f"proof: {exc}")
        return None
    credential = credential_of(parsed.payload)
    issuer = _issuer_id(credential)
    header = parsed.header
    if header.get("alg") != "EdDSA":
        result.errors.append(f"proof: alg must be EdDSA, not {header.get('alg')!r}")
        return credential
    kid = header.get("kid")
    if not isinstance(kid, str) or kid.partition("#")[0] != issuer:
        result.errors.append("proof: the header's kid is not a key of the credential's issuer")
        return credential
    try:
        key = resolve(kid)
    except (DidKeyError, ValueError) as exc:
        result.errors.append(f"proof: {exc}")
        return credential
    if not jws.check_signature(parsed, key):
        result.errors.append("proof: the signature does not match (tampered, or signed by another key)")
    claims = parsed.payload
    if "iss" in claims and claims["iss"] != issuer:
        result.errors.append("proof: the iss claim is not the credential's issuer")
    if "jti" in claims and claims["jti"] != credential.get("id"):
        result.errors.append("proof: the jti claim is not the credential's id")
    return credential


def _check_content(credential: dict[str, Any], result: Verification, now: datetime) -> None:
    result.errors.extend(f"schema: {e}" for e in validate(credential))
    context = credential.get("@context")
    if not isinstance(context, list) or context[:2] != CONTEXT:
        result.errors.append(f"@context: must begin with {CONTEXT}")
    types = _types(credential)
    if "VerifiableCredential" not in types or not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        result.errors.append("type: must include VerifiableCredential and OpenBadgeCredential")
    valid_from = _parse_time(credential.get("validFrom"), "validFrom", result.errors)
    if valid_from is None and "validFrom" not in credential:
        result.errors.append("validFrom: missing")
    elif valid_from is not None and valid_from > now:
        result.errors.append(f"validFrom: not valid before {credential['validFrom']}")
    valid_until = _parse_time(credential.get("validUntil"), "validUntil", result.errors)
    if valid_until is not None and valid_until <= now:
        result.errors.append(f"validUntil: expired at {credential['validUntil']}")


def verify(
    text: str,
    *,
    now: datetime,
    trusted_issuers: Collection[str] | None = None,
    status: StatusCheck | None = None,
) -> Verification:
    """Verify a credential. ``trusted_issuers``: if given, other issuers are refused."""
    result = Verification()
    token = _token_of(text, result.errors)
    if token is None:
        return result
    if isinstance(token, dict):
        credential: dict[str, Any] | None = token
        result.errors.append("proof: no VC-JWT proof (this verifier checks VC-JWT; Data Integrity is not supported)")
    else:
        credential = _check_signature(token, result)
    if credential is None:
        return result
    result.credential = credential
    result.issuer = _issuer_id(credential)
    subject = credential.get("credentialSubject")
    found = subject.get("achievement") if isinstance(subject, dict) else None
    result.achievement = found if isinstance(found, dict) else None
    if trusted_issuers is not None and result.issuer not in trusted_issuers:
        result.errors.append(f"issuer: {result.issuer!r} is not this community's issuer")
    _check_content(credential, result, now)
    entry = credential.get("credentialStatus")
    if isinstance(entry, dict) and status is not None:
        result.revoked = status(entry)
        if result.revoked:
            result.errors.append("credentialStatus: the issuer has revoked this credential")
    result.valid = not result.errors
    return result
