"""Notification preferences: the kinds members choose about (and those plugins declare), the API
and the settings page (a bad kind or delivery is refused naming the field, and nothing is
written), "off" hiding a kind from the in-app list, grouping unread notifications about one
subject, the member's data rights, and two things members were told wrongly (a level they start
at; guidelines that "changed" before they joined)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, Levels, PointsRule, PointTypeDef, hookimpl
from guildkit.errors import ConfigurationError, DuplicateDefinition, ValidationError
from guildkit.notifications import NotificationKind, group
from guildkit.notifications.models import NotificationPreference
from guildkit.testing import Clock, Members
from tests.plugins import qa_rules
from tests.webclient import Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql


class ShoutKinds:
    """A plugin that tells members of shouts, and declares the kind."""

    @hookimpl(optionalhook=True)
    def guildkit_register_notification_kinds(self, gk: GuildKit) -> list[NotificationKind]:
        return [NotificationKind("shout.heard", "Someone answers your shout", "Shouts", "email")]


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules, ShoutKinds())


@pytest.fixture
def api(gk_app: Flask, gk: GuildKit) -> Api:
    return Api(mount(gk_app, gk))


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


def tell(gk: GuildKit, user_id: str, kind: str, text: str, **data: object) -> None:
    member_id = gk.member(user_id).id
    gk.transaction(lambda tx: tx.tell(member_id, kind, text, **data))


def stored(gk: GuildKit) -> list[tuple[str, str]]:
    with gk.store.engine.connect() as conn:
        query = sa.select(NotificationPreference.kind, NotificationPreference.delivery)
        return sorted((row.kind, row.delivery) for row in conn.execute(query))


# -- the kinds ----------------------------------------------------------------------------------


def test_the_kinds_that_exist_and_those_plugins_declare(gk: GuildKit) -> None:
    kinds = gk.notifier.kinds()
    # Every kind guildkit's core and features tell members of (awards.py, tx.tell in the features).
    assert {
        "badge_awarded", "badge_revoked", "level_up", "role_granted", "status", "trust_level", "mentorship",
        "event.promoted", "event.changed", "event.cancelled", "event.organizer", "moderation.warn",
        "moderation.mute", "moderation.suspend", "moderation.ban", "moderation.appeal", "moderation.mediation",
    } < set(kinds)  # fmt: skip
    assert kinds["shout.heard"].label == "Someone answers your shout"  # guildkit_register_notification_kinds
    assert kinds["moderation.ban"].required and kinds["moderation.ban"].choices == ("app", "email", "digest")
    assert list(kinds)[-1] == "shout.heard"


def test_a_switched_off_feature_offers_no_kinds(gk_clock: Clock, tmp_path: Any) -> None:
    from guildkit.testing import make_app

    with make_app("sqlite", tmp_path, config={"GUILDKIT_PLUGINS_DENY": ["guildkit.events"]}, clock=gk_clock) as (_, gk):
        kinds = gk.notifier.kinds()
        assert "badge_awarded" in kinds and not [k for k in kinds if k.startswith("event.")]


def test_a_kind_declared_twice_or_badly_is_refused(gk: GuildKit) -> None:
    class Again:
        @hookimpl(optionalhook=True)
        def guildkit_register_notification_kinds(self, gk: GuildKit) -> list[NotificationKind]:
            return [NotificationKind("badge_awarded", "Twice", "Other")]

    gk.register(Again(), name="again")
    with pytest.raises(DuplicateDefinition):
        gk.notifier.kinds()
    for bad in (
        {"name": "Bad Name", "label": "x"},
        {"name": "all", "label": "x"},
        {"name": "ok", "label": " "},
        {"name": "ok", "label": "x", "default": "fax"},
        {"name": "ok", "label": "x", "required": True, "default": "off"},
        {"name": "ok", "label": "x", "many": "{votes} votes"},
    ):
        with pytest.raises(ConfigurationError):
            NotificationKind(**bad)


def test_the_host_changes_defaults(gk_app: Flask, gk: GuildKit, gk_members: Members) -> None:
    gk_app.config["GUILDKIT_NOTIFICATIONS_DEFAULTS"] = {"badge_awarded": "digest", "moderation.ban": "off"}
    ann = gk_members()
    chosen = gk.notifier.preferences(ann)
    assert chosen.delivery("badge_awarded") == "digest"
    assert chosen.delivery("moderation.ban") == "email"  # required: never off


# -- the API ------------------------------------------------------------------------------------


def test_api_reads_and_changes_preferences(api: Api, gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    assert api.problem("GET", "/me/notifications/preferences", 401)
    mine = api.ok("GET", "/me/notifications/preferences", user=ann)
    assert mine["email"] is True and mine["email_enabled"] is False
    badges = next(k for k in mine["kinds"] if k["kind"] == "badge_awarded")
    assert badges == {
        "kind": "badge_awarded", "label": "You earn a badge", "description": "", "section": "Recognition",
        "delivery": "app", "default": "app", "chosen": False, "choices": ["off", "app", "email", "digest"],
    }  # fmt: skip

    body = {"kinds": {"badge_awarded": "email", "level_up": "off"}, "email": False}
    changed = api.ok("PUT", "/me/notifications/preferences", user=ann, body=body)
    by_kind = {k["kind"]: k for k in changed["kinds"]}
    assert (by_kind["badge_awarded"]["delivery"], by_kind["level_up"]["delivery"]) == ("email", "off")
    assert by_kind["badge_awarded"]["chosen"] and not by_kind["role_granted"]["chosen"]
    assert changed["email"] is False
    assert stored(gk) == [("*", "app"), ("badge_awarded", "email"), ("level_up", "off")]

    again = api.ok("PUT", "/me/notifications/preferences", user=ann, body={"email": True})
    assert again["email"] is True and stored(gk) == [("badge_awarded", "email"), ("level_up", "off")]


def test_a_person_who_is_not_a_member_yet_becomes_one(api: Api, gk: GuildKit) -> None:
    assert api.ok("GET", "/me/notifications/preferences", user="newcomer")["email"] is True
    api.ok("PUT", "/me/notifications/preferences", user="newcomer", body={"kinds": {"mentorship": "digest"}})
    assert gk.notifier.preferences("newcomer").delivery("mentorship") == "digest"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kinds": {"badge_awarded": "email", "no.such.kind": "email"}}, "kinds.no.such.kind"),
        ({"kinds": {"level_up": "app", "badge_awarded": "fax"}}, "kinds.badge_awarded"),
        ({"kinds": {"badge_awarded": "email", "moderation.warn": "off"}}, "kinds.moderation.warn"),
        ({"kinds": {"badge_awarded": 1}}, "kinds"),
        ({"kinds": ["badge_awarded"]}, "kinds"),
        ({"email": "no", "kinds": {"badge_awarded": "email"}}, "email"),
        ({"kinds": {}, "colour": "red"}, "colour"),
    ],
)
def test_api_refuses_a_bad_kind_or_value_naming_the_field_and_writes_nothing(
    api: Api, gk: GuildKit, gk_members: Members, body: dict[str, Any], field: str
) -> None:
    ann = gk_members()
    found = problem(api.call("PUT", "/me/notifications/preferences", user=ann, body=body), 422, field)
    assert found["code"] == "validation_error"
    assert stored(gk) == []


def test_the_api_is_in_the_openapi_document(api: Api) -> None:
    spec = api.client.get("/community/api/openapi.json").get_json()
    operations = spec["paths"]["/community/api/me/notifications/preferences"]
    assert set(operations) >= {"get", "put"}
    assert "422" in operations["put"]["responses"]


def test_the_service_refuses_the_same(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    with pytest.raises(ValidationError) as refused:
        gk.notifier.set_preferences(ann, {"status": "off"})
    assert refused.value.field == "kinds.status"
    with pytest.raises(ValidationError) as refused:
        gk.notifier.set_preferences(ann, email="yes")
    assert refused.value.field == "email"


# -- the settings page --------------------------------------------------------------------------


def test_the_settings_page_shows_each_kind_in_words(site: Site, gk_members: Members) -> None:
    ann = gk_members()
    site.get("/notifications/settings", status=401)
    page = site.get("/notifications/settings", user=ann)
    assert "<legend>Recognition</legend>" in page and "<legend>Shouts</legend>" in page
    assert '<label for="gk-kind-badge_awarded">You earn a badge</label>' in page
    assert '<label for="gk-kind-moderation-warn">A moderator warns you</label>' in page
    assert "This cannot be switched off." in page
    assert ">In the app and in a weekly email digest</option>" in page
    labels = page.split("<label")
    assert not [chunk for chunk in labels if ">badge_awarded<" in chunk or ">moderation.warn<" in chunk]
    assert "This site does not send email at the moment" in page
    assert 'name="csrf_token"' in page


def test_the_settings_form_saves_and_refuses(site: Site, gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    saved = site.post("/notifications/settings", {"kind.badge_awarded": "digest", "no_email": "1"}, user=ann)
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/notifications/settings?saved=1")
    chosen = gk.notifier.preferences(ann)
    assert (chosen.delivery("badge_awarded"), chosen.email) == ("digest", False)
    assert "Your notification settings are saved." in site.get("/notifications/settings?saved=1", user=ann)

    refused = site.post("/notifications/settings", {"kind.level_up": "off", "kind.status": "off"}, user=ann)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'href="#gk-kind-status">“Your membership is suspended, banned or restored” cannot be switched off' in html
    assert 'aria-invalid="true" aria-describedby="gk-error-kind-status"' in html
    assert gk.notifier.preferences(ann).delivery("level_up") == "app"  # nothing written

    forged = site.post("/notifications/settings", {"kind.level_up": "off"}, user=ann, csrf=False)
    assert forged.status_code == 400 and gk.notifier.preferences(ann).delivery("level_up") == "app"


def test_off_hides_the_kind_from_the_in_app_list(site: Site, gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    tell(gk, ann, "role_granted", "You are now Trusted")
    assert "You earned First Answer" in site.get("/notifications", user=ann)
    gk.notifier.set_preferences(ann, {"badge_awarded": "off"})
    page = site.get("/notifications", user=ann)
    assert "You earned First Answer" not in page and "You are now Trusted" in page
    assert gk.notifier.hidden_kinds(gk.member(ann).id) == ["badge_awarded"]


def test_the_settings_are_linked_from_the_members_own_profile(site: Site, gk_members: Members) -> None:
    ann, bob = gk_members(), gk_members()
    link = 'href="/community/notifications/settings">Notification settings</a>'
    assert link in site.get(f"/members/{ann}", user=ann)
    assert link not in site.get(f"/members/{ann}", user=bob)


# -- grouping -----------------------------------------------------------------------------------


@dataclass
class Note:
    id: int
    kind: str
    text: str
    data: Any
    read_at: datetime | None = None


READ = datetime(2026, 1, 5, tzinfo=UTC)


def test_unread_notifications_about_one_subject_collapse() -> None:
    up = "answer.upvoted"
    notes = [
        Note(9, up, "Dan upvoted your answer", {"subject": "answer:384", "actor": "dan"}),
        Note(8, "badge_awarded", "You earned Supporter", {"badge": "supporter"}),
        Note(7, up, "Cat upvoted your answer", {"subject": "answer:384", "actor": "cat"}),
        Note(6, up, "Eve upvoted your other answer", {"subject": "answer:9", "actor": "eve"}),
        Note(5, up, "Cat upvoted your answer again", {"subject": "answer:384", "actor": "cat"}),
        Note(4, up, "Bob upvoted your answer", {"subject": "answer:384", "actor": "bob"}, read_at=READ),
        Note(3, up, "Ann upvoted your answer", {"subject": "answer:384", "actor": "ann"}, read_at=READ),
        Note(2, "badge_awarded", "You earned First Answer", None),
        Note(1, "badge_awarded", "You earned Answerer", {}),
    ]
    entries = group(notes, {up: "{people} people upvoted your answer ({count} votes)"})
    assert [(e.kind, e.subject, [n.id for n in e.notes]) for e in entries] == [
        (up, "answer:384", [9, 7, 5]),
        ("badge_awarded", None, [8]),
        (up, "answer:9", [6]),
        (up, "answer:384", [4]),  # read: each stands alone
        (up, "answer:384", [3]),
        ("badge_awarded", None, [2]),
        ("badge_awarded", None, [1]),  # no subject: never grouped
    ]
    first = entries[0]
    assert (first.count, first.actors, first.unread) == (3, ("dan", "cat"), True)
    assert first.text == "2 people upvoted your answer (3 votes)"
    assert entries[2].text == "Eve upvoted your other answer" and entries[2].headline is None
    assert not entries[3].unread
    assert group([]) == []
    assert group(notes[:1])[0].text == "Dan upvoted your answer"
    # No phrase declared: the newest one's text; the template says how many more.
    assert group(notes)[0].text == "Dan upvoted your answer" and group(notes)[0].count == 3


def test_the_service_groups_with_the_kinds_phrases(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    for voter in ("bob", "cat"):
        tell(gk, ann, "shout.heard", f"{voter} answered your shout", subject="shout:1", actor=voter)
    entries = group(gk.notifications(ann), gk.notifier.phrases())
    assert [(e.count, e.text) for e in entries] == [(2, "cat answered your shout")]  # no phrase declared


def test_the_notifications_page_groups_unread_ones_about_one_subject(
    site: Site, gk: GuildKit, gk_members: Members
) -> None:
    ann = gk_members()
    for voter in ("bob", "cat"):
        tell(gk, ann, "shout.heard", f"{voter} answered your shout", subject="shout:1", actor=voter)
    tell(gk, ann, "badge_awarded", "You earned First Answer")
    html = site.get("/notifications", user=ann)
    assert 'cat answered your shout</span> <span class="gk-muted">and 1 more like it</span>' in html
    assert "bob answered your shout" not in html and "You earned First Answer" in html


# -- data rights --------------------------------------------------------------------------------


def test_the_export_holds_the_choices_and_erasing_deletes_them(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    gk.notifier.set_preferences(ann, {"badge_awarded": "digest"}, email=False)
    section = gk.privacy.export(ann)["plugins"]["notifications"]
    assert [(p["kind"], p["delivery"]) for p in section["preferences"]] == [("*", "app"), ("badge_awarded", "digest")]
    gk.privacy.erase(ann, confirm=True)
    assert stored(gk) == []


# -- what members are told ----------------------------------------------------------------------


class Starting:
    """Reputation that starts at 1 on joining (as Stack Exchange's), with levels from 1 and 0."""

    @hookimpl
    def guildkit_register_point_types(self, gk: GuildKit) -> list[PointTypeDef]:
        return [PointTypeDef("karma", "Karma"), PointTypeDef("stars", "Stars")]

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> list[object]:
        return [
            PointsRule("karma-start", "guildkit.joined", 1, "karma", to="actor", capped=False),
            PointsRule("karma-post", "post", 10, "karma", to="actor"),
            PointsRule("stars-post", "post", 1, "stars", to="actor"),
            Levels("karma", (1, 10), ("Newcomer", "Contributor")),
            Levels("stars", (0, 1), ("Stargazer", "Star")),
        ]


@pytest.mark.parametrize("gk_backend", ["sqlite"])
def test_no_level_notification_for_the_level_a_member_starts_at(gk: GuildKit) -> None:
    gk.register(Starting(), name="starting")
    gk.join("ann")
    assert gk.balance("ann", "karma") == 1
    assert [n.text for n in gk.notifications("ann")] == []  # not "You reached Newcomer"
    gk.record("post", actor="ann", key="post:1")
    # Contributor is news; Stargazer (held with no stars at all) is not, Star is.
    assert sorted(n.text for n in gk.notifications("ann")) == ["You reached Contributor", "You reached Star"]


def test_guidelines_changed_is_only_said_to_members_who_were_here_before(
    site: Site, gk: GuildKit, gk_clock: Clock, gk_members: Members
) -> None:
    changed, welcome = "The community guidelines changed", "read and accept the community guidelines"
    old_timer = gk_members()
    gk_clock.advance(days=1)
    gk.guidelines.publish(None, title="Rules", body="Be kind.")
    gk_clock.advance(days=1)
    newcomer = gk_members()
    page = site.get("/", user=old_timer)
    assert changed in page and welcome not in page
    page = site.get("/", user=newcomer)
    assert changed not in page and welcome in page
    gk.guidelines.accept(newcomer, 1)
    assert welcome not in site.get("/", user=newcomer)
    gk_clock.advance(days=1)
    gk.guidelines.publish(None, title="Rules", body="Be kinder.")
    assert changed in site.get("/", user=newcomer)  # now it did change, for them too
