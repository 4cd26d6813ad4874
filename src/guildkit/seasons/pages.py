"""Season pages, on the same ``pages`` blueprint as the community pages (``docs/seasons.md``).

==================================  ====================================================
``/seasons``                        running, upcoming and past seasons
``/seasons/<season>``               the season: its leaderboard (paged), your standing
``/seasons/new``                    make a season (``seasons.manage``)
``/seasons/<season>/edit``          change it, or close it now (``seasons.manage``)
==================================  ====================================================

Times are shown and typed in the community's time zone (``GUILDKIT_TIMEZONE``). Forms post to
their own URLs with the CSRF token; a refused form comes back with every bad field named at once
(422, :mod:`guildkit.web.forms`), a done one redirects (Post/Redirect/Get).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from babel import dates
from flask import redirect, render_template, request, url_for

from guildkit import errors, i18n
from guildkit.extension import GuildKit
from guildkit.i18n import gettext as _
from guildkit.leaderboards import Standing
from guildkit.routes import Routes
from guildkit.seasons.errors import UnknownSeason
from guildkit.seasons.present import badge_name, point_type_name, state_labels
from guildkit.seasons.service import DESCRIPTION_MAX, NAME_MAX, PERMISSION, TOP_N_MAX
from guildkit.seasons.views import SeasonView
from guildkit.web import csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page
from guildkit.web.pagination import decode_cursor, encode_cursor
from guildkit.web.present import standing_out, standings_out

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

View = Callable[..., Any]
PER_PAGE = 50
LIMITS = {"slug": 64, "name": NAME_MAX, "description": DESCRIPTION_MAX, "badge": 100}


def labels() -> dict[str, str]:
    """The form's fields, in the order it shows them."""
    return {
        "slug": _("Short name"), "name": _("Name"), "description": _("Description"), "point_type": _("Points ranked"),
        "starts_at": _("Starts"), "ends_at": _("Ends"), "top_n": _("Top N"), "define_badge": _("Own badge"),
        "badge": _("Badge"),
    }  # fmt: skip


