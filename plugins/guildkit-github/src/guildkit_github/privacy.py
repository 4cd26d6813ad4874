"""A member's data rights in the GitHub plugin: their linked account.

* **Export** (``github``): the GitHub account linked to the member (numeric id, login, when it
  was linked), or no section when there is none.
* **Erase**: the link row is deleted, so nothing in ``guildkit_github_accounts`` names them and
  later deliveries from that GitHub account are skipped as unlinked. Their login is also taken
  out of the one place the plugin copied it into other members' activities: the ``merged_by``
  of ``github.pull_request.merged`` (they merged someone else's pull request) becomes "A former
  member". Such an activity's fingerprint, a hash of its content, is replaced by one derived
  from its key alone (as guildkit does for the member's own activities), so the old content
  cannot be confirmed by guessing; a later redelivery of that merge is then answered as a
  duplicate with a conflict, and what was recorded stands.

The member's own activities (their pull requests, reviews, issues, releases) are guildkit's to
erase: it empties what they did and scrubs what was done to them. Repository names and URLs are
left as they are: a repository is the community's, even when its owner is the member.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from guildkit import FORMER_MEMBER, Erasure, GuildKit, Member, hookimpl
from guildkit.models import Activity, table_of

from .accounts import ACCOUNTS, Account
from .mapping import PULL_REQUEST_MERGED

SECTION = "github"
ACTIVITIES = table_of(Activity)


@hookimpl
def guildkit_member_export(gk: GuildKit, member: Member, conn: sa.Connection) -> Mapping[str, Any] | None:
    row = conn.execute(sa.select(ACCOUNTS).where(ACCOUNTS.c.user_id == member.user_id)).first()
    if row is None:
        return None
    account = Account.from_row(row)
    return {
        SECTION: {"account": {"github_id": account.github_id, "login": account.login, "linked_at": account.linked_at}}
    }


def scrubbed_fingerprint(key: str) -> str:
    """A fingerprint that says nothing about the old content: derived from the key alone."""
    return hashlib.sha256(f"guildkit-github:scrubbed:{key}".encode()).hexdigest()


@hookimpl
def guildkit_member_erase(gk: GuildKit, erasure: Erasure) -> None:
    conn = erasure.conn
    row = conn.execute(sa.select(ACCOUNTS.c.id, ACCOUNTS.c.login).where(ACCOUNTS.c.user_id == erasure.user_id)).first()
    if row is None:
        return
    conn.execute(sa.delete(ACCOUNTS).where(ACCOUNTS.c.id == row.id))
    if row.login:
        _scrub_merged_by(conn, row.login)


def _scrub_merged_by(conn: sa.Connection, login: str) -> None:
    """Pull requests the member merged: ``merged_by`` no longer names them."""
    merged = conn.execute(
        sa.select(ACTIVITIES.c.id, ACTIVITIES.c.key, ACTIVITIES.c.payload).where(
            ACTIVITIES.c.type == PULL_REQUEST_MERGED,
            # GitHub logins are case-insensitive; the decision is made below, on the decoded payload.
            sa.func.lower(sa.cast(ACTIVITIES.c.payload, sa.Text)).contains(login.lower(), autoescape=True),
        )
    ).all()
    changes = [
        {
            "a_id": row.id,
            "a_payload": {**row.payload, "merged_by": FORMER_MEMBER},
            "a_print": scrubbed_fingerprint(row.key),
        }
        for row in merged
        if isinstance(row.payload, dict)
        and isinstance(row.payload.get("merged_by"), str)
        and row.payload["merged_by"].casefold() == login.casefold()
    ]
    if changes:
        conn.execute(
            sa.update(ACTIVITIES)
            .where(ACTIVITIES.c.id == sa.bindparam("a_id"))
            .values(payload=sa.bindparam("a_payload"), fingerprint=sa.bindparam("a_print")),
            changes,
        )
