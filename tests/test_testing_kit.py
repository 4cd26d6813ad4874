"""The plugin author's kit in guildkit.testing: the member factory and the record-and-expect helper."""

from __future__ import annotations

import pytest

from guildkit import GuildKit
from guildkit.testing import Activities, Members


def test_members_get_fresh_ids_names_and_roles(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members("Ann")
    mo = gk_members(roles=["moderator"])
    assert (ann, mo) == ("user-1", "user-2")
    assert gk.member(ann).display_name == "Ann" and gk.member(mo).display_name == "Member 2"
    assert gk.roles(mo) == ["moderator"] and gk.has_permission(mo, "members.manage")


def test_activities_record_with_fresh_keys_and_expect_exact_awards(
    gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    author, voter = gk_members("Ann"), gk_members("Vic")
    posted = gk_activities.record("answer.posted", actor=author)
    gk_activities.expect(posted, points={author: 5}, badges={author: ["first-answer"]})
    upvote = gk_activities.record("answer.upvoted", actor=voter, target=author)
    assert posted.key != upvote.key and [r.key for r in gk_activities.recorded] == [posted.key, upvote.key]
    gk_activities.expect(upvote, points={author: 10}, point_type="reputation", badges={}, roles={})


def test_expect_says_what_differs(gk_members: Members, gk_activities: Activities) -> None:
    author, voter = gk_members(), gk_members()
    upvote = gk_activities.record("answer.upvoted", actor=voter, target=author)
    with pytest.raises(AssertionError, match=r"points \{'user-1': 10\}, expected \{'user-1': 15\}"):
        gk_activities.expect(upvote, points={author: 15})
    with pytest.raises(AssertionError, match=r"points .* expected .*'user-2': 1"):
        gk_activities.expect(upvote, points={author: 10, voter: 1})  # the voter got nothing
    with pytest.raises(AssertionError, match="badges"):
        gk_activities.expect(upvote, badges={author: ["first-answer"]})
