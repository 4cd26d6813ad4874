"""A member's data rights in the webhooks plugin: the export lists what was sent about them and
to whom; erasing them leaves neither their host user id nor their names in any of the plugin's
tables, scrubs in place (no row deleted), and leaves other members' deliveries as they were."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from guildkit import FORMER_MEMBER, GuildKit, PointsRule, PointTypeDef, UserInfo, hookimpl
from guildkit.rules import Rule
from guildkit.testing import require_backend

import guildkit_webhooks
from guildkit_webhooks import enqueue_raw
from guildkit_webhooks.admin import create_endpoint
from guildkit_webhooks.privacy import Mentions
from guildkit_webhooks.tables import DELIVERIES, ENDPOINTS

ERIN = "erin-7f3a9"
NAME = "Erin Quillfeather"
HOST_NAME = "E. Quillfeather"
NEEDLES = (ERIN, NAME, HOST_NAME, "Quillfeather")
SLACK = "https://hooks.slack.test/services/T0/B0/s3cr3t"


@pytest.fixture(params=["sqlite", "postgresql"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    return require_backend(str(request.param))


class Karma:
    """An upvote gives its target 10 karma: points_changed events to send."""

    @hookimpl
    def guildkit_register_point_types(self, gk: GuildKit) -> list[PointTypeDef]:
        return [PointTypeDef("karma", "Karma")]

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> list[Rule]:
        return [PointsRule("upvote", "answer.upvoted", 10, "karma", to="target")]


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (guildkit_webhooks, Karma())


def plugin_text_columns(engine: sa.Engine) -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every text or JSON column of the plugin's tables, as the database has them."""
    metadata = sa.MetaData()
    metadata.reflect(engine, only=lambda name, _: name.startswith("guildkit_webhooks_"))
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String | sa.Text | sa.JSON)
    ]


def traces(engine: sa.Engine) -> list[str]:
    """``table.column: needle`` for each needle found anywhere in the plugin's tables."""
    columns = plugin_text_columns(engine)
    assert {f"{t.name}.{c.name}" for t, c in columns} >= {
        "guildkit_webhooks_endpoints.created_by",
        "guildkit_webhooks_deliveries.payload",
        "guildkit_webhooks_deliveries.last_error",
    }
    found = []
    with engine.connect() as conn:
        for table, column in columns:
            text = sa.cast(column, sa.Text)
            for needle in NEEDLES:
                if conn.scalar(sa.select(sa.func.count()).select_from(table).where(text.contains(needle))):
                    found.append(f"{table.name}.{column.name}: {needle}")
    return found


def deliveries(gk: GuildKit) -> dict[int, Any]:
    with gk.store.engine.connect() as conn:
        return {row.id: row for row in conn.execute(sa.select(DELIVERIES))}


def history(gk: GuildKit) -> dict[str, Any]:
    """Erin registers an endpoint, joins, upvotes Bob and is upvoted; a chat message names her."""

    @gk.user_info_loader
    def info(user_id: str) -> UserInfo | None:
        return UserInfo(name=HOST_NAME) if user_id == ERIN else None

    endpoint = create_endpoint(gk, "https://hooks.example.org/in", ["*"], description="CRM", created_by=ERIN)
    gk.join("bob", name="Bob")
    gk.join(ERIN, name=NAME)
    gk.record("answer.upvoted", actor=ERIN, target="bob", subject="answer:7", key=f"up:{ERIN}:7")
    gk.record("answer.upvoted", actor="bob", target=ERIN, subject="answer:1", key="up:bob:1")
    enqueue_raw(gk, SLACK, {"text": f"{HOST_NAME} earned *Gold*"}, event="badge_awarded", source="chat:slack")
    enqueue_raw(gk, SLACK, {"text": "Bob earned *Gold*"}, event="badge_awarded", source="chat:slack")
    # A receiver that echoed what it was sent into its error answer.
    with gk.store.engine.begin() as conn:
        erins_joining = conn.execute(
            sa.select(DELIVERIES.c.id)
            .where(DELIVERIES.c.event == "member_joined")
            .order_by(DELIVERIES.c.id.desc())
            .limit(1)
        ).scalar_one()
        conn.execute(
            sa.update(DELIVERIES)
            .where(DELIVERIES.c.id == erins_joining)
            .values(status="failed", attempts=8, last_status_code=400, last_error=f"HTTP 400: who is {ERIN}?")
        )
    return {"endpoint": endpoint}


