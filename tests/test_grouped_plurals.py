"""Grouped notifications in German: several people who did one thing read as one sentence whose
verb agrees with who it names, and whose count of the others takes the language's plural form.

An activity's sentence is written for one person ("{actor} attended {subject}", German "{actor}
hat {subject} besucht"). Several unread ones about one subject used to put "Dan and 2 others" in
that sentence: "Dan und 2 weitere Personen hat … besucht", a plural subject with a singular verb.
The line now says it of the newest person alone and adds the others with ``ngettext`` and the
count ("…, and 2 others did too"). The expected words come from the shipped German catalogue
(what gettext finds there, the English source where it has no entry yet), never German written
out here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from gettext import c2py

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup, escape

from guildkit import ActivityTypeDef, GuildKit, Subject, hookimpl
from guildkit.i18n import lazy_gettext, speaking
from guildkit.models import Member
from guildkit.notes import others_too
from tests.test_email import shipped
from tests.webclient import PREFIX, mount

#: The grouped sentence's count of others, as ``notes.others_too`` asks for it.
OTHERS = ("%(sentence)s, and %(count)s other did too", "%(sentence)s, and %(count)s others did too")
#: An activity's sentence for the member it was done to, from guildkit's own catalogue.
ATTENDED = "{actor} attended {subject}"


class Talks:
    """A host whose members give talks: each attendee tells the speaker. Its words are ones
    guildkit's catalogue translates."""

    @hookimpl
    def guildkit_register_activity_types(self, gk: GuildKit) -> list[ActivityTypeDef]:
        return [ActivityTypeDef("talk.attended", lazy_gettext("Event attended"), notify="target",
                                target=lazy_gettext(ATTENDED))]  # fmt: skip

    @hookimpl
    def guildkit_resolve_subjects(self, gk: GuildKit, keys: Sequence[str]) -> Mapping[str, Subject]:
        titles = {"talk:7": "Caching joins", "talk:8": "Fast tests"}
        return {key: Subject(titles[key], f"/talks/{key[5:]}") for key in keys if key in titles}


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (Talks(),)


def said(catalog: Catalog, singular: str, plural: str, n: int, **values: str) -> str:
    """What gettext says for ``n`` with ``catalog``: its plural form for ``n``, or the English
    source while the catalogue has no translation of it."""
    entry = catalog.get(singular)
    forms = entry.string if entry is not None and isinstance(entry.string, tuple) and all(entry.string) else None
    if forms is None:
        return (singular if n == 1 else plural) % values
    return forms[c2py(catalog.plural_expr)(n)] % values


def one(catalog: Catalog, actor: str, subject: str) -> str:
    """The activity's sentence for one person, as the catalogue translates it."""
    entry = catalog.get(ATTENDED)
    assert entry is not None and entry.string, f"guildkit's German catalogue translates {ATTENDED!r}"
    return str(entry.string).format(actor=actor, subject=subject)


@pytest.fixture
def client(gk_app: Flask, gk: GuildKit) -> FlaskClient:
    return mount(gk_app, gk)


def attend(gk: GuildKit, speaker: str, talk: str, attendees: Sequence[str]) -> None:
    for attendee in attendees:
        gk.record("talk.attended", actor=attendee, target=speaker, subject=talk, key=f"{attendee}:{talk}:{speaker}")


def test_several_people_read_as_one_person_and_a_counted_plural(gk: GuildKit, client: FlaskClient) -> None:
    for name in ("Ann", "Bob", "Ada", "Cat", "Dan"):
        gk.join(name.lower(), name=name)
    with gk.store.engine.begin() as conn:
        conn.execute(sa.update(Member).where(Member.user_id == "ann").values(locale="de"))
    for speaker in ("ann", "bob"):
        attend(gk, speaker, "talk:7", ["ada", "cat", "dan"])  # three people: Dan is the newest
        attend(gk, speaker, "talk:8", ["cat", "ada"])  # two people: Ada is the newest

    german = client.get(f"{PREFIX}/notifications", headers={"X-User": "ann"}).get_data(as_text=True)
    english = client.get(f"{PREFIX}/notifications", headers={"X-User": "bob"}).get_data(as_text=True)

    de = shipped("de")
    for page, catalog in ((german, de), (english, Catalog(locale="en"))):
        for newest, talk, title, others in (("Dan", "7", "Caching joins", 2), ("Ada", "8", "Fast tests", 1)):
            linked = Markup('<a href="/talks/{}">{}</a>').format(talk, title)
            sentence = one(de, newest, linked) if catalog is de else ATTENDED.format(actor=newest, subject=linked)
            frame = said(catalog, *OTHERS, others, sentence="\x00", count=str(others))
            assert str(escape(frame)).replace("\x00", sentence) in page, (frame, sentence)
    # The German verb is the one written for one person, and it names one person.
    assert one(de, "Dan", '<a href="/talks/7">Caching joins</a>') in german
    assert "Dan attended" in english and "Dan attended" not in german


def test_the_count_takes_the_plural_form_for_it(gk_app: Flask, gk: GuildKit) -> None:
    """``others_too`` straight: the form for 1 and for 2 from the catalogue, and markup kept as
    markup while the words around it are escaped."""
    de = shipped("de")
    link = Markup('<a href="/talks/7">Tom &amp; Jerry</a>')
    with speaking("de", None):
        for n in (1, 2, 5):
            assert others_too("<sentence>", n) == said(de, *OTHERS, n, sentence="<sentence>", count=str(n))
        marked = others_too(link, 2)
    assert isinstance(marked, Markup)
    assert str(marked) == str(escape(said(de, *OTHERS, 2, sentence="\x00", count="2"))).replace("\x00", link)
    with speaking("en", None):
        assert others_too("Ada attended X", 1) == "Ada attended X, and 1 other did too"
        assert others_too("Ada attended X", 3) == "Ada attended X, and 3 others did too"
