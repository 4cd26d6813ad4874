"""did:key encoding and resolution against published Ed25519 vectors, and base58btc edge cases."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from guildkit_openbadges.didkey import (
    DidKeyError,
    b58decode,
    b58encode,
    did_from_public_key,
    raw_public_key,
    resolve,
    verification_method,
)

# did:key documents with their publicKeyBase58 (openwallet-foundation/acapy did tests; and the
# decentralized-web-node vendor config, whose private key is the 32-byte seed + public key).
VECTORS = [
    ("did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th", "8HH5gYEeNc3z7PYXmd54d4x6qAfCNrqQqEB3nS7Zfu7K"),
    ("did:key:z6MkwJSaEMnE4u6LiqrZV1BJHSkc9x8S4mTm3ArNL1m19BZR", "HrBXe7XnjMbscM1roSDTSMCcLNraetDQM9wSVjnzDxn3"),
]
DWN_PRIVATE = "3FFXDEFub6DPDX9CEZugQKAFikm1rfnNFwdycUGksAWhrs6BNca6USdttMcyx6oAdKmtnFBQijgisU58r26JfXJF"


@pytest.mark.parametrize(("did", "public_base58"), VECTORS)
def test_known_vectors_encode_and_resolve(did: str, public_base58: str) -> None:
    raw = b58decode(public_base58)
    assert len(raw) == 32
    assert did_from_public_key(raw) == did
    assert raw_public_key(resolve(did)) == raw
    assert raw_public_key(resolve(verification_method(did))) == raw


def test_a_private_key_gives_its_published_did() -> None:
    keypair = b58decode(DWN_PRIVATE)
    key = Ed25519PrivateKey.from_private_bytes(keypair[:32])
    assert raw_public_key(key.public_key()) == keypair[32:]
    assert did_from_public_key(key.public_key()) == VECTORS[1][0]


def test_round_trip_of_fresh_keys_and_leading_zeros() -> None:
    for _ in range(20):
        key = Ed25519PrivateKey.generate().public_key()
        assert raw_public_key(resolve(did_from_public_key(key))) == raw_public_key(key)
    for data in (b"", b"\0", b"\0\0\x01", b"\xff" * 40):
        assert b58decode(b58encode(data)) == data
    assert b58encode(b"\0\0\x01") == "112"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("did:web:example.org", "not a base58btc did:key"),
        ("did:key:z0OIl", "not a base58btc character"),
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "not an Ed25519 did:key"),
        (VECTORS[0][0] + "#z6MkwJSaEMnE4u6LiqrZV1BJHSkc9x8S4mTm3ArNL1m19BZR", "fragment"),
    ],
)
def test_bad_dids_are_refused(bad: str, message: str) -> None:
    with pytest.raises(DidKeyError, match=message):
        resolve(bad)
