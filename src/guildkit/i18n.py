"""Translations, and dates, numbers and relative times in the member's locale and time zone.

guildkit speaks through Flask-Babel (chosen over hand-rolled gettext: it is what Flask hosts
already use, it owns the request's locale and time zone, and Babel's CLDR data formats dates and
numbers the way each language expects). :func:`install` makes sure the host app has Flask-Babel
(set up by the host, or by guildkit when the host has none) and adds guildkit's catalogue, the
``guildkit`` domain under ``guildkit/translations``, *before* the host's own: the host's catalogue
wins for a msgid both translate, so a host can reword any of guildkit's strings.

Which locale and time zone, for a page guildkit serves:

1. the member's own choice (``Member.locale``, ``Member.time_zone``, set on the settings page or
   through ``PUT /me/preferences``);
2. else the host's: its Flask-Babel selectors, when it has any;
3. else, when guildkit set Flask-Babel up, the browser's ``Accept-Language`` among the locales
   guildkit ships, and ``GUILDKIT_TIMEZONE`` (``BABEL_DEFAULT_LOCALE`` / ``BABEL_DEFAULT_TIMEZONE``
   override both defaults).

Outside a request (an email sent by a job), :func:`speaking` sets the recipient's.

Code marks strings with :func:`gettext` (``_``), :func:`ngettext` and, for strings defined at
import time, :func:`lazy_gettext`; templates with ``{{ _("…") }}`` and ``{% trans %}``. Formatting
goes through :func:`format_date`, :func:`format_datetime`, :func:`format_number` and
:func:`format_relative` (also template filters: ``gk_date``, ``gk_datetime``, ``gk_number``,
``gk_ago``; ``gk_iso`` gives the machine-readable value for ``<time datetime>``).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import flask_babel
from babel import Locale, UnknownLocaleError, dates, numbers
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import force_locale
from flask_babel.speaklater import LazyString

from guildkit.errors import ValidationError

__all__ = [
    "N_",
    "check_locale",
    "check_time_zone",
    "format_date",
    "format_datetime",
    "format_number",
    "format_relative",
    "gettext",
    "install",
    "iso",
    "lazy_gettext",
    "lazy_ngettext",
    "locales",
    "ngettext",
    "pgettext",
    "speaking",
    "translated",
]

#: guildkit's catalogues: ``translations/<locale>/LC_MESSAGES/guildkit.po`` (and its ``.mo``).
TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "guildkit"
#: The language guildkit is written in.
SOURCE_LOCALE = "en"

#: A member's choice for the rest of this request, and the time zone :func:`speaking` sets.
_forced_zone: contextvars.ContextVar[tzinfo | None] = contextvars.ContextVar("guildkit_zone", default=None)

#: Set by guildkit's blueprint for each of its requests (:func:`serve_preferences`): finds the
#: signed-in member's stored ``(locale, time_zone)``, either ``None``, when first asked.
PreferenceLoader = Callable[[], tuple[str | None, str | None]]


@functools.cache
def locales() -> tuple[str, ...]:
    """The locales guildkit has a catalogue for, English first."""
    found = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file())
    return (SOURCE_LOCALE, *[name for name in found if name != SOURCE_LOCALE])


def locale_name(code: str) -> str:
    """A locale's name in its own language (``"Deutsch"``), to offer it to people who speak it."""
    name = Locale.parse(code).display_name or code
    return name[:1].upper() + name[1:]


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone a member may pick, sorted."""
    return tuple(sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC"))


def check_locale(value: str, field: str = "locale") -> str:
    if value not in locales():
        raise ValidationError(f"{field} must be one of {', '.join(locales())}", field=field)
    return value


def check_time_zone(value: str, field: str = "time_zone") -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"{field} is not a known time zone (an IANA name such as Europe/Berlin)"
        raise ValidationError(message, field=field) from None
    return value


def install(app: Flask) -> None:
    """Give ``app`` Flask-Babel with guildkit's catalogue and the member-first selectors.

    Idempotent and cheap, so guildkit also calls it before each of its requests: a host that sets
    Flask-Babel up after ``gk.init_app(app)`` replaced what the first call installed.
    """
    state: Any = app.extensions.get("babel")
    if state is not None and getattr(state, "guildkit_installed", False):
        return
    ours = state is None
    if ours:
        flask_babel.Babel(
            app,
            default_locale=app.config.get("BABEL_DEFAULT_LOCALE", SOURCE_LOCALE),
            default_timezone=app.config.get("BABEL_DEFAULT_TIMEZONE", app.config.get("GUILDKIT_TIMEZONE", "UTC")),
        )
        state = app.extensions["babel"]
    directories = list(state.translation_directories)
    domains = state.default_domain.split(";")
    if len(domains) == 1:
        domains *= max(len(directories), 1)
    # First, so the host's catalogues (merged after) win for a string both translate.
    state.translation_directories = [str(TRANSLATIONS), *directories]
    state.default_domain = ";".join([DOMAIN, *domains[: len(directories)]])
    state.instance.__dict__.pop("domain_instance", None)  # a cached Domain built from the old list
    host_locale, host_zone = state.locale_selector, state.timezone_selector
    state.locale_selector = functools.partial(_select_locale, host_locale, ours)
    state.timezone_selector = functools.partial(_select_zone, host_zone)
    state.guildkit_installed = True
    _install_template_callables(app)


def _select_locale(host: Callable[[], Any] | None, ours: bool) -> Any:
    chosen = _preference(0)
    if chosen:
        return chosen
    if host is not None:
        return host()
    if ours and has_request_context():
        return request.accept_languages.best_match(locales())
    return None


def _select_zone(host: Callable[[], Any] | None) -> Any:
    return _preference(1) or (host() if host is not None else None)


def serve_preferences(loader: PreferenceLoader) -> None:
    """Called by guildkit's blueprint before each of its requests: the member's choice counts on
    guildkit's own pages only (the host's pages are the host's)."""
    # In the request's environ, not on ``g``: an app context may outlive several requests.
    request.environ["guildkit.preferences"] = functools.cache(loader)
    flask_babel.refresh()  # forget a locale worked out for an earlier request in the same app context


