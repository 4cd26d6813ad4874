"""``gk.seasons``: make, change, read and close seasons.

Changing methods take ``by``, the user id of a member with the ``seasons.manage`` permission
(admins have it), or ``None`` for host code, which may name itself with ``via=`` for the audit
log (the CLI passes ``"cli"``, the job ``"job"``). Every change writes the audit log (area
``seasons``) in its own transaction. Closing lives in :mod:`.closing`, standings in
:mod:`.standings`.
"""

from __future__ import annotations

import builtins
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from guildkit import audit
from guildkit.definitions import check_slug
from guildkit.errors import FieldErrors, InvalidTransition, NotAllowed, ValidationError
from guildkit.i18n import format_number
from guildkit.i18n import gettext as _
from guildkit.leaderboards import Standing
from guildkit.models import Member, table_of
from guildkit.reading import check_limit
from guildkit.seasons import closing, standings
from guildkit.seasons.errors import UnknownSeason
from guildkit.seasons.models import Season, SeasonStanding
from guildkit.seasons.views import Closed, SeasonBoard, SeasonView
from guildkit.text import multi_line, single_line

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

SEASONS = table_of(Season)
STANDINGS = table_of(SeasonStanding)
PERMISSION = "seasons.manage"
AREA = "seasons"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
NAME_MAX = 150
DESCRIPTION_MAX = 2000
TOP_N_MAX = 10_000
#: A read refreshes a running season's standings when new ledger rows exist and the last
#: refresh is older than this (seconds, by the community clock); the job refreshes them anyway.
STALE_SECONDS = 2
#: How long a read waits on PostgreSQL for the ledger's writers before showing what is stored.
READ_LOCK_TIMEOUT = "100ms"
#: How long the job, the CLI and closing wait for them.
WRITE_LOCK_TIMEOUT = "5s"
#: The fields :meth:`Seasons.update` may change.
FIELDS = ("name", "description", "point_type", "starts_at", "ends_at", "top_n", "badge", "define_badge")


def _select() -> sa.Select[Any]:
    creator, closer = aliased(Member), aliased(Member)
    return (
        sa.select(SEASONS, creator.user_id.label("creator"), closer.user_id.label("closer"))
        .outerjoin(creator, creator.id == SEASONS.c.created_by)
        .outerjoin(closer, closer.id == SEASONS.c.closed_by)
    )


