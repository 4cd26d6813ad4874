"""Internationalisation: every template string marked, complete German and Spanish catalogues,
the member's language and time zone (``/settings``, ``/me/preferences``), the browser's language,
and a host's own Flask-Babel set-up."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from jinja2 import Environment

from guildkit import GuildKit, i18n
from guildkit.errors import ValidationError
from guildkit.testing import Clock
from tests.i18n_scan import unmarked
from tests.webclient import PREFIX, Api, Site, mount, problem, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

REPO = Path(__file__).resolve().parent.parent
SHIPPED = ("de", "es")
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2)}
#: The pages every test of translated pages visits, as a member (some need a signed-in member).
PAGES = ("/", "/members", "/members/ann", "/badges", "/leaderboards", "/notifications", "/privacy", "/settings")


def extracted() -> Catalog:
    """What the code and templates mark today (as ``scripts/translations.sh extract`` writes it)."""
    with (REPO / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    catalog = Catalog()
    for filename, line, message, comments, context in extract_from_dir(
        str(REPO / "src" / "guildkit"), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return catalog


def shipped(locale: str) -> Catalog:
    with (i18n.TRANSLATIONS / locale / "LC_MESSAGES" / "guildkit.po").open("rb") as po:
        return read_po(po, locale=locale)


# -- the catalogues ------------------------------------------------------------------------


def test_every_template_string_is_marked_for_translation() -> None:
    found = unmarked(Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"]))
    assert not found, f"{len(found)} unmarked (run python tests/i18n_scan.py):\n" + "\n".join(map(str, found))


def test_german_and_spanish_are_shipped() -> None:
    assert i18n.locales() == ("en", *SHIPPED)


@pytest.mark.parametrize("locale", SHIPPED)
def test_the_shipped_catalogues_translate_every_marked_string(locale: str) -> None:
    catalog = shipped(locale)
    missing = []
    for message in extracted():
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if found is None or found.fuzzy or not translated:
            missing.append(message.id)
    listed = "\n".join(map(str, missing[:50]))
    assert not missing, f"{len(missing)} strings untranslated in {locale} (scripts/translations.sh update):\n{listed}"
    # Placeholders kept, plural forms complete: Babel's own checks.
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check() if errors]
    assert not problems, problems


@pytest.mark.parametrize("locale", SHIPPED)
def test_the_compiled_catalogues_are_up_to_date(locale: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, shipped(locale))
    mo = i18n.TRANSLATIONS / locale / "LC_MESSAGES" / "guildkit.mo"
    assert mo.read_bytes() == compiled.getvalue(), "run scripts/translations.sh compile and commit the .mo"


# -- the member's language and time zone ---------------------------------------------------


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    client = Site(mount(gk_app, gk), gk)
    gk.join("ann", name="Ann Sample")
    gk.join("bob", name="Bob Sample")
    gk.record("answer.upvoted", actor="bob", target="ann", subject="answer:1", key="up:1")
    return client


def visible(html: str) -> str:
    body = html.split("<main", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def english_left(html: str, locale: str) -> list[str]:
    """Marked strings of several words still in English on a page rendered in ``locale``."""
    text = visible(html)
    catalog = shipped(locale)
    left = []
    for message in catalog:
        source = message.id if isinstance(message.id, str) else message.id[0]
        if not source or "%(" in source or len(source.split()) < 3 or message.string == source:
            continue
        if source in text:
            left.append(source)
    return left


@pytest.mark.parametrize("locale", SHIPPED)
def test_a_member_who_chose_a_language_reads_every_page_in_it(site: Site, gk: GuildKit, locale: str) -> None:
    gk.preferences.set("ann", locale=locale)
    lang = f'<html lang="{locale}"'
    for path in PAGES:
        html = site.get(path, user="ann")
        assert lang in html, path
        assert not english_left(html, locale), (path, english_left(html, locale))
    catalog = shipped(locale)
    members = catalog.get("Members")
    assert members is not None and isinstance(members.string, str) and members.string
    assert members.string in site.get("/", user="ann")
    # Bob did not choose: English.
    assert '<html lang="en"' in site.get("/", user="bob")


def test_the_browsers_language_is_used_until_the_member_chooses(site: Site, gk: GuildKit) -> None:
    response = site.client.get(PREFIX + "/", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert '<html lang="es"' in response.get_data(as_text=True)
    response = site.client.get(PREFIX + "/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="en"' in response.get_data(as_text=True)  # no French catalogue: the default
    gk.preferences.set("ann", locale="de")
    response = site.client.get(PREFIX + "/", headers={"Accept-Language": "es", "X-User": "ann"})
    assert '<html lang="de"' in response.get_data(as_text=True)


def test_a_berlin_member_sees_berlin_dates(site: Site, gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(datetime(2026, 1, 4, 23, 30, tzinfo=UTC))
    assert "Jan 4, 2026, 11:30:00" in visible(site.get("/settings", user="ann"))
    gk.preferences.set("ann", time_zone="Europe/Berlin")
    assert "Jan 5, 2026, 12:30:00" in visible(site.get("/settings", user="ann"))
    gk.preferences.set("ann", locale="de")
    assert "05.01.2026, 00:30:00" in visible(site.get("/settings", user="ann"))


def test_the_settings_page_saves_the_choice(site: Site, gk: GuildKit) -> None:
    html = site.get("/settings", user="ann")
    assert '<option value="de">Deutsch</option>' in html and '<option value="es">Español</option>' in html
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in html
    response = site.post("/settings", {"locale": "es", "time_zone": "America/Mexico_City"}, user="ann")
    assert response.status_code == 303
    assert gk.preferences.get("ann") == i18n_prefs("es", "America/Mexico_City")
    assert '<html lang="es"' in site.get("/settings?saved=1", user="ann")
    # Back to the site's own.
    assert site.post("/settings", {"locale": "", "time_zone": ""}, user="ann").status_code == 303
    assert gk.preferences.get("ann") == i18n_prefs(None, None)


def test_the_settings_form_names_every_bad_field_and_saves_nothing(site: Site, gk: GuildKit) -> None:
    gk.preferences.set("ann", locale="de")
    response = site.post("/settings", {"locale": "xx" * 100, "time_zone": "Mars/Olympus"}, user="ann")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#gk-locale"' in html and 'href="#gk-time_zone"' in html
    assert "xx" * 20 not in html.split('id="gk-error-summary"', 1)[1].split("</div>", 1)[0]
    assert gk.preferences.get("ann") == i18n_prefs("de", None)


def test_signing_in_is_needed_for_the_settings_page(site: Site) -> None:
    site.get("/settings", status=401)


def i18n_prefs(locale: str | None, zone: str | None) -> object:
    from guildkit.preferences import MemberPreferences

    return MemberPreferences(locale, zone)


def test_the_api_reads_and_changes_the_preferences(site: Site, gk: GuildKit) -> None:
    api = Api(site.client)
    assert api.ok("GET", "/me/preferences", user="ann") == {"locale": None, "time_zone": None}
    assert api.ok("PUT", "/me/preferences", user="ann", body={"locale": "de"}) == {"locale": "de", "time_zone": None}
    changed = api.ok("PUT", "/me/preferences", user="ann", body={"time_zone": "Europe/Berlin"})
    assert changed == {"locale": "de", "time_zone": "Europe/Berlin"}
    wrong = {"locale": "klingon", "time_zone": "Nowhere/At_All"}
    bad = api.problem("PUT", "/me/preferences", 422, user="ann", body=wrong)
    assert set(bad["errors"]) == {"locale", "time_zone"}
    assert api.ok("GET", "/me/preferences", user="ann") == changed  # nothing half-written
    assert api.ok("PUT", "/me/preferences", user="ann", body={"locale": None}) == {
        "locale": None,
        "time_zone": "Europe/Berlin",
    }
    problem(api.call("GET", "/me/preferences"), 401)


def test_the_service_refuses_unknown_values(gk: GuildKit) -> None:
    with pytest.raises(ValidationError) as raised:
        gk.preferences.set("ann", locale="fr", time_zone="Berlin")
    assert set(raised.value.errors or {}) == {"locale", "time_zone"}
    with pytest.raises(ValidationError):
        gk.preferences.set("ann", locale=3)


# -- a host with its own Flask-Babel ---------------------------------------------------------


@pytest.mark.parametrize("before", [True, False], ids=["babel-before-guildkit", "babel-after-guildkit"])
def test_a_hosts_flask_babel_is_kept_and_the_member_choice_wins_on_guildkits_pages(
    tmp_path: Path, before: bool
) -> None:
    def host_locale() -> str:
        return "es"

    babel = flask_babel.Babel()
    app = Flask("host")
    app.config.update(TESTING=True, SECRET_KEY="t", GUILDKIT_DATABASE_URI=f"sqlite:///{tmp_path / 'h.db'}")
    app.config["GUILDKIT_LOAD_ENTRY_POINTS"] = False
    if before:
        babel.init_app(app, locale_selector=host_locale)
    gk = GuildKit()
    gk.init_app(app)
    if not before:
        babel.init_app(app, locale_selector=host_locale)
    with app.app_context():
        gk.create_all()
        gk.join("ann")
        gk.join("bob")
        gk.preferences.set("ann", locale="de")

    @app.get("/host")
    def host_page() -> str:
        return str(flask_babel.get_locale())

    client = mount(app, gk)
    # The host's pages are the host's.
    assert client.get("/host", headers={"X-User": "ann"}).get_data(as_text=True) == "es"
    assert '<html lang="de"' in client.get(PREFIX + "/", headers={"X-User": "ann"}).get_data(as_text=True)
    assert '<html lang="es"' in client.get(PREFIX + "/", headers={"X-User": "bob"}).get_data(as_text=True)
    assert client.get("/host", headers={"X-User": "bob"}).get_data(as_text=True) == "es"


@pytest.mark.parametrize("locale", ["en", *SHIPPED])
def test_a_badge_chip_names_its_tier_once_in_every_language(site: Site, gk: GuildKit, locale: str) -> None:
    from guildkit import BadgeDef, BadgeLevel

    gk.define(badges=[BadgeDef("helper", "Helper", levels=(BadgeLevel("bronze"), BadgeLevel("gold")))])
    gk.preferences.set("ann", locale=locale)
    with site.client.application.test_request_context(PREFIX + "/", headers={"X-User": "ann"}):
        site.client.application.preprocess_request()
        title = gk.registry.badges["helper"].level_title(2)
        chip = site.client.application.jinja_env.from_string(
            '{% import "guildkit/_macros.html" as m %}{{ m.badge_chip(b) }}'
        ).render(b={"tier": "gold", "badge": "helper", "name": title, "count": 1})
    found = shipped(locale).get("Gold") if locale != "en" else None
    word = found.string if found is not None else "Gold"
    assert isinstance(word, str) and visible("<main>" + chip).count(word) == 1, chip


def test_the_readers_catalogue_is_kept_per_request_and_follows_a_forced_locale(site: Site, gk: GuildKit) -> None:
    """guildkit keeps the reader's translations for the request (i18n._catalogue); a forced
    locale (an email said to another member, words stored as written) and a refreshed one are
    still seen, in code, in lazy strings and in templates."""
    gk.preferences.set("ann", locale="de")
    german, spanish = shipped("de").get("just now").string, shipped("es").get("just now").string
    assert german and spanish and german != spanish
    app = site.client.application
    lazy = i18n.lazy_gettext("just now")
    template = app.jinja_env.from_string('{{ _("just now") }}|{% trans %}just now{% endtrans %}')
    with app.test_request_context(PREFIX + "/", headers={"X-User": "ann"}):
        app.preprocess_request()
        assert (i18n.gettext("just now"), str(lazy), template.render()) == (german, german, f"{german}|{german}")
        with i18n.speaking("es", None):
            said = (i18n.gettext("just now"), str(lazy), template.render())
            assert said == (spanish, spanish, f"{spanish}|{spanish}")
            with flask_babel.force_locale("en"):
                assert i18n.gettext("just now") == "just now"
            assert i18n.gettext("just now") == spanish
        assert (i18n.gettext("just now"), template.render()) == (german, f"{german}|{german}")
        flask_babel.refresh()
        gk.preferences.set("ann", locale="es")
        app.preprocess_request()  # a new loader: the member's new choice
        assert i18n.gettext("just now") == spanish
        days = shipped("es").get(("%(num)d day", "%(num)d days")).string[1]
        assert i18n.ngettext("%(num)d day", "%(num)d days", 3) == days % {"num": 3}


def test_a_hosts_own_template_callables_are_kept(tmp_path: Path) -> None:
    """guildkit swaps Flask-Babel's template callables for ones that use the kept catalogue, never
    a host's own."""

    def shout(text: str) -> str:
        return text.upper()

    app = Flask("host")
    app.config.update(TESTING=True, SECRET_KEY="t", GUILDKIT_DATABASE_URI=f"sqlite:///{tmp_path / 'h.db'}")
    app.config["GUILDKIT_LOAD_ENTRY_POINTS"] = False
    flask_babel.Babel(app)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=shout, ngettext=lambda s, p, n: shout(s if n == 1 else p), newstyle=True
    )
    GuildKit().init_app(app)
    with app.test_request_context("/"):
        assert app.jinja_env.from_string('{{ _("hello") }}').render() == "HELLO"