def _preference(index: int) -> str | None:
    loader = request.environ.get("guildkit.preferences") if has_request_context() else None
    return None if loader is None else loader()[index]


@contextmanager
def speaking(locale: str | None, time_zone: str | None) -> Iterator[None]:
    """Translate and format in ``locale`` and ``time_zone`` (``None``: the defaults) meanwhile:
    for what a job writes to one member, such as an email."""
    zone = ZoneInfo(time_zone) if time_zone else None
    token = _forced_zone.set(zone)
    try:
        with force_locale(locale or _default_locale()):
            yield
    finally:
        _forced_zone.reset(token)


def _default_locale() -> str:
    state = current_app.extensions.get("babel")
    return str(state.default_locale) if state is not None else SOURCE_LOCALE


def current_locale() -> Locale:
    try:  # worked out once per request by Flask-Babel, which asks its context anew on every call
        kept = g._flask_babel.__dict__.get("babel_locale")
    except (AttributeError, RuntimeError):  # not yet worked out, or no app
        kept = None
    if isinstance(kept, Locale):
        return kept
    try:
        locale = flask_babel.get_locale()
    except (KeyError, RuntimeError, UnknownLocaleError):  # no app, or an app without Flask-Babel
        locale = None
    return locale or Locale.parse(SOURCE_LOCALE)


def current_zone() -> tzinfo:
    forced = _forced_zone.get()
    if forced is not None:
        return forced
    try:
        zone = flask_babel.get_timezone()
    except (KeyError, RuntimeError):
        zone = None
    return zone or UTC


def _aware(value: datetime) -> datetime:
    """guildkit stores UTC; SQLite hands it back naive."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local(value: datetime) -> datetime:
    """``value`` in the reader's time zone."""
    return _aware(value).astimezone(current_zone())


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    """A day as the reader's locale writes it ("4 Dec 2026", "04.12.2026"); a datetime is first
    moved to the reader's time zone, so a Berlin member sees Berlin's date."""
    if value is None:
        return ""
    day = local(value).date() if isinstance(value, datetime) else value
    return _day(day, format, current_locale())


@functools.lru_cache(maxsize=4096)
def _day(day: date, format: str, locale: Locale) -> str:
    # Babel works the pattern out anew each time (~40 µs); a profile's history shows 20 dates,
    # most of them the same few days.
    return dates.format_date(day, format=format, locale=locale)


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_datetime(_aware(value), format=format, tzinfo=current_zone(), locale=current_locale())


def format_time(value: datetime | None, format: str = "short") -> str:
    if value is None:
        return ""
    return dates.format_time(_aware(value), format=format, tzinfo=current_zone(), locale=current_locale())


def format_month(value: date) -> str:
    """A month as the reader's locale names it ("January 2026", "Januar 2026")."""
    return dates.format_skeleton("yMMMM", value, locale=current_locale())


def format_date_range(start: date, end: date) -> str:
    """Two days as one span, as the reader's locale writes it (Babel's interval format: the
    month and year written once when both days share them)."""
    return dates.format_interval(start, end, "yMMMd", locale=current_locale())


def weekday_pattern(locale: Locale, *, clock: bool = True) -> str:
    """A day with its weekday and, with ``clock``, its time to the minute, as ``locale`` writes
    them ("Tue, Jan 6, 2026, 9:00 PM"): a pattern for :func:`babel.dates.format_datetime`, for
    moments shown in a zone of their own (an event's). Babel's named formats give no weekday
    before ``full`` and seconds from ``medium`` on."""
    skeleton = locale.datetime_skeletons.get("yMMMEd")
    day: str = skeleton.pattern if skeleton is not None else locale.date_formats["medium"].pattern
    if not clock:
        return day
    glue = str(locale.datetime_formats["medium"])
    return glue.replace("{1}", day).replace("{0}", locale.time_formats["short"].pattern)


