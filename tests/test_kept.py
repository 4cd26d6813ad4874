"""``store.kept``: what a request reads from several places (a member's roles, a mute) is read once
per session, and read again as soon as guildkit commits a write in the process."""

from __future__ import annotations

from guildkit import GuildKit
from guildkit.store import kept
from guildkit.testing import Clock, Members


def test_an_answer_is_kept_until_guildkit_next_writes(gk: GuildKit) -> None:
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    assert kept(gk.session, "test", "k", read) == 1
    assert kept(gk.session, "test", "k", read) == 1  # kept: not read again
    assert kept(gk.session, "test", "other", read) == 2  # another key is its own read
    gk.join("ann", name="Ann")  # a write: everything kept is read again
    assert kept(gk.session, "test", "k", read) == 3


def test_roles_and_mutes_read_after_a_change_in_the_same_session(
    gk: GuildKit, gk_members: Members, gk_clock: Clock
) -> None:
    mod, ann = gk_members("Mo", roles=["moderator"]), gk_members("Ann")
    assert not gk.has_permission(ann, "members.manage")
    gk.award(ann, role="moderator", reason="elected")
    assert gk.has_permission(ann, "members.manage") and "moderator" in gk.roles(ann)
    assert gk.moderation.muted_until(ann) is None
    case_id = gk.moderation.report(mod, subject="post:1", user_id=ann, category="spam").case_id
    gk.moderation.resolve(gk_members("Jo", roles=["moderator"]), case_id, action="mute", reason="flood", hours=2)
    muted = gk.moderation.muted_until(ann)
    assert muted is not None
    gk_clock.advance(hours=3)  # no write: the kept end is compared with the clock anew
    assert gk.moderation.muted_until(ann) is None
    gk_clock.advance(hours=-3)
    assert gk.moderation.muted_until(ann) == muted
