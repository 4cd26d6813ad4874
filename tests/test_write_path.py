"""The lean write path: record_many in chunks, the merged reads, and API tokens that write little."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, IdempotencyConflict
from guildkit.extension import RECORD_CHUNK
from guildkit.models import Activity, ApiToken, Member
from guildkit.testing import Clock


def _votes(start: int, count: int, *, target: str = "ann") -> list[dict[str, str]]:
    return [
        {"type": "answer.upvoted", "actor": f"v{n % 40}", "target": target, "key": f"chunk:{n}"}
        for n in range(start, start + count)
    ]


def test_record_many_across_chunks_is_one_transaction(gk: GuildKit) -> None:
    batch = _votes(0, RECORD_CHUNK + 5)
    batch.append(dict(batch[3]))  # the same key again, in the second chunk
    results = gk.record_many(batch)
    assert len(results) == RECORD_CHUNK + 6
    assert results[-1].duplicate and results[-1].activity_id == results[3].activity_id
    assert results[-1].points == results[3].points
    assert gk.balance("ann", "reputation") == sum(r.points_for("ann", "reputation") for r in results[:-1])


def test_record_many_conflict_in_a_later_chunk_stores_nothing(gk: GuildKit) -> None:
    batch = _votes(0, RECORD_CHUNK + 5, target="bob")
    batch.append(batch[2] | {"actor": "someone-else"})
    with pytest.raises(IdempotencyConflict):
        gk.record_many(batch)
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0
    assert gk.session.scalar(sa.select(Member.id).where(Member.user_id == "bob")) is None


def test_record_many_names_an_invalid_item_in_a_later_chunk(gk: GuildKit) -> None:
    batch: list[dict[str, object]] = [*_votes(0, RECORD_CHUNK + 1)]
    batch.append({"type": "answer.upvoted", "key": "bad", "surprise": 1})
    with pytest.raises(Exception, match=rf"activities\[{RECORD_CHUNK + 1}\]"):
        gk.record_many(batch)
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_distinct_values_are_read_in_batches(gk: GuildKit) -> None:
    # The same pair twice in one batch, and again in a later call: counted once.
    first = gk.record_many(
        [
            {"type": "answer.upvoted", "actor": "bob", "target": "ann", "key": "d1"},
            {"type": "answer.upvoted", "actor": "bob", "target": "ann", "key": "d2"},
            {"type": "answer.upvoted", "actor": "bob", "target": "cat", "key": "d3"},
        ]
    )
    again = gk.record("answer.upvoted", actor="bob", target="cat", key="d4")
    assert len(first) == 3 and not again.duplicate
    assert gk.retract("d4").retracted
    assert gk.retract("d3").retracted


def test_a_member_made_in_the_same_call_is_written_into_the_activity(gk: GuildKit) -> None:
    result = gk.record("answer.upvoted", actor="newcomer", target="another-newcomer", key="first")
    row = gk.session.execute(sa.select(Activity.actor_id, Activity.target_id).where(Activity.key == "first")).one()
    ids = dict(gk.session.execute(sa.select(Member.user_id, Member.id)).all())
    assert (row.actor_id, row.target_id) == (ids["newcomer"], ids["another-newcomer"])
    assert result.points_for("another-newcomer", "reputation") == 10


def test_token_use_is_noted_at_most_once_a_minute(gk: GuildKit, gk_clock: Clock) -> None:
    token, view = gk.tokens.create(None, "ingest", ["activities.write"], via="test")
    assert view.last_used_at is None

    def stored() -> object:
        gk.session.expire_all()
        return gk.session.scalar(sa.select(ApiToken.last_used_at).where(ApiToken.id == view.id))

    first = gk.tokens.authenticate(token)
    assert first is not None and first.last_used_at == gk_clock()
    noted = stored()
    assert noted is not None
    gk_clock.advance(seconds=30)
    assert gk.tokens.authenticate(token) is not None
    assert stored() == noted  # not written again within the minute
    gk_clock.advance(seconds=31)
    later = gk.tokens.authenticate(token)
    assert later is not None and later.last_used_at == gk_clock()
    assert stored() != noted
    gk.tokens.revoke(None, view.id, via="test")
    assert gk.tokens.authenticate(token) is None
