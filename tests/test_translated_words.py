"""Words in the reader's language: definitions declared with ``lazy_gettext`` said when shown,
notifications stored as written and said again for each reader, numbers in the reader's locale,
form messages with the field's label where a translation puts it, and rule versions that never
depend on the language of the request that made them.

The translations come from a host catalogue (``BABEL_TRANSLATION_DIRECTORIES``), which wins over
guildkit's own for a message both translate, so these tests do not depend on guildkit's wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_babel
import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask

from guildkit import ActivityTypeDef, BadgeDef, BadgeLevel, GuildKit, Subject, ValidationError, hookimpl
from guildkit.definitions import shown, source
from guildkit.i18n import lazy_gettext
from guildkit.metrics import Count, Streak
from guildkit.models import Badge, Notification
from guildkit.rules import versions
from guildkit.testing import Members
from guildkit.words import Words
from tests.plugins import qa_rules
from tests.webclient import Site, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

#: The host's German words (its own, and some of guildkit's reworded).
GERMAN = {
    "You earned %(tier)s %(badge)s": "Verdient: %(badge)s (%(tier)s)",
    "You earned %(badge)s": "Verdient: %(badge)s",
    "%(tier)s %(badge)s": "%(tier)s %(badge)s",
    "Bronze": "Bronzestufe",
    "Gold": "Gold",
    "Answerer": "Antwortgeber",
    "You are now trust level %(level)s: %(name)s": "Vertrauensstufe %(level)s erreicht: %(name)s",
    "Basic": "Grundstufe",
    "Mentor": "Mentorin",
    "Helper": "Helferin",
    "Title": "Überschrift",
    "%(field)s must not be empty": "Bitte %(field)s ausfüllen",
    "Answer {n} questions": "Beantworte {n} Fragen",
    ("%(what)s on %(count)s day in a row", "%(what)s on %(count)s days in a row"): (
        "%(what)s an %(count)s Tag in Folge",
        "%(what)s an %(count)s Tagen in Folge",
    ),
}

ANSWERS = ActivityTypeDef(
    "answer.posted", "Answer", goal=lazy_gettext("Answer {n} questions"), goal_one="Answer a question"
)


class Described:
    """The host's words: an activity type, and a badge named with a lazy translation."""

    @hookimpl
    def guildkit_register_activity_types(self, gk: GuildKit) -> list[ActivityTypeDef]:
        return [ANSWERS, ActivityTypeDef("visit", "Visit", goal_one="Visit the community")]

    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        return [BadgeDef("helper", lazy_gettext("Helper"), levels=(BadgeLevel("bronze"), BadgeLevel("gold")))]


def host_catalogue(directory: Path) -> str:
    catalog = Catalog(locale="de", domain="messages")
    for source_text, german in GERMAN.items():
        catalog.add(source_text, german)
    target = directory / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    return str(directory)


@pytest.fixture
def gk_config(tmp_path: Path) -> dict[str, Any]:
    return {"BABEL_TRANSLATION_DIRECTORIES": host_catalogue(tmp_path / "host-translations")}


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules, Described())


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


@contextmanager
def reading(app: Flask, language: str) -> Iterator[None]:
    """A request from a reader of ``language`` (the tests' app context outlives requests: the
    locale it remembers is forgotten first)."""
    with app.test_request_context("/", headers={"Accept-Language": language}):
        flask_babel.refresh()
        yield


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1]).split())


