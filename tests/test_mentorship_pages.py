"""Mentorship pages: each page renders for the right people, forms go through with the CSRF token (and
only with it), errors name the field, check-in notes stay private, and user text is escaped."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from guildkit import GuildKit
from tests.webclient import Site, csrf_token, mount, sqlite_and_postgresql

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PROFILE = {
    "topics": "python, flask",
    "languages": "en",
    "timezone": "Europe/Berlin",
    "capacity": "2",
    "availability": "Evenings",
    "pitch": "Ask me about tests",
    "open": "yes",
}


class MentorshipSite(Site):
    def submit(self, path: str, data: dict[str, str], *, user: str, status: int = 303) -> TestResponse:
        """POST with the session's CSRF token (taken from a page, as a browser would)."""
        token = csrf_token(self.get(f"/mentors/{user}", user=user))  # one's own has the offer form
        response = self.post(path, {"csrf_token": token, **data}, user=user, csrf=False)
        assert response.status_code == status, response.get_data(as_text=True)
        return response


gk_backend = sqlite_and_postgresql


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> MentorshipSite:
    client = mount(gk_app, gk)
    for user, name in (("ada", "Ada"), ("bob", "Bob"), ("eve", "Eve")):
        gk.join(user, name=name)
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    gk.mentorship.offer("ada", topics=["python", "flask"], languages=["en"], timezone="Europe/Berlin", capacity=2)
    return MentorshipSite(client, gk)


def labelled(html: str) -> None:
    """Every visible form field has a <label for=...>."""
    fields = re.findall(r"<(input|textarea|select)\b([^>]*)>", html)
    for tag, attributes in fields:
        if 'type="hidden"' in attributes:
            continue
        found = re.search(r'id="([^"]+)"', attributes)
        assert found, f"<{tag}{attributes}> has no id"
        assert f'<label for="{found.group(1)}">' in html, f"no label for {found.group(1)}"


def test_find_a_mentor_ranks_with_reasons(site: MentorshipSite) -> None:
    site.gk.mentorship.offer("eve", topics=["rust"], languages=["de"], timezone="Asia/Tokyo")
    html = site.get("/mentors?topics=python&language=en&timezone=Europe/Paris")
    assert html.index("Ask Ada to mentor you") < html.index("Ask Eve to mentor you")
    assert "1 shared topic (python)" in html and "same time zone" in html and "speaks English" in html
    assert 'href="/community/mentors/ada#request"' in html
    labelled(html)
    html = site.get("/mentors?timezone=Moon/Base", status=422)
    assert "Your time zone must be an IANA time zone" in html and 'aria-invalid="true"' in html
    assert 'value="Moon/Base"' in html and "<title>Error: Find a mentor" in html
    assert "Ada" not in site.get("/mentors", user="ada").split("<main")[1]  # never suggested to oneself


def test_mentor_profile_for_each_visitor(site: MentorshipSite) -> None:
    anonymous = site.get("/mentors/ada")
    assert "Free mentee slots" in anonymous and "2 of 2" in anonymous
    assert "Sign in to ask Ada" in anonymous and "csrf_token" not in anonymous
    other = site.get("/mentors/ada", user="bob")
    assert "Ask Ada to mentor you" in other and 'name="csrf_token"' in other
    labelled(other)
    owner = site.get("/mentors/ada", user="ada")
    assert "Your mentor profile" in owner and 'value="python, flask"' in owner and "Send request" not in owner
    labelled(owner)
    assert "Offer to mentor" in site.get("/mentors/bob", user="bob")
    site.get("/mentors/bob", user="ada", status=404)
    site.get("/mentors/nobody", status=404)


def test_offer_update_and_opt_out_through_the_form(site: MentorshipSite) -> None:
    for data in ({}, {"csrf_token": "forged"}):
        assert site.post("/mentors/bob", {**PROFILE, **data}, user="bob", csrf=False).status_code == 400
    site.submit("/mentors/bob", PROFILE, user="eve", status=403)
    response = site.submit("/mentors/bob", PROFILE, user="bob")
    assert response.headers["Location"] == "/community/mentors/bob?done=saved"
    assert "Your mentor profile was saved." in site.get("/mentors/bob?done=saved", user="bob")
    assert site.gk.mentorship.profile("bob").pitch == "Ask me about tests"
    html = site.submit("/mentors/bob", {**PROFILE, "timezone": "Nowhere"}, user="bob", status=422).get_data(
        as_text=True
    )
    assert "Time zone must be an IANA time zone" in html and 'value="Nowhere"' in html
    site.submit("/mentors/bob", {**PROFILE, "open": ""}, user="bob")
    assert site.gk.mentorship.profile("bob").open is False
    site.get("/mentors/bob", user="ada", status=404)


