"""Building Open Badges 3.0 documents: the issuer Profile, Achievements, OpenBadgeCredentials,
the Bitstring status list, and their VC-JWT envelopes. Pure functions of their inputs.

A VC-JWT here is a compact JWS whose header is ``{"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc",
"kid": <did:key verification method>}`` and whose payload is the credential itself (VC-JOSE-COSE,
as VCDM 2.0 and OB 3.0.3 use), with the JWT claims ``iss`` (issuer id), ``jti`` (credential id),
``nbf`` (validFrom) and ``sub`` (subject id, when the subject has one) added beside it.
"""

from __future__ import annotations

import gzip
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import jws
from .didkey import b64url_decode, b64url_encode, did_from_public_key, verification_method
from .schema import OB_CONTEXT, SCHEMA_ID, VC_V2_CONTEXT

CONTEXT = [VC_V2_CONTEXT, OB_CONTEXT]
JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat", "aud")
#: The Bitstring Status List spec's minimum list length (16 KiB of bits), for group privacy.
MIN_STATUS_BITS = 131_072


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``; naive datetimes (SQLite) are taken as UTC."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def stable_urn(*parts: object) -> str:
    """A ``urn:uuid:`` that is the same every time for the same parts (UUID v5)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "guildkit-openbadges:" + "/".join(map(str, parts))))


@dataclass(frozen=True)
class IssuerKey:
    """The signing key and the identifiers derived from it."""

    private: Ed25519PrivateKey

    @property
    def did(self) -> str:
        return did_from_public_key(self.private.public_key())

    @property
    def kid(self) -> str:
        return verification_method(self.did)

    def salt(self, *parts: object) -> str:
        """A salt only this key can predict, stable per award (so re-downloads are identical)."""
        secret = self.private.private_bytes_raw()
        return hashlib.sha256(secret + "/".join(map(str, parts)).encode()).hexdigest()[:32]

    def sign(self, payload: dict[str, Any]) -> str:
        header = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": self.kid}
        return jws.sign(header, payload, self.private)


def profile(did: str, name: str, url: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"id": did, "type": ["Profile"], "name": name}
    if url:
        found["url"] = url
    return found


def achievement(
    achievement_id: str, *, name: str, description: str, narrative: str, image: str | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": name,
        "description": description or name,
        "criteria": {"narrative": narrative or "Awarded by the community."},
    }
    if image:
        found["image"] = {"id": image, "type": "Image"}
    return found


def identity(identifier: str, salt: str, *, email: bool) -> dict[str, Any]:
    """An OB 3.0 IdentityObject: ``sha256$hex(identifier + salt)`` (emails lower-cased first)."""
    value = identifier.strip().lower() if email else identifier
    digest = hashlib.sha256((value + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress" if email else "identifier",
        "hashed": True,
        "salt": salt,
    }


def open_badge_credential(
    *,
    credential_id: str,
    issuer: dict[str, Any],
    awarded_at: datetime,
    subject_identity: dict[str, Any],
    achievement: dict[str, Any],
    status_list_url: str,
    status_index: int,
) -> dict[str, Any]:
    issued = iso(awarded_at)
    return {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": issuer,
        "validFrom": issued,
        # VCDM 1.1's issuanceDate only because the shipped schema revision still requires it (the
        # current one does not, but could not be shipped: see data/README.md). awardedDate, a
        # term of the shipped OB 3.0.3 context, keeps the award date across re-issues.
        "issuanceDate": issued,
        "awardedDate": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [subject_identity],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{status_list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url,
        },
        "credentialSchema": [{"id": SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def as_jwt(credential: dict[str, Any], key: IssuerKey) -> str:
    payload = dict(credential)
    payload["iss"] = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"]
    payload["jti"] = credential["id"]
    payload["nbf"] = int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())
    subject = credential.get("credentialSubject", {})
    if isinstance(subject, dict) and "id" in subject:
        payload["sub"] = subject["id"]
    return key.sign(payload)


def credential_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential inside a VC-JWT payload: the ``vc`` claim (OB 3.0 / VCDM 1.1 style) or the
    payload itself less the JWT claims (VC-JOSE-COSE, what this plugin issues)."""
    if isinstance(payload.get("vc"), dict):
        return dict(payload["vc"])
    return {k: v for k, v in payload.items() if k not in JWT_CLAIMS}


def encode_bits(revoked: set[int]) -> str:
    """The ``encodedList``: multibase ``u`` + base64url(gzip(bits)), index 0 the first byte's top bit."""
    size = max(MIN_STATUS_BITS, ((max(revoked, default=0) // MIN_STATUS_BITS) + 1) * MIN_STATUS_BITS)
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + b64url_encode(gzip.compress(bytes(bits), mtime=0))


def bit_is_set(encoded: str, index: int) -> bool:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (prefix 'u')")
    bits = gzip.decompress(b64url_decode(encoded[1:]))
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} is outside the list ({len(bits) * 8} entries)")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(*, url: str, issuer_did: str, now: datetime, revoked: set[int]) -> dict[str, Any]:
    return {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": iso(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(revoked),
        },
    }