def test_notifications_are_stored_as_written_and_said_in_each_readers_language(
    gk_app: Flask, site: Site, gk: GuildKit, gk_members: Members
) -> None:
    ann = gk_members()
    gk.preferences.set(ann, locale="de")
    # Recorded while a German reader's request runs: what is stored is still as written.
    with reading(gk_app, "de"):
        gk.record("answer.posted", actor=ann, key="a1")
        gk.record("answer.posted", actor=ann, key="a2")
        gk.trust.set_level(ann, 1, reason="welcome")
    member = gk.member(ann)
    stored = gk.session.scalars(
        sa.select(Notification.text).where(Notification.member_id == member.id).order_by(Notification.id)
    ).all()
    assert "You earned Bronze Answerer" in stored and "You are now trust level 1: Basic" in stored

    german = visible(site.get("/notifications", user=ann))
    assert "Verdient: Antwortgeber (Bronzestufe)" in german and "Verdient: First Answer" in german
    assert "Vertrauensstufe 1 erreicht: Grundstufe" in german
    assert "You earned" not in german
    # The same notifications, once the member reads English again.
    gk.preferences.set(ann, locale=None)
    english = visible(site.get("/notifications", user=ann))
    assert "You earned Bronze Answerer" in english and "You are now trust level 1: Basic" in english


def test_definitions_are_said_in_the_readers_language_and_stored_as_written(
    gk_app: Flask, site: Site, gk: GuildKit, gk_members: Members
) -> None:
    ann = gk_members()
    gk.preferences.set(ann, locale="de")
    # guildkit's own badge (its name marked for translation) and the host's (a lazy translation).
    german = visible(site.get("/badges", user=ann))
    assert "Mentorin" in german and "Helferin" in german
    assert "Mentorin" not in visible(site.get("/badges")) and "Helper" in visible(site.get("/badges"))
    stored = dict(
        gk.session.execute(sa.select(Badge.slug, Badge.name).where(Badge.slug.in_(["mentor", "helper"]))).all()
    )
    assert stored == {"mentor": "Mentor", "helper": "Helper"}
    # One rule set, one version, whichever language the request that hashed it speaks.
    english = versions.content_hash(versions.snapshot(gk.registry))
    with reading(gk_app, "de"):
        helper = gk.registry.badges["helper"]
        assert (shown(helper.name), source(helper.name)) == ("Helferin", "Helper")
        assert (helper.level_name(2), helper.level_title(2)) == ("Gold Helper", "Gold Helferin")
        assert gk.registry.badges["answerer"].level_title(1) == "Bronzestufe Antwortgeber"
        assert versions.content_hash(versions.snapshot(gk.registry)) == english


def test_goals_count_in_the_readers_language_and_locale(gk_app: Flask, gk: GuildKit) -> None:
    words = Words(gk.registry)
    with reading(gk_app, "de"):
        assert words.goal(Count("answer.posted"), 1500) == "Beantworte 1.500 Fragen"
        assert words.goal(Count("answer.posted"), 1) == "Answer a question"  # the host's, untranslated
        assert words.goal(Streak("visit"), 1) == "Visit the community an 1 Tag in Folge"
        assert words.goal(Streak("visit"), 7) == "Visit the community an 7 Tagen in Folge"
    with reading(gk_app, "en"):
        assert words.goal(Count("answer.posted"), 1500) == "Answer 1,500 questions"
        assert words.goal(Streak("visit"), 7) == "Visit the community on 7 days in a row"


def test_sentences_fill_a_lazy_translations_placeholders_when_shown(gk_app: Flask, gk: GuildKit) -> None:
    joined = Words(gk.registry)
    title = Subject("How?", "/q/1")
    with reading(gk_app, "en"):
        assert joined.sentence("guildkit.joined", "public", actor="Ada") == "Ada joined the community"
        assert joined.sentence("answer.posted", "actor", subject=title, html=True) == (
            'Answer: <a href="/q/1">How?</a>'
        )
    with pytest.raises(ValidationError, match="subject"):  # the placeholders are checked as written
        ActivityTypeDef("x.y", "X", actor=lazy_gettext("You did {title}"))
    assert BadgeDef("b", lazy_gettext("Mentor")).level_name(1) == "Mentor"


def test_a_form_names_the_field_by_its_label_where_the_translation_puts_it(
    site: Site, gk: GuildKit, gk_members: Members
) -> None:
    admin = gk_members(roles=["admin"])
    gk.preferences.set(admin, locale="de")
    response = site.post("/guidelines/new", {"title": " ", "body": "Be kind."}, user=admin)
    assert response.status_code == 422
    assert "Bitte Überschrift ausfüllen" in visible(response.get_data(as_text=True))
