"""The event pages: each page renders, forms carry the CSRF token (and fail without it), errors
name the field (422), successes redirect, user text is escaped, and only organizers see their tools."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask

from guildkit import GuildKit
from guildkit.testing import Clock
from tests.events_helpers import make_event
from tests.webclient import Site, mount, sqlite_and_postgresql

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

gk_backend = sqlite_and_postgresql


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    client = mount(gk_app, gk)
    gk.join("ann", name="Ann")
    gk.join("bob", name="Bob")
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    return Site(client, gk)


def test_upcoming_list_shows_time_in_the_event_zone(site: Site, gk: GuildKit) -> None:
    make_event(gk, by="ann", title="Tokyo meetup", timezone="Asia/Tokyo", capacity=10)
    make_event(gk, by="ann", title="Secret", visibility="unlisted")
    page = site.get("/events")
    assert "Tokyo meetup" in page and "Secret" not in page
    # 2026-01-06 12:00 UTC is 21:00 in Tokyo (CLDR puts a narrow no-break space before "PM").
    assert "Tue, Jan 6, 2026, 9:00\u202fPM" in page and "(Asia/Tokyo)" in page
    assert "10 of 10 places left" in page
    assert "New event" not in page  # anonymous
    assert "New event" in site.get("/events", user="bob")
    assert "No past events." in site.get("/events?past=1")


def test_event_page_for_visitors_members_and_organizers(site: Site, gk: GuildKit) -> None:
    event = make_event(gk, by="ann", capacity=1, description="Line one\nLine two\n\nSecond paragraph")
    gk.events.rsvp(event.id, "bob", "going")
    gk.events.rsvp(event.id, "cy", "going")
    anonymous = site.get(f"/events/{event.id}")
    assert "Sign in to say whether you are going." in anonymous
    assert "<p>Line one<br>Line two</p><p>Second paragraph</p>" in anonymous
    assert "User bob" not in anonymous and ">Bob</a>" in anonymous and "1 on the waitlist" in anonymous
    assert f'href="/community/events/{event.id}.ics"' in anonymous
    member = site.get(f"/events/{event.id}", user="cy")
    assert "<legend>Are you going?</legend>" in member
    assert 'value="going" checked' in member and "(number 1 in line)" in member
    assert 'name="csrf_token"' in member
    assert "For organizers" not in member and "check-in-code" not in member and "/edit" not in member
    organizer = site.get(f"/events/{event.id}", user="ann")
    assert "For organizers" in organizer and f"/events/{event.id}/edit" in organizer
    assert "Make a check-in code" in organizer and "Waitlist" in organizer
    assert "For organizers" in site.get(f"/events/{event.id}", user="mo")


def test_members_only_and_unknown_events_are_404(site: Site, gk: GuildKit) -> None:
    event = make_event(gk, by="ann", visibility="members")
    site.get(f"/events/{event.id}", status=404)
    site.get(f"/events/{event.id}.ics", status=404)
    assert "Board games night" in site.get(f"/events/{event.id}", user="bob")
    site.get("/events/4242", status=404)
    site.get("/events/99999999999999999999", status=404)  # beyond any id: no route, not a database error


def test_rsvp_form_redirects_and_needs_csrf(site: Site, gk: GuildKit) -> None:
    event = make_event(gk, by="ann")
    missing = site.post(f"/events/{event.id}/rsvp", {"status": "going"}, user="bob", csrf=False)
    assert missing.status_code == 400 and gk.events.rsvp_of(event.id, "bob") is None
    done = site.post(f"/events/{event.id}/rsvp", {"status": "going"}, user="bob")
    assert done.status_code == 303 and done.location.endswith(f"/events/{event.id}?done=rsvp#gk-rsvp")
    assert gk.events.rsvp_of(event.id, "bob").status == "going"  # type: ignore[union-attr]
    assert "Your answer is saved." in site.get(f"/events/{event.id}?done=rsvp", user="bob")
    refused = site.post(f"/events/{event.id}/rsvp", {"status": ""}, user="bob")
    assert refused.status_code == 422
    assert 'id="gk-error-status"' in refused.get_data(as_text=True)
    assert site.post(f"/events/{event.id}/rsvp", {"status": "going"}).status_code == 401


def test_create_and_edit_forms(site: Site, gk: GuildKit) -> None:
    form = site.get("/events/new", user="bob")
    for field in ("title", "description", "starts_at", "ends_at", "timezone", "online", "location", "url", "capacity"):
        assert f'<label for="gk-{field}">' in form
    assert "<legend>Who can see it</legend>" in form and 'name="csrf_token"' in form
    site.get("/events/new", status=401)
    fields = {
        "title": "Picnic",
        "starts_at": "2026-02-01T12:00",
        "ends_at": "2026-02-01T11:00",
        "timezone": "Europe/Paris",
        "location": "Park",
        "visibility": "public",
        "capacity": "",
    }
    refused = site.post("/events/new", fields, user="bob")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'href="#gk-ends_at">The event must end after it starts</a>' in text
    assert (
        'id="gk-ends_at" name="ends_at" type="datetime-local" value="2026-02-01T11:00" required aria-invalid="true"'
        in text
    )
    assert 'value="Picnic"' in text  # what was typed comes back
    for change, field in [
        ({"timezone": "Nowhere"}, "timezone"),
        ({"capacity": "-3"}, "capacity"),
        ({"url": "ftp://x"}, "url"),
    ]:
        bad = site.post("/events/new", {**fields, "ends_at": "2026-02-01T14:00", **change}, user="bob")
        assert bad.status_code == 422 and f'id="gk-error-{field}"' in bad.get_data(as_text=True)
    created = site.post("/events/new", {**fields, "ends_at": "2026-02-01T14:00", "capacity": "12"}, user="bob")
    assert created.status_code == 303
    event_id = int(created.location.split("/events/")[1].split("?")[0])
    event = gk.events.get(event_id)
    assert (event.title, event.capacity, event.starts_at.hour) == ("Picnic", 12, 11)  # 12:00 Paris = 11:00 UTC
    site.get(f"/events/{event_id}/edit", user="ann", status=403)
    edit = site.get(f"/events/{event_id}/edit", user="bob")
    assert 'value="2026-02-01T12:00"' in edit and 'value="Europe/Paris"' in edit
    saved = site.post(
        f"/events/{event_id}/edit", {**fields, "ends_at": "2026-02-01T15:00", "title": "Big picnic"}, user="bob"
    )
    assert saved.status_code == 303 and gk.events.get(event_id).title == "Big picnic"
    assert site.post(f"/events/{event_id}/edit", {"title": "x"}, user="bob", csrf=False).status_code == 400


def test_organizers_and_cancel_from_the_edit_page(site: Site, gk: GuildKit) -> None:
    event = make_event(gk, by="ann")
    added = site.post(f"/events/{event.id}/organizers", {"user_id": "bob"}, user="ann")
    assert added.status_code == 303 and gk.events.get(event.id).organizers == ("ann", "bob")
    assert "Organizers saved." in site.get(f"/events/{event.id}/edit?done=organizers", user="ann")
    removed = site.post(f"/events/{event.id}/organizers/remove", {"user_id": "bob"}, user="ann")
    assert removed.status_code == 303 and gk.events.get(event.id).organizers == ("ann",)
    last = site.post(f"/events/{event.id}/organizers/remove", {"user_id": "ann"}, user="ann")
    assert last.status_code == 422 and 'id="gk-error-organizer"' in last.get_data(as_text=True)
    assert site.post(f"/events/{event.id}/cancel", {"reason": "x"}, user="bob").status_code == 403
    cancelled = site.post(f"/events/{event.id}/cancel", {"reason": "Storm"}, user="ann")
    assert cancelled.status_code == 303
    page = site.get(f"/events/{event.id}")
    assert "This event is cancelled: Storm" in page and "Answers are closed" in page
    assert site.post(f"/events/{event.id}/rsvp", {"status": "going"}, user="bob").status_code == 409


def test_check_in_forms(site: Site, gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk, by="ann")
    gk.events.rsvp(event.id, "bob", "going")
    made = site.post(f"/events/{event.id}/check-in-code", {}, user="ann")
    assert made.status_code == 303
    shown = site.get(f"/events/{event.id}?done=code", user="ann")
    code = re.search(r'class="gk-code">([A-Z0-9]{8})<', shown)
    assert code
    assert 'class="gk-code"' not in site.get(f"/events/{event.id}", user="ann")  # shown once
    assert "Check-in with the code the organizers give out opens" in site.get(f"/events/{event.id}", user="bob")
    gk_clock.set(event.starts_at - timedelta(minutes=5))
    page = site.get(f"/events/{event.id}", user="bob")
    assert '<label for="gk-code">Check-in code</label>' in page
    wrong = site.post(f"/events/{event.id}/check-in", {"code": "ZZZZ2222"}, user="bob")
    assert wrong.status_code == 422 and 'id="gk-error-code"' in wrong.get_data(as_text=True)
    right = site.post(f"/events/{event.id}/check-in", {"code": code.group(1)}, user="bob")
    assert right.status_code == 303 and "You checked in" in site.get(f"/events/{event.id}", user="bob")
    assert site.post(f"/events/{event.id}/check-in", {"user_id": "cy"}, user="bob").status_code == 403
    walk_in = site.post(f"/events/{event.id}/check-in", {"user_id": "cy"}, user="ann")
    assert walk_in.status_code == 303
    organizer = site.get(f"/events/{event.id}", user="ann")
    assert 'Checked in <span class="gk-muted">(2)</span>' in organizer and "by User ann" not in organizer
    assert gk.balance("cy", "participation") == 5


def test_my_events_page(site: Site, gk: GuildKit) -> None:
    event = make_event(gk, by="ann", title="Mine")
    gk.events.rsvp(event.id, "bob", "maybe")
    site.get("/events/mine", status=401)
    bob = site.get("/events/mine", user="bob")
    assert re.search(r'id="gk-mine-maybe">Maybe <span class="gk-muted">\(1\)', bob)
    assert "Mine" in bob
    assert re.search(
        r'id="gk-mine-organizing">Organizing <span class="gk-muted">\(1\)', site.get("/events/mine", user="ann")
    )


def test_user_text_is_escaped(site: Site, gk: GuildKit) -> None:
    event = make_event(gk, by="ann", title=SCRIPT, description=f"{SCRIPT}\n{SCRIPT}", location=SCRIPT)
    for path, user in [
        (f"/events/{event.id}", None),
        ("/events", None),
        (f"/events/{event.id}/edit", "ann"),
        ("/events/mine", "ann"),
    ]:
        page = site.get(path, user=user)
        assert SCRIPT not in page and SCRIPT_ESCAPED in page
