"""The events service, ``gk.events``: what the pages, the API and host code call.

Every method takes host user ids. Writes run in one :meth:`GuildKit.transaction` each: the
event's rows change and the activities the rules reward (``event.attended``,
``event.organized``) are recorded together, and hooks and signals (``guildkit_event_changed``,
``guildkit_rsvp_changed``) are told after the commit.

Who may do what:

* create an event: an active member, with ``GUILDKIT_EVENT_CREATE_PERMISSION`` if that is set;
* change, cancel, manage organizers, make a check-in code, check others in: the event's
  organizers, and staff (``members.manage`` or ``admin``);
* see an event: anyone for ``public`` and ``unlisted`` ones, signed-in members for ``members``
  ones (organizers and staff always); lists show ``public`` ones, and ``members`` ones to members.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit.activity import user_ref
from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.events import checkin, ical, reading, rsvp
from guildkit.events.errors import UnknownEvent
from guildkit.events.hookspecs import EventChange
from guildkit.events.reading import ATTENDANCES, EVENTS, MEMBERS, ORGANIZERS, RSVPS, Viewer
from guildkit.events.validation import FIELDS, REASON_MAX, check_event
from guildkit.events.views import AttendanceView, Attendees, EventPage, EventView, MemberEvents, RsvpView
from guildkit.i18n import N_
from guildkit.i18n import gettext as _
from guildkit.notes import Said
from guildkit.text import multi_line
from guildkit.transaction import Transaction

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: Staff may manage any event (``admin`` carries every permission).
STAFF_PERMISSION = "members.manage"
#: Changes members who said they are coming hear about.
NOTEWORTHY = ("starts_at", "ends_at", "timezone", "online", "location", "url")
MY_EVENTS_LIMIT = 200

UserId = str | int


class Events:
    """Community events for one :class:`~guildkit.GuildKit` (``gk.events``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- who may --------------------------------------------------------------------------

    def viewer(self, user_id: UserId | None) -> Viewer:
        """Who ``user_id`` is to events (``None``: an anonymous visitor)."""
        if user_id is None:
            return Viewer()
        user_id = user_ref(user_id, "user_id")
        row = self.gk.session.execute(
            sa.select(MEMBERS.c.id, MEMBERS.c.status).where(MEMBERS.c.user_id == user_id)
        ).one_or_none()
        if row is None:  # signed in, not yet a member: becomes one on their first RSVP
            return Viewer(user_id, None, active=True)
        active = row.status == "active"
        staff = active and self.gk.has_permission(user_id, STAFF_PERMISSION)
        return Viewer(user_id, row.id, active=active, staff=staff)

    def can_create(self, user_id: UserId | None) -> bool:
        """Whether ``user_id`` may create events (an active member with the configured permission)."""
        viewer = self.viewer(user_id)
        return viewer.signed_in and self._may_create(viewer)

    def _may_create(self, viewer: Viewer) -> bool:
        needed = current_app.config["GUILDKIT_EVENT_CREATE_PERMISSION"]
        if needed is None or viewer.user_id is None:
            return True
        return self.gk.has_permission(viewer.user_id, needed)

    def can_manage(self, event_id: int, user_id: UserId | None) -> bool:
        """Whether ``user_id`` may change the event and check people in (organizers, staff)."""
        viewer = self.viewer(user_id)
        if not viewer.active or viewer.user_id is None:
            return False
        return viewer.staff or (
            viewer.member_id is not None and viewer.member_id in reading.organizer_ids(self.gk.session, event_id)
        )

    def _manage(self, tx: Transaction, event_id: int, by: str, staff: bool) -> int:
        """``by``'s member id, if they may manage the event; :class:`NotAllowed` otherwise."""
        member_id = tx.members(by)[by]
        if not staff and member_id not in reading.organizer_ids(tx.conn, event_id):
            raise NotAllowed(_("only the event's organizers and moderators may do this"))
        return member_id

    # -- reading --------------------------------------------------------------------------

    def get(self, event_id: int, viewer: UserId | None = None) -> EventView:
        """The event, if ``viewer`` may see it; :class:`~guildkit.UnknownEvent` otherwise."""
        session = self.gk.session
        row = reading.event_row(session, event_id)
        if not reading.can_see(row, self.viewer(viewer), reading.organizer_ids(session, row.id)):
            raise UnknownEvent(event_id)
        return reading.views(session, [row])[0]

    def upcoming(
        self, viewer: UserId | None = None, *, limit: int = 20, cursor: str | None = None, past: bool = False
    ) -> EventPage:
        """Events not yet over, soonest first (``past=True``: those over, latest first), listed for
        ``viewer`` (see the module docs). Cancelled ones are included and say so."""
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
            raise ValidationError("limit must be an integer from 1 to 100", field="limit")
        now = self.gk.clock()
        order = (EVENTS.c.starts_at.desc(), EVENTS.c.id.desc()) if past else (EVENTS.c.starts_at, EVENTS.c.id)
        query = (
            sa.select(EVENTS)
            .where(reading.listed_for(self.viewer(viewer)))
            .where(EVENTS.c.ends_at <= now if past else EVENTS.c.ends_at > now)
            .order_by(*order)
            .limit(limit + 1)
        )
        if cursor is not None:
            after = sa.tuple_(EVENTS.c.starts_at, EVENTS.c.id)
            key = sa.tuple_(*(sa.literal(v, t) for v, t in zip(reading.decode_cursor(cursor), _KEY_TYPES, strict=True)))
            query = query.where(after < key if past else after > key)
        session = self.gk.session
        rows = session.execute(query).all()
        items = reading.views(session, rows[:limit])
        next_cursor = reading.encode_cursor(items[-1].starts_at, items[-1].id) if len(rows) > limit else None
        return EventPage(tuple(items), next_cursor)

    def of_member(self, user_id: UserId) -> MemberEvents:
        """The member's events: organizing (all), going / maybe / waitlisted (not yet over, soonest
        first) and attended (latest first)."""
        session = self.gk.session
        member_id = reading.member_id_of(session, user_ref(user_id, "user_id"))
        if member_id is None:
            return MemberEvents((), (), (), (), ())
        now = self.gk.clock()

        def events(where: Any, *, upcoming: bool) -> tuple[EventView, ...]:
            query = sa.select(EVENTS).where(where).limit(MY_EVENTS_LIMIT)
            if upcoming:
                query = query.where(EVENTS.c.ends_at > now).order_by(EVENTS.c.starts_at, EVENTS.c.id)
            else:
                query = query.order_by(EVENTS.c.starts_at.desc(), EVENTS.c.id.desc())
            return tuple(reading.views(session, session.execute(query).all()))

        def answered(status: str) -> Any:
            return EVENTS.c.id.in_(
                sa.select(RSVPS.c.event_id).where(RSVPS.c.member_id == member_id, RSVPS.c.status == status)
            )

        return MemberEvents(
            organizing=events(
                EVENTS.c.id.in_(sa.select(ORGANIZERS.c.event_id).where(ORGANIZERS.c.member_id == member_id)),
                upcoming=False,
            ),
            going=events(answered("going"), upcoming=True),
            maybe=events(answered("maybe"), upcoming=True),
            waitlisted=events(answered("waitlisted"), upcoming=True),
            attended=events(
                EVENTS.c.id.in_(sa.select(ATTENDANCES.c.event_id).where(ATTENDANCES.c.member_id == member_id)),
                upcoming=False,
            ),
        )

    def rsvp_of(self, event_id: int, user_id: UserId) -> RsvpView | None:
        """``user_id``'s answer to the event (with their waitlist place), or ``None``."""
        member_id = reading.member_id_of(self.gk.session, user_ref(user_id, "user_id"))
        return None if member_id is None else reading.rsvp_view(self.gk.session, event_id, member_id)

    def attendance_of(self, event_id: int, user_id: UserId) -> AttendanceView | None:
        member_id = reading.member_id_of(self.gk.session, user_ref(user_id, "user_id"))
        if member_id is None:
            return None
        found = reading.attendance_views(self.gk.session, event_id, member_id=member_id)
        return found[0] if found else None

    def attendees(self, event_id: int, viewer: UserId | None = None) -> Attendees:
        """Who is going (anyone who may see the event); the waitlist and who checked in
        (organizers and staff only, else ``None``)."""
        event = self.get(event_id, viewer)
        session = self.gk.session
        going = reading.rsvp_views(session, event.id, status="going")
        organizer = self.can_manage(event.id, viewer)
        return Attendees(
            going=tuple(going),
            maybe=event.maybe,
            waitlisted=event.waitlisted,
            waitlist=tuple(reading.rsvp_views(session, event.id, status="waitlisted")) if organizer else None,
            checked_in=tuple(reading.attendance_views(session, event.id)) if organizer else None,
        )

    def checkin_window(self, event: EventView) -> tuple[datetime, datetime]:
        """When the event's check-in code works (UTC)."""
        if not isinstance(event, EventView):
            raise ValidationError("event must be an EventView (from gk.events.get)", field="event")
        return checkin.window(event, current_app.config["GUILDKIT_CHECKIN_WINDOW_MINUTES"])

    def checkin_open(self, event: EventView) -> bool:
        opens, closes = self.checkin_window(event)
        return event.cancelled_at is None and opens <= self.gk.clock() <= closes

    def ics(
        self, event_id: int, viewer: UserId | None = None, *, host: str | None = None, page_url: str | None = None
    ) -> str:
        """The event as an iCalendar (``.ics``) file; see :mod:`guildkit.events.ical`."""
        return ical.render(self.get(event_id, viewer), now=self.gk.clock(), host=host, page_url=page_url)

    # -- writing --------------------------------------------------------------------------

    def create(
        self,
        by: UserId,
        *,
        title: str,
        starts_at: datetime,
        ends_at: datetime,
        timezone: str,
        description: str = "",
        online: bool = False,
        location: str = "",
        url: str | None = None,
        capacity: int | None = None,
        visibility: str = "public",
    ) -> EventView:
        """A new event, organized by ``by``. Raises :class:`~guildkit.errors.ValidationError`
        (naming the field), :class:`~guildkit.errors.NotAllowed` or
        :class:`~guildkit.errors.MemberInactive`."""
        by = user_ref(by, "by")
        fields = check_event(
            {
                "title": title,
                "description": description,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "timezone": timezone,
                "online": online,
                "location": location,
                "url": url,
                "capacity": capacity,
                "visibility": visibility,
            }
        )
        needed = current_app.config["GUILDKIT_EVENT_CREATE_PERMISSION"]
        if not self._may_create(Viewer(by)):
            raise NotAllowed(_("creating events needs the %(permission)s permission", permission=repr(needed)))

        def body(tx: Transaction) -> int:
            member_id = tx.members(by)[by]
            result = tx.conn.execute(
                sa.insert(EVENTS).values(
                    **fields.as_row(), created_by=member_id, created_at=tx.now, updated_at=tx.now, cancel_reason=""
                )
            )
            (event_id,) = result.inserted_primary_key or (None,)
            assert isinstance(event_id, int)
            tx.conn.execute(sa.insert(ORGANIZERS).values(event_id=event_id, member_id=member_id, added_at=tx.now))
            tx.announce("event_changed", change=EventChange(event_id, fields.title, "created", by))
            return event_id

        return self._view(self.gk.transaction(body))

    def update(self, event_id: int, by: UserId, **changes: Any) -> EventView:
        """Change some of the event's fields (the names :meth:`create` takes). Raising the
        capacity moves waiting members in; members coming hear about new times or places. A change
        the calendar file shows (:data:`guildkit.events.ical.SHOWN`) is a new revision of the
        event: its ``sequence`` grows by one."""
        by = user_ref(by, "by")
        unknown = sorted(set(changes) - set(FIELDS))
        if unknown:
            raise ValidationError(f"unknown event fields: {', '.join(unknown)}", field=unknown[0])
        staff = self.viewer(by).staff

        def body(tx: Transaction) -> None:
            event = rsvp.lock_event(tx, event_id)
            by_member = self._manage(tx, event_id, by, staff)
            if event.cancelled_at is not None:
                raise InvalidTransition(rsvp.WHAT, "cancelled", "change")
            current = {name: getattr(event, name) for name in FIELDS}
            fields = check_event({**current, **changes})
            changed = {k: v for k, v in fields.as_row().items() if v != current[k]}
            if not changed:
                return
            values: dict[str, Any] = {**changed, "updated_at": tx.now}
            if set(changed) & set(ical.SHOWN):
                values["sequence"] = EVENTS.c.sequence + 1  # counted by the database, never lost to a race
            tx.conn.execute(sa.update(EVENTS).where(EVENTS.c.id == event_id).values(**values))
            if "capacity" in changed:
                rsvp.promote(tx, rsvp.lock_event(tx, event_id))
            if set(changed) & set(NOTEWORTHY):
                said = Said(N_("%(event)s has a new time or place."), {"event": fields.title})
                rsvp.tell_everyone_coming(tx, event_id, "event.changed", said, besides=by_member)
            tx.announce("event_changed", change=EventChange(event_id, fields.title, "updated", by))

        self.gk.transaction(body)
        return self._view(event_id)

    def cancel(self, event_id: int, by: UserId, reason: str = "") -> EventView:
        """Cancel the event (for good: it stays visible, marked cancelled). Everyone going, maybe
        going or waiting is notified; RSVPs and check-ins stop. It is a new revision (``sequence``)."""
        by = user_ref(by, "by")
        reason = multi_line(reason, "reason", REASON_MAX)
        staff = self.viewer(by).staff

        def body(tx: Transaction) -> None:
            event = rsvp.lock_event(tx, event_id)
            by_member = self._manage(tx, event_id, by, staff)
            if event.cancelled_at is not None:
                raise InvalidTransition(rsvp.WHAT, "cancelled", "cancel")
            if tx.now >= event.ends_at:
                raise InvalidTransition(rsvp.WHAT, "over", "cancel")
            tx.conn.execute(
                sa.update(EVENTS)
                .where(EVENTS.c.id == event_id)
                .values(cancelled_at=tx.now, cancel_reason=reason, updated_at=tx.now, sequence=EVENTS.c.sequence + 1)
            )
            said = (
                Said(N_("%(event)s is cancelled. %(reason)s"), {"event": event.title, "reason": reason})
                if reason
                else Said(N_("%(event)s is cancelled."), {"event": event.title})
            )
            rsvp.tell_everyone_coming(tx, event_id, "event.cancelled", said, besides=by_member)
            tx.announce("event_changed", change=EventChange(event_id, event.title, "cancelled", by))

        self.gk.transaction(body)
        return self._view(event_id)

    def add_organizer(self, event_id: int, by: UserId, user_id: UserId) -> EventView:
        """Make ``user_id`` an organizer too (a no-op if they are one). If the event already had
        attendance, they are recognized for organizing it (``event.organized``) at once."""
        by, user_id = user_ref(by, "by"), user_ref(user_id, "user_id")
        staff = self.viewer(by).staff

        def body(tx: Transaction) -> None:
            event = rsvp.lock_event(tx, event_id)
            self._manage(tx, event_id, by, staff)
            member_id = tx.members(user_id)[user_id]
            if member_id in reading.organizer_ids(tx.conn, event_id):
                return
            tx.conn.execute(sa.insert(ORGANIZERS).values(event_id=event_id, member_id=member_id, added_at=tx.now))
            if checkin.has_attendance(tx, event_id):
                checkin.organized_activity(tx, event_id, user_id)
            if user_id != by:
                said = Said(N_("You are now an organizer of %(event)s."), {"event": event.title})
                tx.tell(member_id, "event.organizer", said, event_id=event_id)
            tx.announce("event_changed", change=EventChange(event_id, event.title, "updated", by))

        self.gk.transaction(body)
        return self._view(event_id)

    def remove_organizer(self, event_id: int, by: UserId, user_id: UserId) -> EventView:
        """Remove ``user_id`` from the organizers (never the last one). Recognition they already
        earned for the event stays."""
        by, user_id = user_ref(by, "by"), user_ref(user_id, "user_id")
        staff = self.viewer(by).staff

        def body(tx: Transaction) -> None:
            event = rsvp.lock_event(tx, event_id)
            self._manage(tx, event_id, by, staff)
            member_id = reading.member_id_of(tx.conn, user_id)
            organizers = reading.organizer_ids(tx.conn, event_id)
            if member_id not in organizers:
                raise ValidationError(_("this member is not an organizer of this event"), field="user_id")
            if len(organizers) == 1:
                raise ValidationError(_("an event needs at least one organizer"), field="user_id")
            tx.conn.execute(
                sa.delete(ORGANIZERS).where(ORGANIZERS.c.event_id == event_id, ORGANIZERS.c.member_id == member_id)
            )
            tx.announce("event_changed", change=EventChange(event_id, event.title, "updated", by))

        self.gk.transaction(body)
        return self._view(event_id)

    def rsvp(self, event_id: int, user_id: UserId, status: str) -> RsvpView:
        """Answer ``going``, ``maybe`` or ``not_going``. ``going`` to a full event is
        ``waitlisted`` (see the returned status and ``position``). Cancelled events and events that
        are over raise :class:`~guildkit.errors.InvalidTransition`."""
        user_id = user_ref(user_id, "user_id")
        self.get(event_id, user_id)
        return self.gk.transaction(lambda tx: rsvp.answer(tx, event_id, user_id, status))

    def new_checkin_code(self, event_id: int, by: UserId) -> str:
        """A new check-in code for the event (the previous one stops working). Returned once,
        in clear: only its hash is stored."""
        by = user_ref(by, "by")
        staff = self.viewer(by).staff
        code = checkin.new_code()

        def body(tx: Transaction) -> None:
            event = rsvp.lock_event(tx, event_id)
            self._manage(tx, event_id, by, staff)
            if event.cancelled_at is not None:
                raise InvalidTransition(rsvp.WHAT, "cancelled", "make a check-in code for")
            tx.conn.execute(
                sa.update(EVENTS)
                .where(EVENTS.c.id == event_id)
                .values(checkin_code_hash=checkin.code_hash(event_id, code))
            )

        self.gk.transaction(body)
        return code

    def check_in(
        self, event_id: int, user_id: UserId, *, code: str | None = None, by: UserId | None = None
    ) -> AttendanceView:
        """Record that ``user_id`` came: themself with the event's ``code`` (during the check-in
        window), or checked in ``by`` an organizer. Once per member: checking in again returns
        the first check-in (``created=False``)."""
        user_id = user_ref(user_id, "user_id")
        by = None if by is None else user_ref(by, "by")
        if code is not None and not isinstance(code, str):
            raise ValidationError("code must be text", field="code")
        self.get(event_id, by or user_id)
        staff = by is not None and self.viewer(by).staff
        minutes = current_app.config["GUILDKIT_CHECKIN_WINDOW_MINUTES"]
        return self.gk.transaction(
            lambda tx: checkin.check_in(tx, event_id, user_id, code=code, by=by, staff=staff, minutes=minutes)
        )

    def _view(self, event_id: int) -> EventView:
        return reading.event_view(self.gk.session, event_id)


_KEY_TYPES = (EVENTS.c.starts_at.type, EVENTS.c.id.type)