def format_number(value: int | float | None) -> str:
    if value is None:
        return ""
    if type(value) is int:  # counts and points: the same few thousand numbers on every page
        return _whole_number(value, current_locale())
    return numbers.format_decimal(value, locale=current_locale())


@functools.lru_cache(maxsize=8192)
def _whole_number(value: int, locale: Locale) -> str:
    # Babel works a number out digit by digit through the locale's pattern (~25 µs); a page of
    # badges shows some 80.
    return numbers.format_decimal(value, locale=locale)


def format_percent(value: float, format: str | None = None) -> str:
    return numbers.format_percent(value, format=format, locale=current_locale())


def format_relative(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago (or from now), in words: "3 hours ago", "vor 3 Stunden"."""
    if value is None:
        return ""
    delta: timedelta = _aware(value) - _aware(now or datetime.now(UTC))
    if abs(delta) < timedelta(minutes=1):
        return gettext("just now")  # not "in 0 seconds"
    return dates.format_timedelta(delta, add_direction=True, threshold=1, locale=current_locale())


def _catalogue() -> Any:
    """The reader's translations: Flask-Babel's, kept for as long as the request's locale and
    domain stay the same objects. Flask-Babel finds them anew for every string (its context, the
    locale, a dictionary keyed by the locale's name: ~20 µs), and a page of badges says some 200
    strings. ``force_locale`` and ``refresh`` replace the locale object, so both are seen."""
    try:
        state = g._flask_babel.__dict__
    except (AttributeError, RuntimeError):  # first string of the request, or no app context
        return flask_babel.get_translations()
    kept = state.get("guildkit_catalogue")
    if kept is not None and kept[0] is state.get("babel_locale") and kept[1] is state.get("babel_domain"):
        return kept[2]
    translations = flask_babel.get_translations()
    state["guildkit_catalogue"] = (state.get("babel_locale"), state.get("babel_domain"), translations)
    return translations


# Typed, so that code saying ``return _("…")`` type-checks (Flask-Babel has no annotations).
def gettext(string: str, /, **variables: Any) -> str:
    """``string`` in the reader's language, its ``%(name)s`` placeholders filled from ``variables``."""
    said = str(_catalogue().ugettext(string))
    return said % variables if variables else said


def ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> str:
    """The reader's form of ``singular`` / ``plural`` for ``num`` (``%(num)d`` in them is ``num``)."""
    variables.setdefault("num", num)
    return str(_catalogue().ungettext(singular, plural, num)) % variables


def pgettext(context: str, string: str, /, **variables: Any) -> str:
    """:func:`gettext` for ``string`` in ``context`` (one word, two meanings)."""
    said = str(_catalogue().upgettext(context, string))
    return said % variables if variables else said


def lazy_gettext(string: str, /, **variables: Any) -> LazyString:
    """:func:`gettext`, said when the text is shown: for strings defined at import time."""
    return LazyString(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, /, **variables: Any) -> LazyString:
    """:func:`ngettext`, said when the text is shown."""
    return LazyString(ngettext, singular, plural, num, **variables)


def _install_template_callables(app: Flask) -> None:
    """Templates' ``_``, ``gettext``, ``ngettext`` and ``pgettext`` through :func:`_catalogue`
    when they are Flask-Babel's own: the same catalogue, found once per request instead of once
    per string, so the host's templates say exactly what they said, a little sooner. A host that
    installed callables of its own keeps them."""
    env: Any = app.jinja_env
    cells = getattr(env.globals.get("gettext"), "__closure__", None) or ()
    if not any(getattr(cell.cell_contents, "__module__", None) == "flask_babel" for cell in cells):
        return
    env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def N_(text: str) -> str:
    """Mark ``text`` for translation and keep it as it is: words kept as data (a configuration's
    default level names, a notification's message), said in the reader's language by
    :func:`translated` when shown."""
    return text


def translated(text: str) -> str:
    """Words kept as data, in the reader's language: guildkit's (marked with :func:`N_`) through
    its catalogue, a host's own through the host's catalogue when it has them; else as they are."""
    return gettext(text) if text else text  # gettext("") would be the catalogue's header


def iso(value: date | datetime | None) -> str:
    """The machine-readable form for ``<time datetime>``: UTC to the second (HTML allows no
    microseconds), or the day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _aware(value).astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return value.isoformat()


#: Template filters, added to the app by guildkit's pages.
FILTERS: dict[str, Callable[..., str]] = {
    "gk_date": format_date,
    "gk_datetime": format_datetime,
    "gk_clock": format_time,
    "gk_number": format_number,
    "gk_percent": format_percent,
    "gk_ago": format_relative,
    "gk_month": format_month,
    "gk_date_range": format_date_range,
    "gk_iso": iso,
}
