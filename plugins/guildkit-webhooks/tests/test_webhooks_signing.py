"""Signing and verify_signature: what receivers rely on, in both schemes. Real HMAC, no database;
the Standard Webhooks side is checked against the ``standardwebhooks`` reference library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from guildkit_webhooks import (
    GUILDKIT_V1,
    STANDARD_WEBHOOKS,
    SignatureError,
    sign,
    sign_standard,
    verify_guildkit_v1,
    verify_signature,
)
from guildkit_webhooks.signing import generate_secret, key_of, signed_headers

KEY = bytes(range(32))
WHSEC = "whsec_" + base64.b64encode(KEY).decode()
SECRET = "s" * 32
BODY = b'{"event":"badge_awarded","data":{"user_id":"7"}}'
NOW = 1_767_614_400
MSG_ID = "1b0f7c9e-4a3b-4a55-9d1e-0d1c2b3a4f5e"


def standard_headers(secret: str | list[str], msg_id: str = MSG_ID, timestamp: int = NOW) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_standard(secret, msg_id, BODY, timestamp),
    }


class TestStandardWebhooks:
    def test_the_key_is_the_decoded_bytes_after_whsec(self) -> None:
        assert key_of(WHSEC) == KEY
        assert key_of(WHSEC.removeprefix("whsec_")) == KEY, "the prefix may be left out"
        assert key_of(WHSEC.rstrip("=")) == KEY, "and the padding"
        digest = hmac.new(KEY, f"{MSG_ID}.{NOW}.".encode() + BODY, hashlib.sha256).digest()
        assert sign_standard(WHSEC, MSG_ID, BODY, NOW) == "v1," + base64.b64encode(digest).decode()
        text_keyed = hmac.new(WHSEC.encode(), f"{MSG_ID}.{NOW}.".encode() + BODY, hashlib.sha256).digest()
        assert sign_standard(WHSEC, MSG_ID, BODY, NOW) != "v1," + base64.b64encode(text_keyed).decode()

    def test_signatures_match_the_reference_library_both_ways(self) -> None:
        now = int(time.time())
        ours = standard_headers(WHSEC, timestamp=now)
        assert ours["webhook-signature"] == Webhook(WHSEC).sign(MSG_ID, datetime.fromtimestamp(now, UTC), BODY)
        assert Webhook(WHSEC).verify(BODY, ours) == {"event": "badge_awarded", "data": {"user_id": "7"}}
        theirs = {
            "webhook-id": MSG_ID,
            "webhook-timestamp": str(now),
            "webhook-signature": Webhook(WHSEC).sign(MSG_ID, datetime.fromtimestamp(now, UTC), BODY),
        }
        assert verify_signature(WHSEC, theirs, BODY) == MSG_ID

    def test_a_signature_verifies_and_returns_the_id(self) -> None:
        assert verify_signature(WHSEC, standard_headers(WHSEC), BODY, now=NOW + 10) == MSG_ID
        assert verify_signature(KEY, standard_headers(WHSEC), BODY, now=NOW) == MSG_ID, "or the key itself"
        shouting = {name.upper(): value for name, value in standard_headers(WHSEC).items()}
        assert verify_signature(WHSEC, shouting, BODY, now=NOW) == MSG_ID, "header names in any case"

    def test_a_replay_under_a_new_id_is_refused(self) -> None:
        captured = standard_headers(WHSEC, timestamp=int(time.time()))
        assert verify_signature(WHSEC, captured, BODY) == MSG_ID
        replayed = {**captured, "webhook-id": "a-fresh-id-to-get-past-deduplication"}
        with pytest.raises(SignatureError, match="no signature matches"):
            verify_signature(WHSEC, replayed, BODY)
        with pytest.raises(WebhookVerificationError, match="No matching signature"):
            Webhook(WHSEC).verify(BODY, replayed)

    def test_a_tampered_body_timestamp_or_secret_is_refused(self) -> None:
        headers = standard_headers(WHSEC)
        other = "whsec_" + base64.b64encode(b"k" * 32).decode()
        for secret, sent, body in [
            (WHSEC, headers, BODY.replace(b'"7"', b'"8"')),
            (WHSEC, {**headers, "webhook-timestamp": str(NOW + 1)}, BODY),
            (other, headers, BODY),
        ]:
            with pytest.raises(SignatureError, match="no signature matches"):
                verify_signature(secret, sent, body, now=NOW)

    @pytest.mark.parametrize("age", [301, -301, 86_400])
    def test_old_or_future_timestamps_are_refused(self, age: int) -> None:
        with pytest.raises(SignatureError, match="more than 300 seconds"):
            verify_signature(WHSEC, standard_headers(WHSEC, timestamp=NOW - age), BODY, now=NOW)
        assert verify_signature(WHSEC, standard_headers(WHSEC, timestamp=NOW - age), BODY, 90_000, NOW) == MSG_ID

    @pytest.mark.parametrize(
        ("drop", "replace", "message"),
        [
            ("webhook-id", {}, "missing webhook-id header"),
            ("webhook-signature", {}, "missing webhook-signature header"),
            (None, {"webhook-timestamp": "soon"}, "must be unix seconds"),
            (None, {"webhook-timestamp": "-5"}, "must be unix seconds"),
            (None, {"webhook-signature": "v1a,abc"}, "no signature matches"),
        ],
    )
    def test_missing_or_malformed_headers_are_refused(
        self, drop: str | None, replace: dict[str, str], message: str
    ) -> None:
        headers = {k: v for k, v in standard_headers(WHSEC).items() if k != drop} | replace
        with pytest.raises(SignatureError, match=message):
            verify_signature(WHSEC, headers, BODY, now=NOW)

    def test_a_request_without_the_headers_names_them_all(self) -> None:
        with pytest.raises(SignatureError, match="missing webhook-id, webhook-timestamp, webhook-signature headers"):
            verify_signature(WHSEC, {"Content-Type": "application/json"}, BODY, now=NOW)

    @pytest.mark.parametrize("secret", ["whsec_!!!", "whsec_" + base64.b64encode(b"short").decode()])
    def test_a_bad_secret_is_refused(self, secret: str) -> None:
        with pytest.raises(SignatureError, match="Standard Webhooks"):
            verify_signature(secret, standard_headers(WHSEC), BODY, now=NOW)

    def test_during_a_rotation_either_secret_verifies(self) -> None:
        old = "whsec_" + base64.b64encode(b"o" * 32).decode()
        headers = standard_headers([WHSEC, old])
        assert len(headers["webhook-signature"].split(" ")) == 2
        assert verify_signature(WHSEC, headers, BODY, now=NOW) == MSG_ID
        assert verify_signature(old, headers, BODY, now=NOW) == MSG_ID
        fresh = {**headers, "webhook-timestamp": str(int(time.time()))}
        fresh["webhook-signature"] = sign_standard([WHSEC, old], MSG_ID, BODY, int(fresh["webhook-timestamp"]))
        assert Webhook(old).verify(BODY, fresh) and Webhook(WHSEC).verify(BODY, fresh)

    def test_generated_secrets_are_whsec_and_32_random_bytes(self) -> None:
        found = {generate_secret() for _ in range(50)}
        assert len(found) == 50
        assert all(s.startswith("whsec_") and len(key_of(s)) == 32 for s in found)
        assert all(Webhook(s) for s in found)


class TestGuildkitV1:
    """0.1's scheme, for the endpoints that still use it: the old helper's behaviour, unchanged."""

    def test_a_signature_verifies_and_returns_its_timestamp(self) -> None:
        header = sign(SECRET, BODY, timestamp=NOW)
        assert verify_signature(SECRET, header, BODY, now=NOW + 10) == NOW
        assert verify_guildkit_v1(SECRET, header, BODY, now=NOW) == NOW

    def test_the_header_is_hmac_sha256_over_timestamp_dot_body(self) -> None:
        expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
        assert sign(SECRET, BODY, timestamp=NOW) == f"t={NOW},v1={expected}"
        assert signed_headers(GUILDKIT_V1, [SECRET], MSG_ID, BODY, NOW) == {
            "Guildkit-Delivery": MSG_ID,
            "Guildkit-Signature": f"t={NOW},v1={expected}",
        }

    def test_it_does_not_sign_the_delivery_id(self) -> None:
        # Why new endpoints use Standard Webhooks: nothing binds Guildkit-Delivery to the body.
        headers = signed_headers(GUILDKIT_V1, [SECRET], MSG_ID, BODY, NOW)
        replayed = signed_headers(GUILDKIT_V1, [SECRET], "another-id", BODY, NOW)
        assert headers["Guildkit-Signature"] == replayed["Guildkit-Signature"]
        standard = signed_headers(STANDARD_WEBHOOKS, [WHSEC], MSG_ID, BODY, NOW)
        assert (
            standard["webhook-signature"]
            != signed_headers(STANDARD_WEBHOOKS, [WHSEC], "x", BODY, NOW)["webhook-signature"]
        )

    def test_tampering_and_the_wrong_secret_are_refused(self) -> None:
        header = sign(SECRET, BODY, timestamp=NOW)
        with pytest.raises(SignatureError, match="no signature matches"):
            verify_signature(SECRET, header, BODY.replace(b'"7"', b'"8"'), now=NOW)
        signature = header.split(",")[1]
        with pytest.raises(SignatureError, match="no signature matches"):
            verify_signature(SECRET, f"t={NOW + 1},{signature}", BODY, now=NOW)
        with pytest.raises(SignatureError, match="no signature matches"):
            verify_signature("t" * 32, header, BODY, now=NOW)

    @pytest.mark.parametrize("age", [301, -301, 86_400])
    def test_old_or_future_timestamps_are_refused(self, age: int) -> None:
        header = sign(SECRET, BODY, timestamp=NOW - age)
        with pytest.raises(SignatureError, match="more than 300 seconds"):
            verify_signature(SECRET, header, BODY, now=NOW)
        assert verify_signature(SECRET, header, BODY, tolerance=90_000, now=NOW) == NOW - age

    @pytest.mark.parametrize("header", [None, "", "v1=abc", f"t={NOW}", f"t=soon,v1={'0' * 64}", "garbage"])
    def test_missing_or_malformed_headers_are_refused(self, header: str | None) -> None:
        with pytest.raises(SignatureError):
            verify_signature(SECRET, header, BODY, now=NOW)

    def test_any_of_several_v1_signatures_may_match_during_a_rotation(self) -> None:
        header = sign([SECRET, "o" * 32], BODY, timestamp=NOW)
        assert header.count("v1=") == 2
        assert verify_signature(SECRET, header, BODY, now=NOW) == NOW
        assert verify_signature("o" * 32, header, BODY, now=NOW) == NOW

    def test_generated_secrets_are_long_and_fresh(self) -> None:
        found = {generate_secret(GUILDKIT_V1) for _ in range(50)}
        assert len(found) == 50
        assert all(len(s) >= 43 and not s.startswith("whsec_") for s in found)
