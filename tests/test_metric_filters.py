"""Filtered metrics: ``Count``/``Distinct`` with ``when`` count only what it accepts, under their own
counter (``label``), and a retraction undoes exactly what recording did."""

from __future__ import annotations

import pytest

from guildkit import ActivityView, BadgeDef, BadgeRule, Count, Distinct, GuildKit
from guildkit.errors import ValidationError
from guildkit.testing import Activities, Members


def not_own(activity: ActivityView) -> bool:
    return activity.actor_id != activity.target_id


def test_a_filtered_count_has_its_own_counter_and_retracts_symmetrically(
    gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    gk.define(
        badges=[BadgeDef("reviewer", "Reviewer", "Reviewed others' work twice.")],
        rules=[BadgeRule("reviewer", "reviewer", Count("review.done", when=not_own, label="others"), (2,))],
    )
    ann, bob = gk_members("Ann"), gk_members("Bob")
    own = gk_activities.record("review.done", actor=ann, target=ann)
    first = gk_activities.record("review.done", actor=ann, target=bob)
    gk_activities.expect(own, badges={})
    gk_activities.expect(first, badges={})  # one review of others' work so far: own ones don't count
    second = gk_activities.record("review.done", actor=ann, target=bob)
    gk_activities.expect(second, badges={ann: ["reviewer"]})
    gk.retract(own.key, reason="deleted")  # not counted, so retracting it changes nothing
    assert [a.badge_slug for a in gk.badges(ann)] == ["reviewer"]
    undone = gk.retract(second.key, reason="deleted")
    assert [(b.badge, b.granted) for b in undone.badges] == [("reviewer", False)]


def test_filtered_and_plain_counts_of_one_type_are_independent() -> None:
    plain, filtered = Count("review.done"), Count("review.done", when=not_own, label="others")
    assert plain.name == "count:review.done:actor"
    assert filtered.name == "count:review.done:actor:others"
    assert filtered.describe() == "review.done done (others)"
    distinct = Distinct("review.done", of="subject", when=not_own, label="others")
    assert distinct.name == "distinct:review.done:actor:subject:others"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Count("review.done", when=not_own),
        lambda: Distinct("review.done", when=not_own),
        lambda: Count("review.done", label="with space"),
    ],
)
def test_a_filter_needs_a_clean_label(make: object) -> None:
    with pytest.raises(ValidationError) as info:
        make()  # type: ignore[operator]
    assert info.value.field == "label"
