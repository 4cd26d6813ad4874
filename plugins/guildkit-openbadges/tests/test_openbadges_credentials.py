"""Exported credentials: schema-valid, signed, tamper-evident, revocable (on every backend)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from guildkit import GuildKit

from guildkit_openbadges import credentials as docs
from guildkit_openbadges import jws, openbadges, schema
from guildkit_openbadges.didkey import b64url_decode, b64url_encode
from guildkit_openbadges.schema import validate
from guildkit_openbadges.verify import verify

BASE_URL = "https://community.example.org"  # conftest's gk_config


def _reencode(token: str, *, header: dict[str, Any] | None = None, payload: dict[str, Any] | None = None) -> str:
    head, body, signature = token.split(".")
    if header is not None:
        head = b64url_encode(json.dumps(header).encode())
    if payload is not None:
        body = b64url_encode(json.dumps(payload).encode())
    return f"{head}.{body}.{signature}"


def _leaves(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(document, dict):
        return [leaf for k, v in document.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(document, list):
        return [leaf for i, v in enumerate(document) for leaf in _leaves(v, (*path, i))]
    return [(path, document)]


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def test_every_exported_credential_is_schema_valid_and_verifies(gk_app: Flask, gk: GuildKit, issued: str) -> None:
    ob = openbadges(gk_app)
    exported = ob.credentials_of(issued)
    assert sorted((a.badge_slug, a.level) for a, _ in exported) == [("answerer", 1), ("answerer", 2), ("helper", 1)]
    for award, token in exported:
        parsed = jws.parse(token)
        assert parsed.header == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": ob.key.kid}
        credential = docs.credential_of(parsed.payload)
        assert validate(credential) == []
        assert credential["@context"] == docs.CONTEXT
        assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert credential["issuer"] == {"id": ob.key.did, "type": ["Profile"], "name": "Test Guild"}
        assert parsed.payload["iss"] == ob.key.did and parsed.payload["jti"] == credential["id"]
        assert credential["credentialStatus"]["statusListIndex"] == str(award.id)
        assert credential["credentialStatus"]["statusListCredential"] == BASE_URL + "/openbadges/status/1"
        identity = credential["credentialSubject"]["identifier"][0]
        assert (
            identity["identityHash"] == "sha256$" + docs.hashlib.sha256(f"ann{identity['salt']}".encode()).hexdigest()
        )
        result = ob.verify(token)
        assert result.errors == [] and result.valid and result.revoked is False
        assert result.achievement == credential["credentialSubject"]["achievement"]
        # Re-exporting gives the very same signed bytes (stable ids, salt and dates).
        assert ob.jwt(award, issued) == token
    tiered = {a.level: docs.credential_of(jws.parse(t).payload) for a, t in exported if a.badge_slug == "answerer"}
    assert tiered[1]["name"] == "Bronze Answerer" and tiered[2]["name"] == "Silver Answerer"
    silver = tiered[2]["credentialSubject"]["achievement"]
    assert silver["description"] == "Ten good answers."
    assert "Level 2 of 3, silver (threshold 3)" in silver["criteria"]["narrative"]
    assert tiered[1]["credentialSubject"]["achievement"]["id"] != silver["id"]
    helper = next(docs.credential_of(jws.parse(t).payload) for a, t in exported if a.badge_slug == "helper")
    assert helper["credentialSubject"]["achievement"]["image"] == {
        "id": BASE_URL + "/static/helper.png",
        "type": "Image",
    }


def test_the_dates_are_the_current_ones_and_issuance_date_only_what_the_schema_needs(
    gk_app: Flask, issued: str
) -> None:
    ob = openbadges(gk_app)
    _, token = ob.credentials_of(issued)[0]
    credential = docs.credential_of(jws.parse(token).payload)
    assert credential["awardedDate"] == credential["validFrom"]
    # awardedDate is a term of the shipped OB 3.0.3 context (its current revision), not an unknown one.
    terms = schema.context(schema.OB_CONTEXT)["@context"]
    assert terms["awardedDate"]["@id"] == "https://purl.imsglobal.org/spec/vc/ob/vocab.html#awardedDate"
    assert {"inLanguage", "jti"} <= set(terms)
    # issuanceDate (VCDM 1.1) is issued while, and only while, the shipped schema requires it.
    required = schema.load(schema.SCHEMA_FILE)["required"]
    assert ("issuanceDate" in credential) == ("issuanceDate" in required)
    if "issuanceDate" in credential:
        without = {k: v for k, v in credential.items() if k != "issuanceDate"}
        assert validate(without) == ["(root): 'issuanceDate' is a required property"]


def test_tampering_with_any_part_fails(gk_app: Flask, issued: str) -> None:
    ob = openbadges(gk_app)
    _, token = ob.credentials_of(issued)[0]
    parsed = jws.parse(token)
    leaves = _leaves(parsed.payload)
    assert len(leaves) > 25
    for path, value in leaves:
        changed = json.loads(json.dumps(parsed.payload))
        _set(changed, path, value + 1 if isinstance(value, int) and not isinstance(value, bool) else f"{value}x")
        result = ob.verify(_reencode(token, payload=changed))
        assert not result.valid, path
        assert any(e.startswith("proof:") for e in result.errors), (path, result.errors)
    for name, value in [("typ", "JWT"), ("alg", "none"), ("kid", parsed.header["kid"] + "x"), ("extra", 1)]:
        result = ob.verify(_reencode(token, header={**parsed.header, name: value}))
        assert not result.valid and any(e.startswith("proof:") for e in result.errors), name
    head, body, signature = token.split(".")
    raw = bytearray(b64url_decode(signature))
    for index in (0, 31, 63):
        flipped = bytearray(raw)
        flipped[index] ^= 0x01
        result = ob.verify(f"{head}.{body}.{b64url_encode(bytes(flipped))}")
        assert not result.valid and "does not match" in " ".join(result.errors)
    for garbage in ("", "a.b", "not a token", f"{head}.{body}.", "{", "[1]"):
        assert not ob.verify(garbage).valid


def test_another_key_fails(gk_app: Flask, issued: str) -> None:
    ob = openbadges(gk_app)
    _, token = ob.credentials_of(issued)[0]
    credential = docs.credential_of(jws.parse(token).payload)
    stranger = docs.IssuerKey(Ed25519PrivateKey.generate())
    # Signed by another key but claiming to be this issuer: the kid names our did, the signature fails.
    forged = jws.sign(jws.parse(token).header, jws.parse(token).payload, stranger.private)
    assert "does not match" in " ".join(ob.verify(forged).errors)
    # Honestly re-issued by the stranger: self-consistent, schema-valid, but not this community's.
    honest = dict(credential, issuer={"id": stranger.did, "type": ["Profile"], "name": "Elsewhere"})
    token = docs.as_jwt(honest, stranger)
    offline = verify(token, now=docs.datetime.now(docs.UTC))
    assert offline.valid, offline.errors
    result = ob.verify(token)
    assert not result.valid and "is not this community's issuer" in " ".join(result.errors)


def test_dates_are_checked(gk_app: Flask, gk: GuildKit, issued: str) -> None:
    ob = openbadges(gk_app)
    _, token = ob.credentials_of(issued)[0]
    credential = docs.credential_of(jws.parse(token).payload)
    future = dict(credential, validFrom=docs.iso(gk.clock() + timedelta(days=1)))
    assert "validFrom: not valid before" in " ".join(ob.verify(docs.as_jwt(future, ob.key)).errors)
    expired = dict(credential, validUntil=docs.iso(gk.clock() - timedelta(seconds=1)))
    assert "validUntil: expired" in " ".join(ob.verify(docs.as_jwt(expired, ob.key)).errors)
    broken = dict(jws.parse(token).payload, validFrom="yesterday")
    errors = " ".join(ob.verify(jws.sign(jws.parse(token).header, broken, ob.key.private)).errors)
    assert "schema: validFrom" not in errors and "validFrom: 'yesterday' is not a date-time" in errors


def test_revoking_an_award_flips_its_status_bit(gk_app: Flask, gk: GuildKit, issued: str) -> None:
    ob = openbadges(gk_app)
    tokens = {(a.badge_slug, a.level): (a, t) for a, t in ob.credentials_of(issued)}
    helper, helper_token = tokens[("helper", 1)]
    bronze, _ = tokens[("answerer", 1)]

    def bits() -> tuple[bool, bool]:
        with gk_app.test_client() as client:
            response = client.get("/openbadges/status/1")
        assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
        status = verify(response.get_data(as_text=True), now=gk.clock())
        assert status.issuer == ob.key.did
        assert [e for e in status.errors if e.startswith("proof:")] == []
        subject = status.credential["credentialSubject"] if status.credential else {}
        assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
        assert len(docs.gzip.decompress(b64url_decode(subject["encodedList"][1:]))) * 8 == docs.MIN_STATUS_BITS
        encoded = subject["encodedList"]
        return docs.bit_is_set(encoded, helper.id), docs.bit_is_set(encoded, bronze.id)

    assert bits() == (False, False)
    gk.revoke("ann", badge="helper", reason="duplicate account")
    assert bits() == (True, False)
    result = ob.verify(helper_token)
    assert result.revoked is True and not result.valid
    assert "revoked" in " ".join(result.errors)
    assert [a.badge_slug for a, _ in ob.credentials_of(issued)].count("helper") == 0


def test_status_bits_beyond_the_minimum_grow_the_list() -> None:
    encoded = docs.encode_bits({0, 7, 131_071, 131_072})
    assert [docs.bit_is_set(encoded, i) for i in (0, 1, 7, 131_071, 131_072, 131_073)] == [
        True, False, True, True, True, False,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="outside the list"):
        docs.bit_is_set(encoded, 2 * docs.MIN_STATUS_BITS)
