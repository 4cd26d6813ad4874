"""verify_signature: what receivers rely on. Real HMAC, no database."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from guildkit_webhooks import SignatureError, sign, verify_signature
from guildkit_webhooks.signing import generate_secret

SECRET = "s" * 32
BODY = b'{"event":"badge_awarded","data":{"user_id":"7"}}'
NOW = 1_767_614_400


def test_a_signature_verifies_and_returns_its_timestamp() -> None:
    header = sign(SECRET, BODY, timestamp=NOW)
    assert verify_signature(SECRET, header, BODY, now=NOW + 10) == NOW


def test_the_header_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, timestamp=NOW) == f"t={NOW},v1={expected}"


def test_a_tampered_body_is_refused() -> None:
    header = sign(SECRET, BODY, timestamp=NOW)
    with pytest.raises(SignatureError, match="no signature matches"):
        verify_signature(SECRET, header, BODY.replace(b'"7"', b'"8"'), now=NOW)


def test_a_tampered_timestamp_is_refused() -> None:
    signature = sign(SECRET, BODY, timestamp=NOW).split(",")[1]
    with pytest.raises(SignatureError, match="no signature matches"):
        verify_signature(SECRET, f"t={NOW + 1},{signature}", BODY, now=NOW)


def test_the_wrong_secret_is_refused() -> None:
    header = sign(SECRET, BODY, timestamp=NOW)
    with pytest.raises(SignatureError, match="no signature matches"):
        verify_signature("t" * 32, header, BODY, now=NOW)


@pytest.mark.parametrize("age", [301, -301, 86_400])
def test_old_or_future_timestamps_are_refused(age: int) -> None:
    header = sign(SECRET, BODY, timestamp=NOW - age)
    with pytest.raises(SignatureError, match="more than 300 seconds"):
        verify_signature(SECRET, header, BODY, now=NOW)


def test_the_tolerance_can_be_widened() -> None:
    header = sign(SECRET, BODY, timestamp=NOW - 600)
    assert verify_signature(SECRET, header, BODY, tolerance=900, now=NOW) == NOW - 600


@pytest.mark.parametrize("header", [None, "", "v1=abc", f"t={NOW}", f"t=soon,v1={'0' * 64}", "garbage"])
def test_missing_or_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(SignatureError):
        verify_signature(SECRET, header, BODY, now=NOW)


def test_any_of_several_v1_signatures_may_match_during_a_rotation() -> None:
    old = sign("o" * 32, BODY, timestamp=NOW).split(",")[1]
    new = sign(SECRET, BODY, timestamp=NOW).split(",")[1]
    assert verify_signature(SECRET, f"t={NOW},{old},{new}", BODY, now=NOW) == NOW


def test_generated_secrets_are_long_and_fresh() -> None:
    secrets = {generate_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(s) >= 43 for s in secrets)
