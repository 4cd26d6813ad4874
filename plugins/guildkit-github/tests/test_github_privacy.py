"""A member's data rights in the GitHub plugin: the export names their linked account; erasing
them deletes the link, takes their login out of the pull requests they merged for others, and
leaves neither their host user id nor their login or name in any guildkit table (on every
backend). Their GitHub account's later deliveries are skipped as unlinked, and a redelivery of a
merge they made is a duplicate that changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from guildkit import FORMER_MEMBER, GuildKit
from guildkit.models import Activity, table_of

import guildkit_github
from github_support import MONALISA, GitHub
from guildkit_github.rules import POINT_TYPE

Payloads = Callable[[str], dict[str, Any]]

MERGE = "github:1296269:pr#1347:merged@2026-01-04T10:15:00Z"


def text_columns(engine: sa.Engine) -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every text or JSON column of every guildkit table in the database, the plugin's included."""
    metadata = sa.MetaData()
    metadata.reflect(engine, only=lambda name, _: name.startswith("guildkit_"))
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String | sa.Text | sa.JSON)
    ]


def traces(engine: sa.Engine, needles: tuple[str, ...]) -> list[str]:
    """``table.column: needle`` for each needle found anywhere (case-insensitively)."""
    columns = text_columns(engine)
    assert "guildkit_github_accounts" in {table.name for table, _ in columns}
    found = []
    with engine.connect() as conn:
        for table, column in columns:
            text = sa.func.lower(sa.cast(column, sa.Text))
            for needle in needles:
                if conn.scalar(sa.select(sa.func.count()).select_from(table).where(text.contains(needle.lower()))):
                    found.append(f"{table.name}.{column.name}: {needle}")
    return found


def merged_by(gk: GuildKit, key: str) -> Any:
    activities = table_of(Activity)
    with gk.store.engine.connect() as conn:
        payload = conn.scalar(sa.select(activities.c.payload).where(activities.c.key == key))
    return payload["merged_by"]


def test_erasing_deletes_the_link_and_leaves_no_trace_of_them(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Payloads
) -> None:
    mona = linked["monalisa"]
    needles = (mona, "monalisa")
    merge, review = payloads("pull_request_closed_merged"), payloads("pull_request_review_submitted")
    assert github.deliver("pull_request", merge).status == 200  # octocat's PR, merged by monalisa
    assert github.deliver("pull_request_review", review).status == 200  # monalisa reviews it
    assert merged_by(gk, MERGE) == "monalisa"
    assert set(traces(gk.store.engine, needles)) >= {
        f"guildkit_github_accounts.user_id: {mona}",
        "guildkit_github_accounts.login: monalisa",
        "guildkit_activities.payload: monalisa",
    }
    octocat_points = gk.balance(linked["octocat"], POINT_TYPE)

    erased = gk.privacy.erase(mona, confirm=True)

    assert "guildkit_github" in erased.plugins
    assert traces(gk.store.engine, needles) == []
    assert sorted(a.user_id for a in guildkit_github.linked_accounts(gk)) == sorted(
        [linked["octocat"], linked["hubot"]]
    )
    assert merged_by(gk, MERGE) == FORMER_MEMBER
    # A redelivery of the merge: what was recorded stands, nothing is awarded again.
    again = github.deliver("pull_request", merge)
    assert again.status == 200
    assert [(a["key"], a["duplicate"]) for a in again.body["activities"]] == [(MERGE, True)]
    assert gk.balance(linked["octocat"], POINT_TYPE) == octocat_points
    assert merged_by(gk, MERGE) == FORMER_MEMBER
    # Their GitHub account is nobody now: its review is skipped, not recorded for anyone.
    skipped = github.deliver("pull_request_review", review)
    assert skipped.status == 202 and skipped.body["activities"] == []
    assert "not linked" in skipped.body["skipped"][0]["reason"]
    assert traces(gk.store.engine, needles) == []


def test_the_export_names_the_linked_account(gk: GuildKit, linked: dict[str, str]) -> None:
    document = gk.privacy.export(linked["monalisa"])
    account = guildkit_github.account_for_user(gk, linked["monalisa"])
    assert account is not None
    assert document["plugins"]["github"] == {
        "account": {"github_id": MONALISA, "login": "monalisa", "linked_at": account.linked_at.isoformat()}
    }
    gk.join("cy", name="Cy")
    assert "github" not in gk.privacy.export("cy")["plugins"]
    erased = gk.privacy.erase("cy", confirm=True)  # nothing linked: nothing to do, and no error
    assert "guildkit_github" in erased.plugins
    assert len(guildkit_github.linked_accounts(gk)) == 3
