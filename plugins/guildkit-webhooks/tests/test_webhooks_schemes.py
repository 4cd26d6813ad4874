"""Both signing schemes on real deliveries, on every backend: new endpoints speak Standard Webhooks
(checked by the ``standardwebhooks`` reference library as the receiver), so a captured request
replayed under a new id is refused; endpoints registered by 0.1 keep ``Guildkit-Signature`` and
the old helper; rotations sign with both secrets for a while; an endpoint can switch scheme."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from guildkit import GuildKit, ValidationError
from guildkit.testing import Clock, Members
from standardwebhooks import Webhook, WebhookVerificationError

from guildkit_webhooks import SignatureError, deliver_due, verify_signature
from guildkit_webhooks.admin import create_endpoint, get_endpoint, list_deliveries, update_endpoint
from guildkit_webhooks.signing import generate_secret, key_of
from guildkit_webhooks.tables import ENDPOINTS
from guildkit_webhooks.testing import Received, Receiver

STANDARD_HEADERS = {"webhook-id", "webhook-timestamp", "webhook-signature"}
V1_HEADERS = {"Guildkit-Delivery", "Guildkit-Signature"}


def endpoint_from_0_1(gk: GuildKit, url: str, secret: str) -> int:
    """An endpoint as guildkit-webhooks 0.1 stored it: a row of its own, no signing row."""
    row = {"url": url, "events": ["*"], "secret": secret, "active": True, "description": "", "created_at": gk.clock()}
    new_id: int = gk.store.run_write(
        lambda conn: conn.execute(sa.insert(ENDPOINTS).values(**row).returning(ENDPOINTS.c.id)).scalar_one()
    )
    return new_id


def deliver_one(gk: GuildKit, gk_members: Members, receiver: Receiver, name: str = "Ada") -> Received:
    before = len(receiver.requests)
    gk_members(name)
    assert deliver_due(gk) == 1
    return receiver.wait_for(before + 1)[-1]


def sent_headers(got: Received) -> set[str]:
    return set(got.headers) & (STANDARD_HEADERS | V1_HEADERS)


def test_a_new_endpoint_is_signed_the_standard_webhooks_way(
    gk: GuildKit, gk_members: Members, receiver: Receiver
) -> None:
    endpoint = create_endpoint(gk, receiver.url, ["member_joined"])
    assert endpoint["signing"] == "standard-webhooks" and endpoint["secret"].startswith("whsec_")
    got = deliver_one(gk, gk_members, receiver)
    [row] = list_deliveries(gk)[0]
    assert sent_headers(got) == STANDARD_HEADERS
    assert got.headers["webhook-id"] == row["delivery_id"]
    assert got.headers["Guildkit-Event"] == "member_joined"
    # The receiver: the reference library, given the secret exactly as the admin was shown it.
    assert Webhook(endpoint["secret"]).verify(got.body, got.headers) == json.loads(got.body)
    assert verify_signature(endpoint["secret"], got.headers, got.body) == row["delivery_id"]
    assert verify_signature(key_of(endpoint["secret"]), got.headers, got.body) == row["delivery_id"]


def test_a_captured_delivery_replayed_under_a_new_id_is_refused(
    gk: GuildKit, gk_members: Members, receiver: Receiver
) -> None:
    endpoint = create_endpoint(gk, receiver.url, ["member_joined"])
    captured = deliver_one(gk, gk_members, receiver)
    receiver_seen = {verify_signature(endpoint["secret"], captured.headers, captured.body)}
    # An attacker re-sends the request within the tolerance with a new id, to pass de-duplication.
    replayed = {**captured.headers, "webhook-id": "d6a1c0de-0000-4000-8000-000000000000"}
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(captured.body, replayed)
    with pytest.raises(SignatureError, match="no signature matches"):
        verify_signature(endpoint["secret"], replayed, captured.body)
    # Re-sent as it was, it verifies and is a duplicate by its (signed) id.
    assert verify_signature(endpoint["secret"], captured.headers, captured.body) in receiver_seen


def test_retries_keep_the_id_and_are_signed_afresh(
    gk: GuildKit, gk_clock: Clock, gk_members: Members, receiver: Receiver
) -> None:
    receiver.fail_first = 1
    endpoint = create_endpoint(gk, receiver.url, ["member_joined"])
    gk_members("Ada")
    assert deliver_due(gk) == 1
    gk_clock.advance(minutes=5)
    assert deliver_due(gk) == 1
    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == list_deliveries(gk)[0][0]["delivery_id"]
    assert first.body == second.body
    for got in (first, second):
        Webhook(endpoint["secret"]).verify(got.body, got.headers)


class TestEndpointsFrom01:
    def test_they_keep_the_old_scheme_and_verify_with_the_old_helper(
        self, gk: GuildKit, gk_members: Members, receiver: Receiver
    ) -> None:
        secret = generate_secret("guildkit-v1")
        endpoint_id = endpoint_from_0_1(gk, receiver.url, secret)
        assert get_endpoint(gk, endpoint_id)["signing"] == "guildkit-v1"
        got = deliver_one(gk, gk_members, receiver)
        assert sent_headers(got) == V1_HEADERS
        assert got.headers["Guildkit-Delivery"] == list_deliveries(gk)[0][0]["delivery_id"]
        # The receiver code 0.1's README showed, unchanged.
        assert verify_signature(secret, got.headers.get("Guildkit-Signature"), got.body) > 0
        with pytest.raises(SignatureError):
            verify_signature(secret, got.headers.get("Guildkit-Signature"), got.body + b" ")

    def test_the_old_scheme_can_still_be_chosen_for_a_new_endpoint(
        self, gk: GuildKit, gk_members: Members, receiver: Receiver
    ) -> None:
        endpoint = create_endpoint(gk, receiver.url, ["member_joined"], signing="guildkit-v1", secret="k" * 40)
        assert endpoint["signing"] == "guildkit-v1"
        got = deliver_one(gk, gk_members, receiver)
        assert sent_headers(got) == V1_HEADERS
        assert verify_signature("k" * 40, got.headers["Guildkit-Signature"], got.body) > 0

    def test_switching_one_to_standard_webhooks_needs_a_new_secret(
        self, gk: GuildKit, gk_members: Members, receiver: Receiver
    ) -> None:
        endpoint_id = endpoint_from_0_1(gk, receiver.url, generate_secret("guildkit-v1"))
        with pytest.raises(ValidationError, match="whsec_") as refused:
            update_endpoint(gk, endpoint_id, {"signing": "standard-webhooks"})
        assert refused.value.field == "secret"
        switched = update_endpoint(gk, endpoint_id, {"signing": "standard-webhooks", "secret": None})
        assert switched["signing"] == "standard-webhooks" and switched["secret"].startswith("whsec_")
        assert switched["previous_secret_until"] is None, "a new scheme does not sign with the old secret"
        got = deliver_one(gk, gk_members, receiver)
        assert sent_headers(got) == STANDARD_HEADERS
        Webhook(switched["secret"]).verify(got.body, got.headers)


class TestRotation:
    def test_both_secrets_sign_until_the_overlap_ends(
        self, gk: GuildKit, gk_clock: Clock, gk_members: Members, receiver: Receiver
    ) -> None:
        old = create_endpoint(gk, receiver.url, ["member_joined"])
        new = update_endpoint(gk, old["id"], {"secret": None})
        assert new["secret"] != old["secret"] and new["secret"].startswith("whsec_")
        assert new["previous_secret_until"] == "2026-01-06T12:00:00Z"  # a day after gk_clock's now

        during = deliver_one(gk, gk_members, receiver, "Ada")
        assert len(during.headers["webhook-signature"].split(" ")) == 2
        Webhook(old["secret"]).verify(during.body, during.headers)
        Webhook(new["secret"]).verify(during.body, during.headers)

        gk_clock.advance(days=1)
        assert get_endpoint(gk, old["id"])["previous_secret_until"] is None
        after = deliver_one(gk, gk_members, receiver, "Bob")
        Webhook(new["secret"]).verify(after.body, after.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old["secret"]).verify(after.body, after.headers)

    def test_an_endpoint_from_0_1_rotates_in_its_own_scheme(
        self, gk: GuildKit, gk_members: Members, receiver: Receiver
    ) -> None:
        old_secret = generate_secret("guildkit-v1")
        endpoint_id = endpoint_from_0_1(gk, receiver.url, old_secret)
        rotated = update_endpoint(gk, endpoint_id, {"secret": None})
        assert rotated["signing"] == "guildkit-v1" and not rotated["secret"].startswith("whsec_")
        got = deliver_one(gk, gk_members, receiver)
        header = got.headers["Guildkit-Signature"]
        assert header.count("v1=") == 2
        assert verify_signature(old_secret, header, got.body) == verify_signature(rotated["secret"], header, got.body)


class TestWithoutOverlap:
    @pytest.fixture
    def gk_config(self, gk_config: dict[str, Any]) -> dict[str, Any]:
        return {**gk_config, "GUILDKIT_WEBHOOKS_ROTATION_OVERLAP": 0}

    def test_the_old_secret_stops_signing_at_once(self, gk: GuildKit, gk_members: Members, receiver: Receiver) -> None:
        old = create_endpoint(gk, receiver.url, ["member_joined"])
        new = update_endpoint(gk, old["id"], {"secret": None})
        assert new["previous_secret_until"] is None
        got = deliver_one(gk, gk_members, receiver)
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        Webhook(new["secret"]).verify(got.body, got.headers)


def test_a_secret_that_cannot_sign_fails_the_delivery_without_a_request(
    gk: GuildKit, gk_members: Members, receiver: Receiver
) -> None:
    endpoint = create_endpoint(gk, receiver.url, ["member_joined"])
    broken = sa.update(ENDPOINTS).where(ENDPOINTS.c.id == endpoint["id"]).values(secret="whsec_c2hvcnQ=")
    gk.store.run_write(lambda conn: conn.execute(broken))  # "short": edited into the database by hand
    gk_members("Ada")
    assert deliver_due(gk) == 1
    [row] = list_deliveries(gk)[0]
    assert row["status"] == "failed" and row["last_error"].startswith("cannot sign: a Standard Webhooks key is 24-64")
    assert receiver.requests == []
