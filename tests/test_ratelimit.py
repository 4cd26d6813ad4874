"""Per-actor ingestion rate limits (GUILDKIT_RATE_LIMITS): refused whole, counted under the member lock."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit
from guildkit.errors import ConfigurationError, RateLimited
from guildkit.models import Activity
from guildkit.ratelimit import parse_limits
from guildkit.testing import Clock, make_app
from tests.webclient import Api, mount, problem


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_RATE_LIMITS": {"*": "3/minute", "answer.upvoted": "2/hour"}}


def stored(gk: GuildKit) -> list[str]:
    return list(gk.session.scalars(sa.select(Activity.key).order_by(Activity.id)))


def test_an_actor_over_the_limit_is_refused_until_the_window_ends(gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(gk_clock.now.replace(second=20))
    for n in range(3):
        gk.record("answer.posted", actor="bob", key=f"p{n}")
    with pytest.raises(RateLimited) as caught:
        gk.record("answer.posted", actor="bob", key="p3")
    assert (caught.value.user_id, caught.value.scope, caught.value.retry_after) == ("bob", "*", 40)
    assert "limit of 3/minute" in str(caught.value)
    assert stored(gk) == ["p0", "p1", "p2"]
    gk.record("answer.posted", actor="carol", key="c0")  # another actor has a limit of their own
    gk_clock.advance(seconds=40)
    gk.record("answer.posted", actor="bob", key="p3")
    assert stored(gk) == ["p0", "p1", "p2", "c0", "p3"]


def test_a_type_has_its_own_limit(gk: GuildKit, gk_clock: Clock) -> None:
    for n in range(2):
        gk.record("answer.upvoted", actor="bob", target="ann", key=f"v{n}")
    with pytest.raises(RateLimited) as caught:
        gk.record("answer.upvoted", actor="bob", target="ann", key="v2")
    assert caught.value.scope == "answer.upvoted"
    gk.record("answer.posted", actor="bob", key="p0")  # the third of the minute's three
    gk_clock.advance(minutes=59)
    with pytest.raises(RateLimited):
        gk.record("answer.upvoted", actor="bob", target="ann", key="v2")
    gk_clock.advance(minutes=1)
    gk.record("answer.upvoted", actor="bob", target="ann", key="v2")
    assert gk.balance("ann", "reputation") == 30


def test_a_batch_over_the_limit_stores_nothing(gk: GuildKit) -> None:
    batch = [{"type": "answer.posted", "actor": "bob", "key": f"p{n}"} for n in range(4)]
    with pytest.raises(RateLimited):
        gk.record_many(batch)
    assert stored(gk) == []
    gk.record_many(batch[:3])
    assert stored(gk) == ["p0", "p1", "p2"]


def test_replays_guildkit_s_own_types_and_actorless_activities_are_not_limited(gk: GuildKit) -> None:
    for _ in range(5):
        gk.record("answer.posted", actor="bob", key="same")
    for n in range(5):
        gk.record("site.visit", target="bob", key=f"visit{n}")
        gk.award("bob", points=1, point_type="xp", reason="thanks", by="admin", key=f"award{n}")
    gk.record("answer.posted", actor="bob", key="second")
    gk.record("answer.posted", actor="bob", key="third")
    with pytest.raises(RateLimited):
        gk.record("answer.posted", actor="bob", key="fourth")


def test_the_api_answers_429_with_retry_after(gk_app: Flask, gk: GuildKit, gk_clock: Clock) -> None:
    api = Api(mount(gk_app, gk), {"ingest": gk.tokens.create(None, "ingest", ["activities.write"])[0]})
    for n in range(3):
        api.ok(
            "POST",
            "/activities",
            token="ingest",
            status=201,
            body={"type": "answer.posted", "actor": "bob", "key": f"p{n}"},
        )
    response = api.call(
        "POST", "/activities", token="ingest", body={"type": "answer.posted", "actor": "bob", "key": "p3"}
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(60 - gk_clock.now.second)
    assert problem(response, 429)["code"] == "rate_limited"


@pytest.mark.parametrize("value", [{"*": "3"}, {"*": "0/minute"}, {"*": "3/fortnight"}, ["3/minute"], {"*": 3}])
def test_bad_limits_are_a_configuration_error(value: object) -> None:
    with pytest.raises(ConfigurationError, match="GUILDKIT_RATE_LIMITS"):
        parse_limits(value)


def test_limits_hold_under_concurrent_writers(gk_backend: str, tmp_path: Any) -> None:
    config = {"GUILDKIT_RATE_LIMITS": {"*": "5/hour"}}
    with make_app(gk_backend, tmp_path, config=config) as (app, gk):
        with app.app_context():
            gk.record("answer.posted", actor="bob", key="warm-up")  # bob exists: every writer locks his row
        start = threading.Barrier(8)
        outcomes: list[str] = []

        def work(n: int) -> None:
            with app.app_context():
                start.wait()
                try:
                    gk.record("answer.posted", actor="bob", key=f"p{n}")
                    outcomes.append("stored")
                except RateLimited:
                    outcomes.append("limited")

        workers = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert sorted(outcomes) == ["limited"] * 4 + ["stored"] * 4
        with app.app_context():
            assert len(stored(gk)) == 5