class Seasons:
    """The seasons of one ``GuildKit`` (``gk.seasons``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- reading --------------------------------------------------------------------------

    def get(self, slug: str) -> SeasonView:
        """The season ``slug``; :class:`UnknownSeason` if there is none."""
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):  # no such slug is stored: no query
            raise UnknownSeason(slug if isinstance(slug, str) else repr(slug))
        with self.gk.store.engine.connect() as conn:
            row = conn.execute(_select().where(SEASONS.c.slug == slug)).first()
        if row is None:
            raise UnknownSeason(slug)
        return SeasonView.of(row, self.gk.clock())

    def list(self) -> builtins.list[SeasonView]:
        """Every season, newest (latest start) first."""
        now = self.gk.clock()
        with self.gk.store.engine.connect() as conn:
            rows = conn.execute(_select().order_by(SEASONS.c.starts_at.desc(), SEASONS.c.id.desc())).all()
        return [SeasonView.of(row, now) for row in rows]

    def leaderboard(
        self, slug: str, *, limit: int = 10, around: str | int | None = None, after: Standing | None = None
    ) -> SeasonBoard:
        """The season's best members, like :meth:`GuildKit.leaderboard`: ``around=user_id`` gives
        the ``limit`` standings around that member (and theirs as ``me``), ``after=`` the last
        standing of a page gives the next page. Ties share a rank; only listed members appear."""
        check_limit(limit, most=100)
        if after is not None and not isinstance(after, Standing):
            raise ValidationError("after must be a Standing from a previous page", field="after")
        if after is not None and around is not None:
            raise ValidationError("give around or after, not both", field="after")
        season = self.fresh(slug)
        closed = season.state == "closed"
        me = None
        with self.gk.store.engine.connect() as conn:
            if around is not None:
                me = standings.standing_of(conn, season.id, closed, self.gk.member(around))
                rows = standings.window(conn, season.id, closed, me, limit + 1)
            else:
                cursor = (after.points, after.member_id) if after is not None else None
                rows = standings.page(conn, season.id, closed, limit + 1, cursor)
        more = len(rows) > limit
        rows = rows[:limit]
        return SeasonBoard(season, rows, me, rows[-1] if more and rows else None)

    def standing(self, slug: str, user_id: str | int) -> Standing:
        """Where a member stands in the season (also with no points: rank below everyone listed)."""
        season = self.fresh(slug)
        member = self.gk.member(user_id)
        with self.gk.store.engine.connect() as conn:
            return standings.standing_of(conn, season.id, season.state == "closed", member)

    def fresh(self, slug: str) -> SeasonView:
        """The season, its standings refreshed first when they are stale (see :data:`STALE_SECONDS`)."""
        season = self.get(slug)
        if season.state in ("closed", "upcoming"):
            return season
        with self.gk.store.engine.connect() as conn:
            row = conn.execute(
                sa.select(SEASONS.c.ledger_id, SEASONS.c.refreshed_at).where(SEASONS.c.id == season.id)
            ).one()
            behind = row.ledger_id is None or row.ledger_id < standings.max_ledger_id(conn)
        recent = row.refreshed_at is not None and (self.gk.clock() - row.refreshed_at).total_seconds() < STALE_SECONDS
        if behind and (row.ledger_id is None or not recent):
            self._refresh([season.id], READ_LOCK_TIMEOUT)
        return season

    # -- upkeep ---------------------------------------------------------------------------

    def refresh(self, slug: str | None = None) -> dict[str, Any]:
        """Bring the standings of ``slug`` (or of every season not closed) up to date with the
        ledger; returns ``{"seasons": n, "ledger_rows": m, "current": bool}``."""
        with self.gk.store.engine.connect() as conn:
            query = sa.select(SEASONS.c.id).where(SEASONS.c.closed_at.is_(None))
            if slug is not None:
                query = query.where(SEASONS.c.id == self.get(slug).id)
            ids = list(conn.execute(query).scalars())
        taken = self._refresh(ids, WRITE_LOCK_TIMEOUT)
        return {"seasons": len(ids), "ledger_rows": taken or 0, "current": taken is not None}

    def _refresh(self, ids: builtins.list[int], timeout: str) -> int | None:
        if not ids:
            return 0
        horizon = standings.settled_horizon(self.gk.store.engine, timeout)
        if horizon is None:
            return None  # writers held the ledger: what is stored stays, the next try catches up
        now = self.gk.clock()
        taken: int = self.gk.store.run_write(lambda conn: standings.refresh(conn, ids, horizon, now))
        return taken

    def close(
        self, slug: str | None = None, *, by: str | int | None = None, via: str | None = None
    ) -> builtins.list[Closed]:
        """Close ``slug`` now (ending it early if it is running), or, without a slug, every
        season that has ended; and award the season badges still due. See :mod:`.closing`."""
        actor = self._actor(by, via)
        if slug is not None:
            season = self.get(slug)
            if season.state == "upcoming":
                raise InvalidTransition("season", "upcoming", "close")
            return [closing.close(self.gk, season.id, actor, by)]
        now = self.gk.clock()
        with self.gk.store.engine.connect() as conn:
            due = conn.execute(
                sa.select(SEASONS.c.id)
                .where(
                    sa.or_(
                        sa.and_(SEASONS.c.closed_at.is_(None), SEASONS.c.ends_at <= now),
                        sa.and_(SEASONS.c.closed_at.is_not(None), SEASONS.c.badge.is_not(None),
                                SEASONS.c.awarded_at.is_(None)),
                    )
                )
                .order_by(SEASONS.c.ends_at, SEASONS.c.id)
            ).scalars().all()  # fmt: skip
        return [closing.close(self.gk, season_id, actor, by) for season_id in due]

    def upkeep(self) -> dict[str, Any]:
        """The job: close the seasons that ended (and award what is due), then refresh the
        running ones."""
        closed = self.close(via="job")
        refreshed = self.refresh()
        return {"closed": [c.out() for c in closed], **refreshed}

    # -- changing -------------------------------------------------------------------------

    def _actor(self, by: str | int | None, via: str | None) -> str | None:
        if by is None:
            return via
        if not self.gk.has_permission(by, PERMISSION):
            raise NotAllowed(
                _("managing seasons needs the %(permission)s permission", permission=repr(PERMISSION)), user_id=str(by)
            )
        if self.gk.member(by).status != "active":
            raise NotAllowed(_("member %(user)s is not active", user=repr(str(by))), user_id=str(by))
        return str(by)

    def create(
        self,
        by: str | int | None,
        *,
        slug: str,
        name: str,
        point_type: str,
        starts_at: datetime,
        ends_at: datetime,
        description: str = "",
        top_n: int | None = None,
        badge: str | None = None,
        define_badge: bool = False,
        via: str | None = None,
    ) -> SeasonView:
        """Make a season. ``top_n`` with ``badge`` (a badge the registry has) awards it to the top
        N when the season closes; with ``define_badge=True`` the season defines the badge itself
        ("Top 10 of Spring 2027", slug ``badge`` or ``<slug>-top<N>``)."""
        actor = self._actor(by, via)
        fields = self.check(
            slug, name=name, description=description, point_type=point_type, starts_at=starts_at, ends_at=ends_at,
            top_n=top_n, badge=badge, define_badge=define_badge,
        )  # fmt: skip
        creator = self.gk.member(by).id if by is not None else None

        def body(conn: sa.Connection) -> int:
            if conn.scalar(sa.select(SEASONS.c.id).where(SEASONS.c.slug == slug)) is not None:
                raise ValidationError(_("there is already a season with this slug"), field="slug")
            self._check_defined_badge(conn, fields, None)
            now = self.gk.clock()
            season_id = int(
                conn.execute(
                    SEASONS.insert()
                    .values(slug=slug, created_by=creator, created_at=now, updated_at=now, revision=1, **fields)
                    .returning(SEASONS.c.id)
                ).scalar_one()
            )
            audit.write(conn, now, area=AREA, actor=actor, action="season.create", target=f"season:{slug}",
                        details=_jsonable({"slug": slug, **fields}))  # fmt: skip
            return season_id

        self.gk.store.run_write(body)
        if fields["defined_badge"] is not None:
            self.gk.reload_definitions()
        return self.get(slug)

    def update(self, by: str | int | None, slug: str, *, via: str | None = None, **changes: Any) -> SeasonView:
        """Change a season that is not closed (:data:`FIELDS`). A new point type or range
        rebuilds its standings from the ledger."""
        actor = self._actor(by, via)
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise ValidationError(f"unknown fields {sorted(unknown)}", field=sorted(unknown)[0])
        season = self.get(slug)
        current = self._current(season)
        if "top_n" in changes and changes["top_n"] is None and "badge" not in changes:
            changes["badge"] = None  # no top N: no badge either
        if changes.get("define_badge") is True and "badge" not in changes and not season.defines_badge:
            changes["badge"] = None  # the season's own badge: <slug>-top<N> unless named
        fields = self._check(season, current | changes, slug)

        def body(conn: sa.Connection) -> None:
            row = conn.execute(sa.select(SEASONS).where(SEASONS.c.id == season.id).with_for_update()).one()
            if row.closed_at is not None:
                raise InvalidTransition("season", "closed", "change")
            self._check_defined_badge(conn, fields, season.id)
            before = {name: getattr(row, name) for name in fields}
            changed = {name: value for name, value in fields.items() if before[name] != value}
            if not changed:
                return
            values: dict[str, Any] = {**changed, "updated_at": self.gk.clock(), "revision": SEASONS.c.revision + 1}
            if {"point_type", "starts_at", "ends_at"} & set(changed):
                # A new range or point type: the standings are summed again on the next read.
                conn.execute(STANDINGS.delete().where(STANDINGS.c.season_id == season.id))
                values["ledger_id"] = None
            conn.execute(SEASONS.update().where(SEASONS.c.id == season.id).values(values))
            details = {name: {"from": before[name], "to": value} for name, value in changed.items()}
            audit.write(conn, self.gk.clock(), area=AREA, actor=actor, action="season.update",
                        target=f"season:{slug}", details=_jsonable(details))  # fmt: skip

        self.gk.store.run_write(body)
        if fields["defined_badge"] is not None or season.defines_badge:
            self.gk.reload_definitions()
        return self.get(slug)

    def check(self, slug: str, *, new: bool = True, **values: Any) -> dict[str, Any]:
        """A season's fields (those :meth:`create` takes), checked but not saved: every bad field
        at once, in one :class:`ValidationError`. ``new=False``: the fields of season ``slug``,
        changed to ``values`` (as :meth:`update` would). Returns the columns to store."""
        found = FieldErrors()
        season = None
        if new:
            found.check_all({"slug": lambda: _new_slug(slug)})
        else:
            season = self.get(slug)
            values = self._current(season) | values
        return self._check(season, values, slug, found)

    @staticmethod
    def _current(season: SeasonView) -> dict[str, Any]:
        return {
            "name": season.name, "description": season.description, "point_type": season.point_type,
            "starts_at": season.starts_at, "ends_at": season.ends_at, "top_n": season.top_n, "badge": season.badge,
            "define_badge": season.defines_badge,
        }  # fmt: skip

    def _check(
        self, season: SeasonView | None, values: dict[str, Any], slug: str, found: FieldErrors | None = None
    ) -> dict[str, Any]:
        """The season's columns from ``values``, checked; one :class:`ValidationError` names every
        bad field (with those already ``found``)."""
        found = found if found is not None else FieldErrors()
        registry = self.gk.registry
        checked = found.check_all(
            {
                "name": lambda: single_line(values.get("name"), "name", NAME_MAX),
                "description": lambda: multi_line(values.get("description", ""), "description", DESCRIPTION_MAX),
                "point_type": lambda: _point_type(values.get("point_type"), registry.point_types),
                "starts_at": lambda: _aware(values.get("starts_at"), "starts_at"),
                "ends_at": lambda: _aware(values.get("ends_at"), "ends_at"),
                "top_n": lambda: _top_n(values.get("top_n")),
                "define_badge": lambda: _flag(values.get("define_badge", False)),
            }
        )
        if "starts_at" in checked and "ends_at" in checked and checked["ends_at"] <= checked["starts_at"]:
            found.add("ends_at", "a season must end after it starts")
        badges: tuple[str | None, str | None] = (None, None)
        if "top_n" in checked and "define_badge" in checked and "slug" not in found:
            badge = values.get("badge")
            named = found.check_all(
                {"badge": lambda: self._badge(season, slug, checked["top_n"], badge, checked["define_badge"])}
            )
            badges = named.get("badge", badges)
        found.raise_if_any()
        return _columns(checked["name"], checked["description"], checked["point_type"], checked["starts_at"],
                        checked["ends_at"], checked["top_n"], *badges)  # fmt: skip

    def _badge(
        self, season: SeasonView | None, slug: str, top_n: int | None, badge: object, define: bool
    ) -> tuple[str | None, str | None]:
        """The badge the top N get and the badge the season defines itself (or ``None``)."""
        registry = self.gk.registry
        if top_n is None:
            if badge is not None or define:
                raise ValidationError(_("a season badge goes to the top N: give top_n"), field="top_n")
            return None, None
        if define:
            badge = check_slug(badge if badge is not None else f"{slug}-top{top_n}", "badge")
            ours = season is not None and season.defines_badge and season.badge == badge
            if badge in registry.badges and not ours:
                raise ValidationError(_("there is already a badge with this slug: name another"), field="badge")
            return badge, badge
        if badge is None:
            raise ValidationError(_("name the badge the top N get, or let the season define one"), field="badge")
        if not isinstance(badge, str) or badge not in registry.badges:
            raise ValidationError(_("%(field)s must be the slug of an existing badge", field="badge"), field="badge")
        if season is not None and season.defines_badge and season.badge == badge:
            raise ValidationError(_("this badge is the season's own: keep define_badge"), field="badge")
        return badge, None

    @staticmethod
    def _check_defined_badge(conn: sa.Connection, fields: dict[str, Any], season_id: int | None) -> None:
        defined = fields["defined_badge"]
        if defined is None:
            return
        other = conn.scalar(sa.select(SEASONS.c.slug).where(SEASONS.c.defined_badge == defined,
                                                            SEASONS.c.id != (season_id or 0)))  # fmt: skip
        if other is not None:
            raise ValidationError(_("season %(season)s already defines this badge", season=repr(other)), field="badge")


def _new_slug(slug: object) -> str:
    if not isinstance(slug, str) or not SLUG.fullmatch(slug) or slug == "new":  # /seasons/new is the form
        raise ValidationError(
            _("%(field)s must be 1-64 characters of a-z, 0-9 and '-', starting with a letter or digit", field="slug"),
            field="slug",
        )
    return slug


def _point_type(value: object, known: Any) -> str:
    if not isinstance(value, str) or value not in known:
        raise ValidationError(
            _("%(field)s must be one of the community's point types", field="point_type"), field="point_type"
        )
    return value


def _aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(_("%(field)s must be an aware datetime", field=field), field=field)
    return value


def _top_n(value: object) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= TOP_N_MAX):
        raise ValidationError(
            _("%(field)s must be an integer from 1 to %(most)s", field="top_n", most=format_number(TOP_N_MAX)),
            field="top_n",
        )
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(_("%(field)s must be true or false", field="define_badge"), field="define_badge")
    return value


def _columns(
    name: str,
    description: str,
    point_type: str,
    starts_at: datetime,
    ends_at: datetime,
    top_n: int | None,
    badge: str | None,
    defined_badge: str | None,
) -> dict[str, Any]:
    return {
        "name": name, "description": description, "point_type": point_type, "starts_at": starts_at,
        "ends_at": ends_at, "top_n": top_n, "badge": badge, "defined_badge": defined_badge,
    }  # fmt: skip


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Audit details are JSON: datetimes as ISO 8601."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {key: plain(value) for key, value in values.items()}
