"""The immediate emails: one per notification a member wants by email, sent by the send job.

One run (:func:`send_due`): end the leases of workers that died while sending (:mod:`.leases`),
queue what is due (:mod:`.dispatch`), then claim and send queued emails one at a time over one
SMTP connection, at most ``GUILDKIT_NOTIFICATIONS_BATCH_SIZE`` of them (the job queues another
run when more are left). A server that cannot be reached ends the run at the first email: the
others stay queued, untouched, for the next run. Just before sending, the row is checked again: an email is skipped
(and recorded so) when its notification is gone (it cancelled out, or the member was erased) or
was read in the app meanwhile, when the member no longer wants it by email, or when the host
has no address for them. Each email is written in its recipient's language and time zone.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from jinja2 import TemplateError

from guildkit.i18n import speaking
from guildkit.models import Member, table_of
from guildkit.notes import group
from guildkit.notifications import leases, preferences
from guildkit.notifications.addresses import address_of
from guildkit.notifications.compose import Mail, compose
from guildkit.notifications.dispatch import DELIVERIES, NOTIFICATIONS, dispatch
from guildkit.notifications.hookspecs import NotificationKind
from guildkit.notifications.leases import Claimed, Outcome
from guildkit.notifications.mailer import Mailer, MailSettings, SendFailed
from guildkit.web.present import notification_lines

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

log = logging.getLogger("guildkit.notifications")
MEMBERS = table_of(Member)
#: Who an email goes to, and in which language and time zone it is written (``None``: the site's).
RECIPIENT = (MEMBERS.c.user_id, MEMBERS.c.locale, MEMBERS.c.time_zone)
T = TypeVar("T")


@dataclass
class Report:
    """What one run did; ``more``: it stopped at its batch size with emails still due."""

    queued: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    interrupted: int = 0
    more: bool = False

    def count(self, state: str) -> None:
        self.counts[state] = self.counts.get(state, 0) + 1

    def out(self) -> dict[str, Any]:
        return {"queued": self.queued, **self.counts, "interrupted": self.interrupted, "more": self.more}


def lease_for(settings: MailSettings) -> timedelta:
    """How long a claim holds: long enough for a slow SMTP conversation to end."""
    return timedelta(seconds=max(60.0, 6 * settings.timeout))


def send_due(gk: GuildKit, kinds: Mapping[str, NotificationKind]) -> Report:
    config = current_app.config
    report = Report()
    now = gk.clock()
    report.interrupted = leases.expire(gk, DELIVERIES, now)
    delay = timedelta(seconds=float(config["GUILDKIT_NOTIFICATIONS_EMAIL_DELAY"]))
    report.queued = gk.store.run_write(lambda conn: dispatch(conn, kinds, now, delay))

    def attempt(mailer: Mailer, claimed: Claimed) -> tuple[Outcome, None]:
        return _send_one(gk, kinds, mailer, claimed), None

    def record(conn: sa.Connection, claimed: Claimed, values: dict[str, Any], extra: None) -> bool:
        return leases.finish(conn, DELIVERIES, claimed, values)

    where = (DELIVERIES.c.channel == "email",)
    return work_through(gk, report, DELIVERIES, where, "email", attempt, record)


def work_through(
    gk: GuildKit,
    report: Report,
    table: sa.Table,
    where: tuple[sa.ColumnElement[bool], ...],
    what: str,
    attempt: Callable[[Mailer, Claimed], tuple[Outcome, T]],
    record: Callable[[sa.Connection, Claimed, dict[str, Any], T], bool],
) -> Report:
    """Claim, send and record queued emails of ``table`` one at a time, at most a batch of them."""
    config = current_app.config
    settings = MailSettings.of(config)
    max_attempts = int(config["GUILDKIT_NOTIFICATIONS_MAX_ATTEMPTS"])
    with Mailer(settings) as mailer:
        for _ in range(int(config["GUILDKIT_NOTIFICATIONS_BATCH_SIZE"])):
            claimed = leases.claim_next(gk, table, *where, now=gk.clock(), lease=lease_for(settings))
            if claimed is None:
                return report
            outcome, extra = attempt(mailer, claimed)
            values = leases.outcome_values(claimed, outcome, gk.clock(), max_attempts)
            if not gk.store.run_write(functools.partial(_record, record, claimed, values, extra)):
                log.warning(
                    "guildkit notifications: %s %s was taken over before its result was recorded", what, claimed.id
                )
            report.count(values["state"])
            if outcome.error and outcome.state != "skipped":
                log.info(
                    "guildkit notifications: %s %s attempt %d: %s", what, claimed.id, claimed.attempts, outcome.error
                )
            if outcome.stop:
                return report  # no use trying the next ones against a server that is down
    report.more = True
    return report


def _record(
    record: Callable[[sa.Connection, Claimed, dict[str, Any], T], bool],
    claimed: Claimed,
    values: dict[str, Any],
    extra: T,
    conn: sa.Connection,
) -> bool:
    return record(conn, claimed, values, extra)


def _send_one(gk: GuildKit, kinds: Mapping[str, NotificationKind], mailer: Mailer, claimed: Claimed) -> Outcome:
    d, n = DELIVERIES.c, NOTIFICATIONS.c
    with gk.store.engine.connect() as conn:
        columns = (n.id.label("note_id"), n.text, n.data, n.read_at, n.created_at, *RECIPIENT)
        joined = DELIVERIES.outerjoin(NOTIFICATIONS, n.id == d.notification_id)
        row = conn.execute(
            sa.select(d.member_id, d.kind, *columns)
            .select_from(joined.join(MEMBERS, MEMBERS.c.id == d.member_id))
            .where(d.id == claimed.id)
        ).one()
        if row.note_id is None:
            return Outcome("skipped", "the notification is gone (it cancelled out, or the member was erased)")
        if row.read_at is not None:
            return Outcome("skipped", "read in the app first")
        chosen = preferences.read(conn, row.member_id, kinds)
    if not chosen.email or chosen.delivery(row.kind) != "email":
        return Outcome("skipped", "the member no longer wants it by email")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        address = address_of(app.config, row.user_id)
        if address is None:
            return Outcome("skipped", "no email address")
        kind = kinds.get(row.kind)
        with speaking(row.locale, row.time_zone):
            # Said again as the page says it: who did it, and the subject by its title.
            note = SimpleNamespace(id=row.note_id, kind=row.kind, text=row.text, data=row.data, read_at=None,
                                   created_at=row.created_at)  # fmt: skip
            text = notification_lines(gk, group([note]))[0]["text"]
            label = str(kind.label) if kind else row.kind
            context = {"text": text, "kind": kind, "label": label, "at": row.created_at}
            mail = Mail("notification", f"notification-{claimed.id}", row.member_id, address, row.kind, context)
            message = compose(app, mail, gk.clock())
        mailer.send(message)
    except SendFailed as exc:
        return Outcome("failed", str(exc), final=exc.final, stop=exc.unreachable)
    except TemplateError as exc:  # a host's template that does not render: its log says why
        log.exception("guildkit notifications: the email templates failed")
        return Outcome("failed", f"the email templates failed: {exc}")
    return Outcome("sent")
