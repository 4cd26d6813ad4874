"""The weekly digest: one email a week with the notifications a member chose to hear of that way.

Weeks run from Monday 00:00 to the next, in the community's time zone (``GUILDKIT_TIMEZONE``).
The digest job (hourly) looks at the last week that ended:

1. it queues what is due (:mod:`.dispatch`), so the week's last notifications are in;
2. for each member with queued digest lines made before the week ended, it makes their digest
   row for that week: ``(member, week)`` is unique, so a member gets one digest a week however
   many runs or workers make it;
3. it claims each due digest (:mod:`.leases`), attaches the member's queued lines made before
   its week ended (each line to one digest: a line left over from an earlier week goes with this
   one), and sends them as one email, grouped (:mod:`guildkit.notes`) and each line said as the
   notifications page says it (:func:`guildkit.web.present.notification_lines`).

A line whose notification was read in the app meanwhile, or is gone, is left out; a digest left
with nothing is skipped, not sent. A digest that fails to send keeps its lines and is tried again.
Each digest is written in its member's language and time zone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app
from jinja2 import TemplateError

from guildkit.i18n import speaking
from guildkit.models import table_of
from guildkit.notes import group
from guildkit.notifications import leases, preferences
from guildkit.notifications.addresses import address_of
from guildkit.notifications.compose import Mail, compose
from guildkit.notifications.dispatch import DELIVERIES, NOTIFICATIONS, dispatch
from guildkit.notifications.hookspecs import NotificationKind
from guildkit.notifications.leases import Claimed, Outcome
from guildkit.notifications.mailer import Mailer, SendFailed
from guildkit.notifications.models import NotificationDigest
from guildkit.notifications.sending import MEMBERS, RECIPIENT, Report, work_through
from guildkit.store import upsert
from guildkit.web.present import notification_lines

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

log = logging.getLogger("guildkit.notifications")
DIGESTS = table_of(NotificationDigest)
WEEK = timedelta(days=7)


def last_week(now: datetime, zone: tzinfo) -> tuple[date, datetime]:
    """The Monday the last whole week began on, and when it ended (this week's Monday, 00:00 local)."""
    local = now.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    return monday - WEEK, week_end(monday - WEEK, zone)


def week_end(week: date, zone: tzinfo) -> datetime:
    return datetime.combine(week + WEEK, time(0), tzinfo=zone)


def send_digests(gk: GuildKit, kinds: Mapping[str, NotificationKind]) -> Report:
    config = current_app.config
    report = Report()
    now = gk.clock()
    report.interrupted = leases.expire(gk, DIGESTS, now)
    delay = timedelta(seconds=float(config["GUILDKIT_NOTIFICATIONS_EMAIL_DELAY"]))
    report.queued = gk.store.run_write(lambda conn: dispatch(conn, kinds, now, delay))
    week, ended = last_week(now, gk.state.zone)
    gk.store.run_write(lambda conn: _make_digests(conn, week, ended, now))

    def attempt(mailer: Mailer, claimed: Claimed) -> tuple[Outcome, list[int]]:
        return _send_one(gk, kinds, mailer, claimed)

    return work_through(gk, report, DIGESTS, (), "digest", attempt, _finish)


def _make_digests(conn: sa.Connection, week: date, ended: datetime, now: datetime) -> None:
    d = DELIVERIES.c
    members = (
        conn.execute(
            sa.select(d.member_id)
            .where(d.channel == "digest", d.state == "pending", d.digest_id.is_(None), d.noted_at < ended)
            .distinct()
        )
        .scalars()
        .all()
    )
    rows = [
        {"member_id": m, "week": week, "state": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
        for m in members
    ]
    if rows:
        conn.execute(upsert(conn.dialect.name, DIGESTS, ("member_id", "week")), rows)


def _attach(gk: GuildKit, digest_id: int) -> tuple[Any, list[Any]]:
    """Attach the member's queued lines to the digest; its row (``member_id``, ``week`` and the
    recipient: ``user_id``, ``locale``, ``time_zone``) and the lines' notifications still unread
    (newest first)."""
    zone = gk.state.zone

    def body(conn: sa.Connection) -> Any:
        found = conn.execute(
            sa.select(DIGESTS.c.member_id, DIGESTS.c.week, *RECIPIENT)
            .join(MEMBERS, MEMBERS.c.id == DIGESTS.c.member_id)
            .where(DIGESTS.c.id == digest_id)
        ).one()
        d = DELIVERIES.c
        conn.execute(
            sa.update(DELIVERIES)
            .where(
                d.member_id == found.member_id,
                d.channel == "digest",
                d.state == "pending",
                d.digest_id.is_(None),
                d.noted_at < week_end(found.week, zone),
            )
            .values(digest_id=digest_id)
        )
        return found

    found = gk.store.run_write(body)
    n, d = NOTIFICATIONS.c, DELIVERIES.c
    with gk.store.engine.connect() as conn:
        notes = conn.execute(
            sa.select(n.id, n.kind, n.text, n.data, n.read_at, n.created_at)
            .join(DELIVERIES, d.notification_id == n.id)
            .where(d.digest_id == digest_id, d.state == "pending", n.read_at.is_(None))
            .order_by(n.id.desc())
        ).all()
    return found, list(notes)


def _send_one(
    gk: GuildKit, kinds: Mapping[str, NotificationKind], mailer: Mailer, claimed: Claimed
) -> tuple[Outcome, list[int]]:
    """How the digest went, and the ids of the notifications it carried."""
    found, notes = _attach(gk, claimed.id)
    member_id, week = found.member_id, found.week
    with gk.store.engine.connect() as conn:
        chosen = preferences.read(conn, member_id, kinds)
    notes = [n for n in notes if chosen.email and chosen.delivery(n.kind) == "digest"]
    if not notes:
        return Outcome("skipped", "nothing left to tell: read in the app, or no longer wanted in a digest"), []
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        address = address_of(app.config, found.user_id)
        if address is None:
            return Outcome("skipped", "no email address"), []
        with speaking(found.locale, found.time_zone):
            # Each line said as the page says it: an activity again from its data, in this language.
            lines = notification_lines(gk, group(notes, {name: kind.many for name, kind in kinds.items()}))
            context = {
                "lines": lines,
                "count": len(notes),
                "week_start": week,
                "week_last_day": week + WEEK - timedelta(days=1),
                "labels": {name: str(kind.label) for name, kind in kinds.items()},
            }
            mail = Mail("digest", f"digest-{claimed.id}", member_id, address, "digest", context)
            message = compose(app, mail, gk.clock())
        mailer.send(message)
    except SendFailed as exc:
        return Outcome("failed", str(exc), final=exc.final, stop=exc.unreachable), []
    except TemplateError as exc:  # a host's template that does not render: its log says why
        log.exception("guildkit notifications: the digest templates failed")
        return Outcome("failed", f"the email templates failed: {exc}"), []
    return Outcome("sent"), [n.id for n in notes]


def _finish(conn: sa.Connection, claimed: Claimed, values: dict[str, Any], extra: list[int]) -> bool:
    """Record the digest's outcome, and its lines': those it carried, and those it left out."""
    if not leases.finish(conn, DIGESTS, claimed, values):
        return False
    d = DELIVERIES.c
    mine = sa.update(DELIVERIES).where(d.digest_id == claimed.id, d.state == "pending")
    if values["state"] == "sent":
        conn.execute(mine.where(d.notification_id.in_(extra)).values(state="sent", sent_at=values["sent_at"]))
        conn.execute(mine.values(state="skipped", error="read in the app first, or no longer wanted"))
    elif values["state"] in ("skipped", "failed"):
        conn.execute(mine.values(state=values["state"], error=values.get("error")))
    return True