def test_erasing_leaves_no_trace_in_the_plugins_tables(gk: GuildKit) -> None:
    history(gk)
    assert set(traces(gk.store.engine)) >= {
        f"guildkit_webhooks_endpoints.created_by: {ERIN}",
        f"guildkit_webhooks_deliveries.payload: {ERIN}",
        f"guildkit_webhooks_deliveries.payload: {HOST_NAME}",
        f"guildkit_webhooks_deliveries.last_error: {ERIN}",
    }
    before = deliveries(gk)
    bobs_own = {
        i: row.payload
        for i, row in before.items()
        if ERIN not in str(row.payload) and "Quillfeather" not in str(row.payload)
    }
    assert bobs_own, "some deliveries are about Bob only"

    erased = gk.privacy.erase(ERIN, confirm=True)

    assert traces(gk.store.engine) == []
    assert "guildkit_webhooks" in erased.plugins
    after = deliveries(gk)
    assert set(after) == set(before), "no delivery was deleted"
    assert {i: row.status for i, row in after.items()} == {i: row.status for i, row in before.items()}
    assert {i: after[i].payload for i in bobs_own} == bobs_own, "other members' deliveries are untouched"
    tombstone = erased.tombstone
    data = [row.payload.get("data", {}) for row in after.values() if row.source == "webhook"]
    assert {"user_id": tombstone, "member_id": erased.member_id} in data
    # Bob's points from Erin's upvote: still Bob's, under the activity key guildkit rewrote too.
    assert any(d.get("user_id") == "bob" and d.get("activity_key") == f"up:{tombstone}:7" for d in data)
    texts = [row.payload["text"] for row in after.values() if row.source == "chat:slack"]
    assert sorted(texts) == sorted([f"{FORMER_MEMBER} earned *Gold*", "Bob earned *Gold*"])
    assert f"HTTP 400: who is {tombstone}?" in {row.last_error for row in after.values()}
    with gk.store.engine.connect() as conn:
        assert conn.scalar(sa.select(ENDPOINTS.c.created_by)) == tombstone


def test_the_export_lists_what_was_sent_about_them_and_to_whom(gk: GuildKit) -> None:
    endpoint = history(gk)["endpoint"]
    section = gk.privacy.export(ERIN)["plugins"]["webhooks"]
    assert section["endpoints_registered"] == [
        {"id": endpoint["id"], "description": "CRM", "created_at": endpoint["created_at"]}
    ]
    sent = [(d["event"], d["source"], d["recipient"]) for d in section["deliveries"]]
    assert ("member_joined", "webhook", "https://hooks.example.org") in sent
    assert ("points_changed", "webhook", "https://hooks.example.org") in sent
    assert ("badge_awarded", "chat:slack", "https://hooks.slack.test") in sent
    assert len(sent) == len({d["delivery_id"] for d in section["deliveries"]})
    assert all("payload" not in d for d in section["deliveries"])
    assert "s3cr3t" not in str(section), "a chat webhook's path is a secret"
    # Bob's export has his deliveries, not the chat message about Erin.
    bobs = gk.privacy.export("bob")["plugins"]["webhooks"]
    assert ("badge_awarded", "chat:slack", "https://hooks.slack.test") in [
        (d["event"], d["source"], d["recipient"]) for d in bobs["deliveries"]
    ]
    assert len([d for d in bobs["deliveries"] if d["source"] == "chat:slack"]) == 1
    assert bobs["endpoints_registered"] == []


def test_a_member_the_plugin_holds_nothing_about_has_no_section(gk: GuildKit) -> None:
    gk.join("cy", name="Cy")
    assert "webhooks" not in gk.privacy.export("cy")["plugins"]


@pytest.mark.parametrize(
    ("source", "payload", "about"),
    [
        ("webhook", {"data": {"user_id": "user-1"}}, True),
        ("webhook", {"data": {"activity_key": "guildkit.joined:user-1"}}, True),
        ("webhook", {"data": {"user_id": "user-10"}}, False),
        ("webhook", {"data": {"user_id": "user-1-b"}}, False),
        # An event's own fields that happen to hold the name are not tied to the member by it.
        ("webhook", {"data": {"title": "Ann's meetup", "by": "user-2"}}, False),
        ("chat:slack", {"text": "Ann earned Gold"}, True),
        ("chat:slack", {"blocks": [{"text": "Zoë reached level 2"}]}, True),
        ("chat:slack", {"text": "Annual meetup"}, False),
        ("chat:slack", {"text": "A earned Gold"}, False),
    ],
)
def test_which_deliveries_are_about_a_member(source: str, payload: dict[str, Any], about: bool) -> None:
    mentions = Mentions("user-1", ("Ann", "Zoë", "A"))

    class Row:
        def __init__(self) -> None:
            self.source, self.payload = source, payload

    row = Row()
    assert mentions.about([row]) == ([row] if about else [])
