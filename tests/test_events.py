"""The events service (``gk.events``): creating and validating, visibility, RSVPs and the waitlist,
cancelling, check-in and attendance, the activities and default recognition, hooks and signals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guildkit import EventChange, GuildKit, RsvpChange, hookimpl, signals
from guildkit.errors import InvalidTransition, MemberInactive, NotAllowed, ValidationError
from guildkit.events.errors import UnknownEvent
from guildkit.models import Activity
from guildkit.testing import Clock
from tests.events_helpers import make_event, notes


def at_start(gk_clock: Clock, event: Any, **delta: float) -> None:
    gk_clock.set(event.starts_at + timedelta(**delta))


# -- creating and validating ---------------------------------------------------------------


def test_create_stores_utc_and_makes_the_creator_organizer(gk: GuildKit) -> None:
    paris = datetime(2026, 3, 1, 19, 30, tzinfo=ZoneInfo("Europe/Paris"))
    event = gk.events.create(
        "org",
        title="  Release party ",
        description="Bring\r\nsnacks",
        starts_at=paris,
        ends_at=paris + timedelta(hours=3),
        timezone="Europe/Paris",
        online=True,
        url="https://meet.example.org/party",
        capacity=30,
        visibility="members",
    )
    assert event.title == "Release party"
    assert event.description == "Bring\nsnacks"
    assert event.starts_at == datetime(2026, 3, 1, 18, 30, tzinfo=UTC)
    assert event.starts_at.tzinfo is not None
    assert event.organizers == ("org",) and event.created_by == "org"
    assert (event.capacity, event.spots_left, event.going, event.cancelled) == (30, 30, 0, False)
    assert gk.events.get(event.id, "org") == event


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"description": "nul\x00"}, "description"),
        ({"ends_at": datetime(2026, 1, 6, 12, 0, tzinfo=UTC)}, "ends_at"),
        ({"starts_at": datetime(2026, 1, 6, 12, 0)}, "starts_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.org/x"}, "url"),
        ({"url": "https://"}, "url"),
        ({"location": ""}, "location"),
        ({"visibility": "secret"}, "visibility"),
        ({"online": "yes"}, "online"),
    ],
)
def test_invalid_fields_are_named(gk: GuildKit, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make_event(gk, **changes)
    assert caught.value.field == field
    assert gk.events.upcoming().items == ()


def test_online_events_need_no_location(gk: GuildKit) -> None:
    event = make_event(gk, online=True, location="", url="http://meet.example.org/x")
    assert event.online and event.location == "" and event.url == "http://meet.example.org/x"


def test_create_permission_from_config(gk: GuildKit, gk_app: Any) -> None:
    gk_app.config["GUILDKIT_EVENT_CREATE_PERMISSION"] = "events.create"
    with pytest.raises(NotAllowed):
        make_event(gk, by="ann")
    assert not gk.events.can_create("ann")
    gk.award("ad", role="admin", reason="founder", key="staff:ad")
    assert gk.events.can_create("ad")
    assert make_event(gk, by="ad").organizers == ("ad",)


def test_suspended_members_cannot_create_or_answer(gk: GuildKit) -> None:
    event = make_event(gk)
    gk.join("sus")
    gk.set_status("sus", "suspended", reason="spam")
    with pytest.raises(MemberInactive):
        make_event(gk, by="sus")
    with pytest.raises(MemberInactive):
        gk.events.rsvp(event.id, "sus", "going")
    assert not gk.events.can_create("sus")


# -- visibility ----------------------------------------------------------------------------


def test_visibility_for_anonymous_members_and_organizers(gk: GuildKit) -> None:
    public = make_event(gk, title="Public")
    members = make_event(gk, title="Members", visibility="members")
    unlisted = make_event(gk, title="Unlisted", visibility="unlisted")
    assert [e.title for e in gk.events.upcoming().items] == ["Public"]
    assert [e.title for e in gk.events.upcoming("ann").items] == ["Public", "Members"]
    assert gk.events.get(unlisted.id).title == "Unlisted"  # anyone with the link
    with pytest.raises(UnknownEvent):
        gk.events.get(members.id)
    assert gk.events.get(members.id, "ann").id == members.id
    assert gk.events.get(members.id, "org").id == members.id
    gk.join("ban")
    gk.set_status("ban", "banned", reason="abuse")
    with pytest.raises(UnknownEvent):
        gk.events.get(members.id, "ban")
    assert [e.title for e in gk.events.upcoming("ban").items] == ["Public"]
    with pytest.raises(UnknownEvent):
        gk.events.get(public.id + 100)
    with pytest.raises(UnknownEvent):
        gk.events.get(2**40)


def test_upcoming_pages_and_past(gk: GuildKit, gk_clock: Clock) -> None:
    for n in range(5):
        make_event(
            gk,
            title=f"E{n}",
            starts_at=gk_clock.now + timedelta(days=n + 1),
            ends_at=gk_clock.now + timedelta(days=n + 1, hours=1),
        )
    seen: list[str] = []
    cursor = None
    while True:
        page = gk.events.upcoming(limit=2, cursor=cursor)
        seen += [e.title for e in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["E0", "E1", "E2", "E3", "E4"]
    gk_clock.advance(days=3, hours=12)
    assert [e.title for e in gk.events.upcoming().items] == ["E3", "E4"]
    first = gk.events.upcoming(past=True, limit=2)
    assert [e.title for e in first.items] == ["E2", "E1"]
    assert [e.title for e in gk.events.upcoming(past=True, cursor=first.next_cursor).items] == ["E0"]
    with pytest.raises(ValidationError) as caught:
        gk.events.upcoming(cursor="bogus")
    assert caught.value.field == "cursor"


# -- RSVPs and the waitlist ----------------------------------------------------------------


def test_rsvp_transitions(gk: GuildKit) -> None:
    event = make_event(gk)
    assert gk.events.rsvp(event.id, "ann", "maybe").status == "maybe"
    assert gk.events.rsvp(event.id, "ann", "going").status == "going"
    assert gk.events.rsvp(event.id, "ann", "going").status == "going"  # no-op
    assert gk.events.rsvp(event.id, "ann", "not_going").status == "not_going"
    assert gk.events.get(event.id).going == 0
    with pytest.raises(ValidationError) as caught:
        gk.events.rsvp(event.id, "ann", "waitlisted")
    assert caught.value.field == "status"
    assert gk.events.rsvp_of(event.id, "ann").status == "not_going"  # type: ignore[union-attr]
    assert gk.events.rsvp_of(event.id, "nobody") is None


def test_waitlist_order_and_promotion_with_notification(gk: GuildKit) -> None:
    event = make_event(gk, capacity=2)
    answers = [gk.events.rsvp(event.id, u, "going") for u in ("a", "b", "c", "d", "e")]
    assert [(r.status, r.position) for r in answers] == [
        ("going", None),
        ("going", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
        ("waitlisted", 3),
    ]
    assert gk.events.rsvp(event.id, "d", "going").position == 2  # asking again keeps the place
    assert gk.events.rsvp(event.id, "a", "maybe").status == "maybe"
    assert gk.events.rsvp_of(event.id, "c").status == "going"  # type: ignore[union-attr]
    assert gk.events.rsvp_of(event.id, "d").position == 1  # type: ignore[union-attr]
    assert notes(gk, "c") == [("event.promoted", "A place opened up: you are now going to Board games night.")]
    assert notes(gk, "d") == []
    # Someone new cannot jump the queue, even as going returns to capacity.
    assert gk.events.rsvp(event.id, "f", "going").position == 3
    view = gk.events.get(event.id)
    assert (view.going, view.waitlisted, view.maybe, view.spots_left) == (2, 3, 1, 0)
    organizer_view = gk.events.attendees(event.id, "org")
    assert [r.user_id for r in organizer_view.waitlist or ()] == ["d", "e", "f"]
    assert [r.position for r in organizer_view.waitlist or ()] == [1, 2, 3]
    assert gk.events.attendees(event.id, "a").waitlist is None
    assert gk.events.attendees(event.id).checked_in is None
    # Leaving the waitlist frees a place in line, not at the event.
    gk.events.rsvp(event.id, "d", "not_going")
    assert gk.events.rsvp_of(event.id, "e").position == 1  # type: ignore[union-attr]


def test_raising_the_capacity_promotes_and_lowering_keeps_people(gk: GuildKit) -> None:
    event = make_event(gk, capacity=1)
    for user in ("a", "b", "c", "d"):
        gk.events.rsvp(event.id, user, "going")
    raised = gk.events.update(event.id, "org", capacity=3)
    assert (raised.going, raised.waitlisted) == (3, 1)
    assert [kind for kind, _ in notes(gk, "b")] == ["event.promoted"]
    lowered = gk.events.update(event.id, "org", capacity=1)
    assert (lowered.going, lowered.waitlisted, lowered.spots_left) == (3, 1, 0)
    unlimited = gk.events.update(event.id, "org", capacity=None)
    assert (unlimited.going, unlimited.waitlisted, unlimited.spots_left) == (4, 0, None)


def test_no_rsvp_to_cancelled_or_past_events(gk: GuildKit, gk_clock: Clock) -> None:
    cancelled = make_event(gk)
    gk.events.cancel(cancelled.id, "org", "venue flooded")
    with pytest.raises(InvalidTransition) as caught:
        gk.events.rsvp(cancelled.id, "ann", "going")
    assert caught.value.state == "cancelled"
    past = make_event(gk)
    gk_clock.set(past.ends_at)
    with pytest.raises(InvalidTransition) as caught:
        gk.events.rsvp(past.id, "ann", "going")
    assert caught.value.state == "over"


# -- managing: update, cancel, organizers --------------------------------------------------


def test_only_organizers_and_staff_manage(gk: GuildKit) -> None:
    event = make_event(gk)
    for attempt in (
        lambda: gk.events.update(event.id, "ann", title="Mine now"),
        lambda: gk.events.cancel(event.id, "ann", "no"),
        lambda: gk.events.add_organizer(event.id, "ann", "ann"),
        lambda: gk.events.new_checkin_code(event.id, "ann"),
        lambda: gk.events.check_in(event.id, "bob", by="ann"),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    assert not gk.events.can_manage(event.id, "ann")
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    assert gk.events.can_manage(event.id, "mo")
    assert gk.events.update(event.id, "mo", title="Renamed by staff").title == "Renamed by staff"
    gk.events.add_organizer(event.id, "org", "ann")
    assert gk.events.update(event.id, "ann", title="Co-organized").organizers == ("org", "ann")
    assert notes(gk, "ann") == [("event.organizer", "You are now an organizer of Renamed by staff.")]


def test_update_validates_the_whole_event(gk: GuildKit) -> None:
    event = make_event(gk)
    with pytest.raises(ValidationError) as caught:
        gk.events.update(event.id, "org", ends_at=event.starts_at - timedelta(hours=1))
    assert caught.value.field == "ends_at"
    with pytest.raises(ValidationError) as caught:
        gk.events.update(event.id, "org", colour="red")
    assert caught.value.field == "colour"
    assert gk.events.update(event.id, "org") == gk.events.get(event.id)


def test_changes_of_time_or_place_are_told(gk: GuildKit) -> None:
    event = make_event(gk)
    gk.events.rsvp(event.id, "ann", "going")
    gk.events.rsvp(event.id, "bob", "not_going")
    gk.events.update(event.id, "org", description="Now with snacks")
    assert notes(gk, "ann") == []
    gk.events.update(event.id, "org", location="The park")
    assert notes(gk, "ann") == [("event.changed", "Board games night has a new time or place.")]
    assert notes(gk, "bob") == []


def test_cancel_tells_everyone_coming_and_freezes_the_event(gk: GuildKit) -> None:
    event = make_event(gk, capacity=1)
    gk.events.rsvp(event.id, "a", "going")
    gk.events.rsvp(event.id, "b", "going")
    gk.events.rsvp(event.id, "c", "maybe")
    cancelled = gk.events.cancel(event.id, "org", "Venue flooded")
    assert cancelled.cancelled and cancelled.cancel_reason == "Venue flooded"
    for user in ("a", "b", "c"):
        assert notes(gk, user)[-1] == ("event.cancelled", "Board games night is cancelled. Venue flooded")
    assert notes(gk, "org") == []
    with pytest.raises(InvalidTransition):
        gk.events.cancel(event.id, "org", "again")
    with pytest.raises(InvalidTransition):
        gk.events.update(event.id, "org", title="Back on")
    # Still listed (and marked), so those who were coming see it.
    assert [e.cancelled for e in gk.events.upcoming().items] == [True]


def test_organizers_can_be_added_and_removed_but_not_the_last(gk: GuildKit) -> None:
    event = make_event(gk)
    assert gk.events.add_organizer(event.id, "org", "ann").organizers == ("org", "ann")
    assert gk.events.add_organizer(event.id, "org", "ann").organizers == ("org", "ann")
    assert gk.events.remove_organizer(event.id, "ann", "org").organizers == ("ann",)
    with pytest.raises(ValidationError) as caught:
        gk.events.remove_organizer(event.id, "ann", "ann")
    assert caught.value.field == "user_id"
    with pytest.raises(ValidationError):
        gk.events.remove_organizer(event.id, "ann", "bob")
    with pytest.raises(NotAllowed):
        gk.events.remove_organizer(event.id, "org", "ann")  # no longer an organizer


# -- check-in and attendance ---------------------------------------------------------------


def test_check_in_with_the_code_inside_the_window_only(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk)
    code = gk.events.new_checkin_code(event.id, "org")
    assert len(code) == 8 and code.isalnum() and code.isupper()
    assert not set(code) & set("01OIL")
    at_start(gk_clock, event, minutes=-61)
    with pytest.raises(NotAllowed) as caught:
        gk.events.check_in(event.id, "ann", code=code)
    assert "check-in with a code is open from" in caught.value.message
    at_start(gk_clock, event, minutes=-60)
    with pytest.raises(ValidationError) as wrong:
        gk.events.check_in(event.id, "ann", code="WRONG234")
    assert wrong.value.field == "code"
    done = gk.events.check_in(event.id, "ann", code=f" {code[:4].lower()}-{code[4:]} ")
    assert (done.created, done.method, done.checked_in_by) == (True, "code", None)
    gk_clock.set(event.ends_at + timedelta(minutes=60))
    assert gk.events.check_in(event.id, "bob", code=code).created
    gk_clock.advance(seconds=1)
    with pytest.raises(NotAllowed):
        gk.events.check_in(event.id, "cy", code=code)


def test_a_new_code_replaces_the_old_one(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk)
    at_start(gk_clock, event)
    with pytest.raises(NotAllowed) as caught:
        gk.events.check_in(event.id, "ann", code="ABCDEFGH")
    assert "not made a check-in code" in caught.value.message
    old = gk.events.new_checkin_code(event.id, "org")
    new = gk.events.new_checkin_code(event.id, "org")
    with pytest.raises(ValidationError):
        gk.events.check_in(event.id, "ann", code=old)
    assert gk.events.check_in(event.id, "ann", code=new).created
    assert gk.events.get(event.id).has_checkin_code


def test_organizer_check_in_and_attendance_once(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk)
    at_start(gk_clock, event, minutes=-90)
    with pytest.raises(NotAllowed):
        gk.events.check_in(event.id, "walk-in", by="org")
    at_start(gk_clock, event, minutes=10)
    first = gk.events.check_in(event.id, "walk-in", by="org")  # no RSVP needed
    assert (first.created, first.method, first.checked_in_by) == (True, "organizer", "org")
    gk_clock.advance(minutes=5)
    again = gk.events.check_in(event.id, "walk-in", by="org")
    assert (again.created, again.checked_in_at) == (False, first.checked_in_at)
    code = gk.events.new_checkin_code(event.id, "org")
    assert not gk.events.check_in(event.id, "walk-in", code=code).created
    assert gk.events.get(event.id).attended == 1
    keys = [a.key for a in gk.session.query(Activity).filter(Activity.type == "event.attended")]
    assert keys == [f"event.attended:{event.id}:walk-in"]
    # After the event, organizers can still record who came.
    gk_clock.set(event.ends_at + timedelta(days=2))
    assert gk.events.check_in(event.id, "late-report", by="org").created
    with pytest.raises(ValidationError) as caught:
        gk.events.check_in(event.id, "ann")
    assert caught.value.field == "code"


def test_no_check_in_to_a_cancelled_event(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk)
    gk.events.cancel(event.id, "org", "")
    at_start(gk_clock, event)
    with pytest.raises(InvalidTransition):
        gk.events.check_in(event.id, "ann", by="org")


def test_attendance_and_organizing_earn_default_recognition(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk)
    gk.events.add_organizer(event.id, "org", "co")
    at_start(gk_clock, event)
    assert gk.balances("org") == {}
    gk.events.check_in(event.id, "ann", by="co")
    assert gk.balance("ann", "participation") == 5
    assert [b.badge_slug for b in gk.badges("ann")] == ["first-event"]
    for organizer in ("org", "co"):
        assert gk.balance(organizer, "participation") == 20
        assert [b.badge_slug for b in gk.badges(organizer)] == ["organizer"]
    gk.events.check_in(event.id, "bob", by="org")  # organizing is recognized once per event
    assert gk.balance("org", "participation") == 20
    gk.events.add_organizer(event.id, "org", "late")  # joins after people came: recognized at once
    assert gk.balance("late", "participation") == 20
    activity = gk.session.query(Activity).filter(Activity.key == f"event.attended:{event.id}:ann").one()
    assert (activity.type, activity.subject, activity.payload) == (
        "event.attended",
        f"event:{event.id}",
        {"event_id": event.id, "method": "organizer"},
    )
    organized = {a.key for a in gk.session.query(Activity).filter(Activity.type == "event.organized")}
    assert organized == {f"event.organized:{event.id}:{u}" for u in ("org", "co", "late")}


def test_my_events(gk: GuildKit, gk_clock: Clock) -> None:
    full = make_event(gk, title="Full", capacity=1)
    other = make_event(gk, title="Other", by="ann")
    gk.events.rsvp(full.id, "bob", "going")
    gk.events.rsvp(full.id, "ann", "going")
    gk.events.rsvp(other.id, "bob", "maybe")
    at_start(gk_clock, full)
    gk.events.check_in(full.id, "bob", by="org")
    mine = gk.events.of_member("bob")
    assert [e.title for e in mine.going] == ["Full"]
    assert [e.title for e in mine.maybe] == ["Other"]
    assert [e.title for e in mine.attended] == ["Full"]
    assert mine.organizing == () and mine.waitlisted == ()
    ann = gk.events.of_member("ann")
    assert [e.title for e in ann.organizing] == ["Other"]
    assert [e.title for e in ann.waitlisted] == ["Full"]
    assert gk.events.of_member("stranger").going == ()


# -- hooks and signals ---------------------------------------------------------------------


class EventRecorder:
    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk
        self.calls: list[Any] = []

    @hookimpl
    def guildkit_event_changed(self, gk: GuildKit, change: EventChange) -> None:
        # Told after the commit: the change is already readable.
        self.calls.append((change.change, change.title, change.by, gk.events.get(change.event_id).title))

    @hookimpl
    def guildkit_rsvp_changed(self, gk: GuildKit, change: RsvpChange) -> None:
        self.calls.append((change.user_id, change.old_status, change.new_status, change.by))


def test_hooks_and_signals_are_told_after_commit(gk: GuildKit, gk_clock: Clock) -> None:
    recorder = EventRecorder(gk)
    gk.register(recorder)
    events_seen: list[EventChange] = []
    rsvps_seen: list[RsvpChange] = []

    def on_event(sender: GuildKit, change: EventChange) -> None:
        events_seen.append(change)

    def on_rsvp(sender: GuildKit, change: RsvpChange) -> None:
        rsvps_seen.append(change)

    signals.event_changed.connect(on_event, sender=gk)
    signals.rsvp_changed.connect(on_rsvp, sender=gk)
    try:
        event = make_event(gk, capacity=1)
        gk.events.rsvp(event.id, "a", "going")
        gk.events.rsvp(event.id, "b", "going")
        gk.events.rsvp(event.id, "b", "going")  # unchanged: nobody is told
        gk.events.rsvp(event.id, "a", "not_going")
        gk.events.update(event.id, "org", title="Renamed")
        at_start(gk_clock, event)
        gk.events.check_in(event.id, "b", by="org")
        gk.events.check_in(event.id, "b", by="org")
        with pytest.raises(NotAllowed):
            gk.events.cancel(event.id, "b", "")  # refused: nothing to tell
        gk.events.cancel(event.id, "org", "")
    finally:
        signals.event_changed.disconnect(on_event, sender=gk)
        signals.rsvp_changed.disconnect(on_rsvp, sender=gk)
    assert [c for c in recorder.calls if len(c) == 4 and c[0] in ("created", "updated", "cancelled")] == [
        ("created", "Board games night", "org", "Board games night"),
        ("updated", "Renamed", "org", "Renamed"),
        ("cancelled", "Renamed", "org", "Renamed"),
    ]
    assert [c for c in recorder.calls if c[0] in ("a", "b")] == [
        ("a", None, "going", "a"),
        ("b", None, "waitlisted", "b"),
        ("a", "going", "not_going", "a"),
        ("b", "waitlisted", "going", None),
        ("b", "going", "attended", "org"),
    ]
    assert [e.change for e in events_seen] == ["created", "updated", "cancelled"]
    assert [(r.user_id, r.new_status) for r in rsvps_seen] == [
        ("a", "going"),
        ("b", "waitlisted"),
        ("a", "not_going"),
        ("b", "going"),
        ("b", "attended"),
    ]


# -- the docs' examples ----------------------------------------------------------------------

DOCS = Path(__file__).parent.parent / "docs" / "events.md"


def docs_examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)


@pytest.mark.parametrize("gk_backend", ["sqlite"], indirect=True)
def test_docs_examples_run(gk: GuildKit, gk_clock: Clock) -> None:
    override, tour = docs_examples()
    namespace: dict[str, Any] = {"gk": gk}
    exec(tour, namespace)  # the walk through the Python API, assertions included
    assert namespace["event"].organizers == ("42",)
    assert gk.events.get(namespace["event"].id).cancelled
    assert namespace["ics"].startswith("BEGIN:VCALENDAR\r\n")
    exec(override, {"gk": gk})
    event = make_event(gk)
    at_start(gk_clock, event)
    gk.events.check_in(event.id, "ann", by="org")
    assert gk.balances("ann") == {"karma": 2}
    assert gk.balances("org") == {}