def season_page(view: View) -> View:
    """:func:`~guildkit.web.pages.page`, plus the seasons' own errors as HTML pages."""

    @functools.wraps(view)
    def run(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except UnknownSeason:
            return error_page(404, _("No such season"), _("There is no season here."))
        except errors.NotAllowed as exc:
            return error_page(403, _("Not allowed"), _sentence(exc.message))
        except errors.InvalidTransition as exc:
            return error_page(409, _("That cannot be done now"), _sentence(exc.message))

    return page(run)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _manager(gk: GuildKit) -> str:
    """The signed-in member managing seasons; else a 401 or 403 page."""
    who = caller()
    if who.user_id is None:
        raise PageError(401, _("Sign in to manage seasons"), _("Only members who manage seasons may do this."))
    if not gk.has_permission(who.user_id, PERMISSION) or not who.active:
        raise PageError(403, _("Not allowed"), _("Managing seasons needs the permission to manage them."))
    return who.user_id


def _can_manage(gk: GuildKit) -> bool:
    who = caller()
    return who.user_id is not None and who.active and gk.has_permission(who.user_id, PERMISSION)


@pages.app_template_filter("gk_season_time")
def season_time(value: datetime) -> str:
    """A day and time in the community's zone (the one the form's times are typed in), e.g.
    ``Sat, Mar 20, 2027, 12:00 AM``."""
    locale = i18n.current_locale()
    return dates.format_datetime(value, i18n.weekday_pattern(locale), tzinfo=gk_instance().state.zone, locale=locale)


# -- reading -------------------------------------------------------------------------------


@pages.get("/seasons")
@season_page
def seasons() -> Any:
    gk = gk_instance()
    found = gk.seasons.list()
    groups = [
        ("running", _("Running now"), [s for s in found if s.state == "running"]),
        ("upcoming", _("Coming up"), sorted((s for s in found if s.state == "upcoming"), key=lambda s: s.starts_at)),
        ("past", _("Past seasons"), [s for s in found if s.state in ("ended", "closed")]),
    ]
    return render_template(
        "guildkit/seasons/list.html",
        groups=groups,
        any_season=bool(found),
        point_type_name=lambda slug: point_type_name(gk, slug),
        can_manage=_can_manage(gk),
    )


@pages.get("/seasons/<season>")
@season_page
def season(season: str) -> Any:
    gk = gk_instance()
    after = decode_cursor(request.args.get("cursor") or None, 2)
    if after is not None and not all(isinstance(v, int) and not isinstance(v, bool) for v in after):
        raise PageError(400, _("That page does not exist"), _("The link to this page of the season is broken."))
    cursor = Standing(0, after[1], "", None, after[0]) if after else None
    board = gk.seasons.leaderboard(season, limit=PER_PAGE, after=cursor)
    who = caller()
    me = None
    if who.member is not None:
        me = standing_out(gk, gk.seasons.standing(season, who.member.user_id))
    last = board.next_after
    next_url = url_for(".season", season=season, cursor=encode_cursor([last.points, last.member_id])) if last else None
    return render_template(
        "guildkit/seasons/season.html",
        season=board.season,
        state_label=state_labels()[board.season.state],
        point_type_name=point_type_name(gk, board.season.point_type),
        badge_name=badge_name(gk, board.season),
        rows=standings_out(gk, board.standings),
        me=me,
        hidden=bool(who.member is not None and who.member.leaderboard_opt_out),
        signed_in=who.is_person,
        next_url=next_url,
        first_url=url_for(".season", season=season) if cursor else None,
        can_manage=_can_manage(gk),
        done=request.args.get("done"),
    )


# -- managing ------------------------------------------------------------------------------


def _local_input(value: datetime) -> str:
    return value.astimezone(gk_instance().state.zone).strftime("%Y-%m-%dT%H:%M")


def _values(season: SeasonView | None) -> dict[str, Any]:
    if season is None:
        return {"define_badge": True}
    return {
        "slug": season.slug, "name": season.name, "description": season.description,
        "point_type": season.point_type, "starts_at": _local_input(season.starts_at),
        "ends_at": _local_input(season.ends_at), "top_n": "" if season.top_n is None else str(season.top_n),
        "badge": season.badge or "", "define_badge": season.defines_badge,
    }  # fmt: skip


def _fields(gk: GuildKit, form: Form) -> dict[str, Any]:
    """The service's fields from the form (local times in the community's zone); a field that
    cannot be read is refused on the form and given as ``None``."""
    fields: dict[str, Any] = {
        "name": form.text("name"),
        "description": form.text("description"),
        "point_type": form.text("point_type"),
        "starts_at": form.moment("starts_at", gk.state.zone),
        "ends_at": form.moment("ends_at", gk.state.zone),
        "top_n": form.whole_number(
            "top_n",
            low=1,
            high=TOP_N_MAX,
            message=_(
                "%(field)s must be a whole number from 1 to %(most)s, or empty for no badge",
                field=form.label("top_n"),
                most=i18n.format_number(TOP_N_MAX),
            ),
        ),
        "badge": form.text("badge").strip() or None,
        "define_badge": bool(form.values["define_badge"]),
    }
    if fields["top_n"] is None and "top_n" not in form.errors:
        fields["badge"], fields["define_badge"] = None, False
    return fields


def _render_form(gk: GuildKit, season: SeasonView | None, form: Form, status: int = 200) -> tuple[str, int]:
    html = render_template(
        "guildkit/seasons/form.html",
        season=season,
        form=form,
        point_types=[(slug, d.name) for slug, d in gk.registry.point_types.items()],
        zone=gk.state.zone.key if hasattr(gk.state.zone, "key") else str(gk.state.zone),
        state_label=state_labels()[season.state] if season else None,
        done=request.args.get("done"),
    )
    return html, status


def _submit(gk: GuildKit, season: SeasonView | None, save: Callable[[dict[str, Any]], SeasonView]) -> Any:
    form = Form.posted(labels(), checkboxes=("define_badge",), limits=LIMITS)
    slug = form.text("slug").strip() if season is None else season.slug
    fields = _fields(gk, form)
    saved = form.submit(lambda: save(fields), check=lambda: gk.seasons.check(slug, new=season is None, **fields))
    if saved is None:
        return _render_form(gk, season, form, status=422)
    return redirect(url_for(".season", season=saved.slug, done="saved"), code=303)


@pages.route("/seasons/new", methods=["GET", "POST"])
@season_page
def season_new() -> Any:
    gk = gk_instance()
    user_id = _manager(gk)
    if request.method == "GET":
        return _render_form(gk, None, Form(labels(), _values(None), limits=LIMITS))
    csrf.check()
    slug = request.form.get("slug", "").strip()
    return _submit(gk, None, lambda fields: gk.seasons.create(user_id, slug=slug, **fields))


@pages.route("/seasons/<season>/edit", methods=["GET", "POST"])
@season_page
def season_edit(season: str) -> Any:
    gk = gk_instance()
    user_id = _manager(gk)
    current = gk.seasons.get(season)
    if request.method == "GET":
        return _render_form(gk, current, Form(labels(), _values(current), limits=LIMITS))
    csrf.check()
    if current.state == "closed":
        raise errors.InvalidTransition("season", "closed", "change")
    return _submit(gk, current, lambda fields: gk.seasons.update(user_id, season, **fields))


@pages.post("/seasons/<season>/close")
@season_page
def season_close(season: str) -> Any:
    csrf.check()
    gk = gk_instance()
    user_id = _manager(gk)
    gk.seasons.close(season, by=user_id)
    return redirect(url_for(".season", season=season, done="closed"), code=303)