def test_request_inbox_accept_and_decline(site: MentorshipSite) -> None:
    response = site.submit("/mentors/ada/request", {"goals": "Learn testing", "topics": "python"}, user="bob")
    mentorship_id = int(response.headers["Location"].split("/")[-1].split("?")[0])
    assert "Your request was sent." in site.get(f"/mentorships/{mentorship_id}?done=requested", user="bob")
    html = site.submit("/mentors/ada/request", {"goals": ""}, user="eve", status=422).get_data(as_text=True)
    assert "Your goals must not be empty" in html
    site.submit("/mentors/ada/request", {"goals": "Me too"}, user="eve")
    inbox = site.get("/mentorships/inbox", user="ada")
    assert "Learn testing" in inbox and "Me too" in inbox
    labelled(inbox)
    html = site.submit(
        f"/mentorships/{mentorship_id}/decline", {"reason": "", "next": "inbox"}, user="ada", status=422
    ).get_data(as_text=True)
    assert "Reason for declining must not be empty" in html
    assert f'id="gk-error-decline-{mentorship_id}-reason"' in html
    response = site.submit(f"/mentorships/{mentorship_id}/accept", {"next": "inbox"}, user="ada")
    assert response.headers["Location"] == "/community/mentorships/inbox?done=accept"
    html = site.submit(f"/mentorships/{mentorship_id}/accept", {}, user="ada", status=409).get_data(as_text=True)
    assert "Cannot accept a mentorship that is accepted" in html
    other = site.gk.mentorship.inbox("ada")[0].id
    site.submit(f"/mentorships/{other}/decline", {"reason": "Full this month", "next": "inbox"}, user="ada")
    assert "No requests are waiting for you." in site.get("/mentorships/inbox?done=decline", user="ada")
    assert "Ended" not in site.get(f"/mentorships/{other}", user="eve").split("<main")[0]
    assert "Full this month" in site.get(f"/mentorships/{other}", user="eve")


def test_a_whole_mentorship_through_the_pages(site: MentorshipSite) -> None:
    made = site.gk.mentorship.request("bob", "ada", goals="Ship a library")
    path = f"/mentorships/{made.id}"
    site.submit(f"{path}/accept", {}, user="ada")
    page = site.get(path, user="bob")
    assert "Start the mentorship" in page and "Add check-in" in page
    labelled(page)
    html = site.submit(f"{path}/check-in", {"on": "soon", "notes": "x"}, user="bob", status=422).get_data(as_text=True)
    assert "Meeting date must be a date" in html and ">x</textarea>" in html
    site.submit(f"{path}/check-in", {"on": "2026-01-05", "notes": "Planned the API"}, user="bob")
    assert site.gk.mentorship.get(made.id, "ada").state == "active"
    site.submit(f"{path}/complete", {}, user="ada")
    assert "Waiting for Bob to confirm it is complete." in site.get(path, user="ada")
    site.submit(f"{path}/complete", {}, user="bob")
    done = site.get(f"{path}?done=complete", user="bob")
    assert "Completed" in done and "Send feedback" in done
    site.submit(f"{path}/feedback", {"rating": "5", "comment": "Great help"}, user="bob")
    html = site.get(path, user="ada")
    assert "5 out of 5" in html and "Great help" in html
    mine = site.get("/mentorships", user="ada")
    assert "With Bob" in mine and "Completed" in mine


def test_only_the_pair_and_moderators_see_check_in_notes(site: MentorshipSite) -> None:
    made = site.gk.mentorship.request("bob", "ada", goals="Learn")
    site.gk.mentorship.accept(made.id, "ada")
    site.gk.mentorship.check_in(made.id, "ada", on=site.gk.clock().date(), notes="private notes here")
    for viewer in ("ada", "bob", "mo"):
        assert "private notes here" in site.get(f"/mentorships/{made.id}", user=viewer)
    assert "private notes here" not in site.get(f"/mentorships/{made.id}", user="eve", status=403)
    assert "private notes here" not in site.get(f"/mentorships/{made.id}", status=401)
    site.submit(f"/mentorships/{made.id}/check-in", {"on": "2026-01-05", "notes": "sneaky"}, user="eve", status=403)
    site.get("/mentorships/99999", user="ada", status=404)
    site.get("/mentorships/not-a-number", user="ada", status=404)
    site.get("/mentorships/99999999999999999999", user="ada", status=404)
    assert "End the mentorship" in site.get(f"/mentorships/{made.id}", user="mo")
    site.submit(f"/mentorships/{made.id}/end", {"reason": "Conduct"}, user="mo")
    assert site.gk.mentorship.get(made.id, "ada").state == "ended"


def test_pages_need_a_person_and_forms_need_the_token(site: MentorshipSite) -> None:
    assert "Sign in to see your mentorships" in site.get("/mentorships", status=401)
    site.get("/mentorships/inbox", status=401)
    made = site.gk.mentorship.request("bob", "ada", goals="Learn")
    for data in ({}, {"csrf_token": "forged"}):
        response = site.post(f"/mentorships/{made.id}/accept", data, user="ada", csrf=False)
        assert response.status_code == 400 and "security token" in response.get_data(as_text=True)
    assert site.gk.mentorship.get(made.id, "ada").state == "requested"
    site.submit(f"/mentorships/{made.id}/dance", {}, user="ada", status=404)


def test_without_secret_key_forms_say_so(site: MentorshipSite, gk_app: Flask) -> None:
    made = site.gk.mentorship.request("bob", "ada", goals="Learn")
    gk_app.secret_key = None
    html = site.get(f"/mentorships/{made.id}", user="ada")
    assert "SECRET_KEY" in html and "csrf_token" not in html
    assert site.post(f"/mentorships/{made.id}/accept", {"csrf_token": "x"}, user="ada", csrf=False).status_code == 400


def test_user_text_is_escaped(site: MentorshipSite) -> None:
    site.gk.mentorship.offer("eve", topics=[SCRIPT], languages=["en"], timezone="UTC", pitch=SCRIPT, capacity=2)
    made = site.gk.mentorship.request("bob", "eve", goals=SCRIPT, message=SCRIPT)
    site.gk.mentorship.accept(made.id, "eve")
    site.gk.mentorship.check_in(made.id, "bob", on=site.gk.clock().date(), notes=SCRIPT)
    for path, user in (("/mentors/eve", None), ("/mentors", None), (f"/mentorships/{made.id}", "eve")):
        html = site.get(path, user=user)
        assert SCRIPT not in html and SCRIPT_ESCAPED in html
