"""Data rights (``gk.privacy``): erasing a member with a history in every feature leaves no trace of
their name, host id or words in any table, keeps every ledger whole, and can be undone by nothing;
the export holds every section; the leaderboard opt-out."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from guildkit import FORMER_MEMBER, Erasure, GuildKit, PrivacyHookFailed, UserInfo, hookimpl, leaderboards
from guildkit.errors import Conflict, UnknownMember, ValidationError
from guildkit.mentorship.models import MentorProfile
from guildkit.models import AuditRecord, Balance, HookFailure, LedgerEntry, Member, Notification
from guildkit.privacy import FORMAT, FORMAT_VERSION
from guildkit.testing import Clock

ERIN = "erin-7f3a9"
NAME = "Erin Quillfeather"
HOST_NAME = "E. Quillfeather"
#: Free text Erin writes, one distinct string per column that takes it.
WROTE = {
    "pitch": "Pitch-zebra-41",
    "availability": "Avail-walrus-17",
    "goals": "Goals-otter-88",
    "message": "Message-heron-19",
    "notes": "Notes-lynx-23",
    "feedback": "Feedback-ibis-55",
    "decline": "Decline-newt-63",
    "report": "Report-yak-71",
    "appeal": "Appeal-gnu-85",
    "statement": "Statement-koi-39",
    "survey": "Survey-emu-12",
    "payload": "Payload-crow-77",
    "kudos": "Kudos-puffin-31",
    "nomination": "Nomination-wren-47",
}
NEEDLES = (ERIN, NAME, "Quillfeather", *WROTE.values())

REPUTATION = leaderboards.Board("reputation", "all", 0, None)


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_MENTOR_MIN_DAYS": 0}


def people(gk: GuildKit) -> None:
    @gk.user_info_loader
    def info(user_id: str) -> UserInfo | None:
        return UserInfo(name=HOST_NAME) if user_id == ERIN else None

    gk.join(ERIN, name=NAME)
    for user, name in (("bob", "Bob"), ("ada", "Ada"), ("cy", "Cy"), ("mo", "Mo"), ("di", "Di"), ("adm", "Adm")):
        gk.join(user, name=name)
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    gk.award("di", role="moderator", reason="elected", key="staff:di")
    gk.award("adm", role="admin", reason="founder", key="staff:adm")


def history(gk: GuildKit, clock: Clock) -> dict[str, Any]:
    """Erin takes part in everything; returns the ids the assertions need."""
    people(gk)
    ids: dict[str, Any] = {}
    # Points, badges and distinct counters: both ways, with Erin's id in keys and a payload.
    gk.record("answer.posted", actor=ERIN, subject="answer:1", key=f"post:{ERIN}:1")
    for n, voter in enumerate(("bob", "ada", "cy")):
        gk.record("answer.upvoted", actor=voter, target=ERIN, subject="answer:1", key=f"up:{voter}:{n}")
    payload = {"note": f"{WROTE['payload']} from {ERIN}", "score": 3}
    gk.record("answer.upvoted", actor=ERIN, target="bob", subject="answer:7", key=f"up:{ERIN}:7", payload=payload)
    gk.award(ERIN, role="trusted", reason=f"Trusted: {NAME}", by="adm", key="grant:trusted")
    gk.trust.set_level(ERIN, 2, reason=f"{NAME} is reliable", by="adm")

    # Mentorship: Erin mentors Bob to the end, asks Ada, declines Cy.
    ms = gk.mentorship
    ms.offer(
        ERIN,
        topics=["python"],
        languages=["en"],
        timezone="UTC",
        capacity=3,
        pitch=WROTE["pitch"],
        availability=WROTE["availability"],
    )
    ms.offer("ada", topics=["python"], languages=["en"], timezone="UTC", capacity=2)
    done = ms.request("bob", ERIN, goals="learn flask").id
    ms.accept(done, ERIN)
    ms.check_in(done, ERIN, on=date(2026, 1, 5), notes=WROTE["notes"])
    ms.complete(done, ERIN)
    ms.complete(done, "bob")
    ms.feedback(done, ERIN, rating=5, comment=WROTE["feedback"])
    ids["asked_ada"] = ms.request(ERIN, "ada", goals=WROTE["goals"], message=WROTE["message"]).id
    ms.accept(ids["asked_ada"], "ada")
    declined = ms.request("cy", ERIN, goals="learn sql").id
    ms.decline(declined, ERIN, WROTE["decline"])

    # Events: Erin takes the only place; Cy waits.
    start = clock.now + timedelta(days=7)
    event = gk.events.create(
        "ada",
        title="Meetup",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        timezone="UTC",
        online=True,
        capacity=1,
    )
    ids["event"] = event.id
    gk.events.rsvp(event.id, ERIN, "going")
    assert gk.events.rsvp(event.id, "cy", "going").status == "waitlisted"

    # Moderation: Erin reports Bob; Bob reports Erin (by name); a warning, an appeal, a mediation.
    gk.moderation.report(ERIN, subject="answer:9", user_id="bob", category="spam", comment=WROTE["report"])
    about = gk.moderation.report(
        "bob", subject=f"profile:{ERIN}", user_id=ERIN, category="harassment", comment=f"{NAME} was rude"
    )
    gk.moderation.add_note("mo", about.case_id, f"Talked to {NAME}")
    gk.moderation.resolve("mo", about.case_id, action="warn", reason=f"{NAME}, be kind")
    sanction = gk.moderation.sanctions(ERIN)[0]
    gk.moderation.appeal(ERIN, statement=WROTE["appeal"], sanction_id=sanction.id)
    again = gk.moderation.report("bob", subject="answer:2", user_id=ERIN, category="other", comment="again")
    mediation = gk.moderation.start_mediation("mo", again.case_id)
    gk.moderation.add_statement(ERIN, mediation.id, WROTE["statement"])
    gk.moderation.add_statement("bob", mediation.id, f"I think {NAME} means well")

    # Kudos: Erin thanks Bob in her words (under a key naming her); Ada thanks Erin by name.
    gk.kudos.give(ERIN, "bob", WROTE["kudos"], key=f"thanks-from-{ERIN}")
    gk.kudos.give("ada", ERIN, f"Thanks {NAME}!")

    # Groups, nominations: Erin joins a team; nominates Bob in her words; Ada nominates Erin by name.
    team = gk.groups.create(None, name="Reviewers", policy="open")  # by the host
    gk.groups.join(team.id, ERIN)
    champion = gk.nominations.badges()[0].badge
    gk.nominations.nominate(ERIN, "bob", badge=champion, reason=WROTE["nomination"])
    gk.nominations.nominate("ada", ERIN, badge=champion, reason=f"{NAME} helps everyone")

    # Guidelines, a survey, an API token made by an admin (audited).
    version = gk.guidelines.publish("adm", title="Be kind", body="Be kind.")
    gk.guidelines.accept(ERIN, version.version)
    survey = gk.analytics.surveys.open(None, kind="csat", question="Happy?", closes_at=clock.now + timedelta(days=3))
    gk.analytics.surveys.respond(ERIN, survey.id, 5, WROTE["survey"])
    return ids


def text_columns(engine: sa.Engine) -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every text or JSON column of every guildkit table in the database, plugins' included."""
    metadata = sa.MetaData()
    metadata.reflect(engine, only=lambda name, _: name.startswith("guildkit_"))
    return [
        (table, column)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String | sa.Text | sa.JSON)
    ]


def traces(engine: sa.Engine, needles: tuple[str, ...]) -> list[str]:
    """``table.column: needle`` for each needle found anywhere."""
    found = []
    columns = text_columns(engine)
    assert len(columns) > 80  # every feature's tables were searched
    with engine.connect() as conn:
        for table, column in columns:
            text = sa.cast(column, sa.Text)
            for needle in needles:
                if conn.scalar(sa.select(sa.func.count()).select_from(table).where(text.contains(needle))):
                    found.append(f"{table.name}.{column.name}: {needle}")
    return found


def ledgers_add_up(gk: GuildKit) -> None:
    """Every member's ledger, per point type, sums to their balance."""
    total = sa.func.sum(LedgerEntry.amount)
    by_type = (LedgerEntry.member_id, LedgerEntry.point_type)
    with gk.store.engine.connect() as conn:
        sums = {(m, t): int(n) for m, t, n in conn.execute(sa.select(*by_type, total).group_by(*by_type))}
        balances = {
            (m, t): b for m, t, b in conn.execute(sa.select(Balance.member_id, Balance.point_type, Balance.balance))
        }
    assert sums == balances


def test_erasing_leaves_no_trace_and_every_ledger_whole(gk: GuildKit, gk_clock: Clock) -> None:
    ids = history(gk, gk_clock)
    erin = gk.member(ERIN)
    assert set(traces(gk.store.engine, NEEDLES)) >= {
        f"guildkit_mentor_profiles.pitch: {WROTE['pitch']}",
        f"guildkit_reports.comment: {WROTE['report']}",
        "guildkit_members.display_name: Erin Quillfeather",
    }
    balances = {user: gk.balances(user) for user in ("bob", "ada", "cy")}
    ledgers_add_up(gk)

    erased = gk.privacy.erase(ERIN, confirm=True, via="account-deletion", reason=f"request from {NAME}")

    assert traces(gk.store.engine, NEEDLES) == []
    ledgers_add_up(gk)
    assert {user: gk.balances(user) for user in ("bob", "ada", "cy")} == balances  # nobody lost a point
    row = gk.member(erased.tombstone)
    assert (row.id, row.status, row.display_name) == (erin.id, "deleted", FORMER_MEMBER)
    assert erased.tombstone.startswith("erased:") and len(erased.tombstone) == 31
    assert gk.balances(erased.tombstone)["reputation"] > 0  # their ledger stays, and adds up
    assert set(erased.plugins) == {
        "guildkit.trust",
        "guildkit.mentorship",
        "guildkit.events",
        "guildkit.moderation",
        "guildkit.analytics",
        "guildkit.ingest",
        "guildkit.notifications",
        "guildkit.kudos",
        "guildkit.groups",
        "guildkit.nominations",
        "guildkit.objectives",
        "guildkit.streaks",
        "guildkit.titles",
    }
    with pytest.raises(UnknownMember):
        gk.member(ERIN)

    # Audited, with the tombstone; the earlier audit rows about Erin name the tombstone too.
    entry = gk.audit_log(area="privacy")[0]
    assert (entry.action, entry.actor, entry.target) == (
        "member.erase",
        "account-deletion",
        f"member:{erased.tombstone}",
    )
    assert entry.reason == f"request from {FORMER_MEMBER}"
    assert {e.target for e in gk.audit_log(area="moderation") if e.member == erased.tombstone} == {
        f"member:{erased.tombstone}"
    }

    # What they left open is closed: the waitlist moves up, Ada's mentee slot comes back.
    assert gk.events.rsvp_of(ids["event"], "cy").status == "going"
    assert gk.events.rsvp_of(ids["event"], erased.tombstone) is None
    assert gk.mentorship.get(ids["asked_ada"], "ada").state == "ended"
    assert gk.mentorship.profile("ada").active_count == 0
    taken = sa.select(MentorProfile.taken).join(Member, Member.id == MentorProfile.member_id)
    assert gk.session.scalar(taken.where(Member.user_id == "ada")) == 0
    mentee_told = gk.session.scalars(sa.select(Notification.text).where(Notification.member_id == gk.member("ada").id))
    assert f"Mentorship #{ids['asked_ada']} is over: the other member left the community." in list(mentee_told)
    bob_told = gk.session.scalars(sa.select(Notification.text).where(Notification.member_id == gk.member("bob").id))
    assert f"{FORMER_MEMBER} accepted your mentorship request." in list(bob_told)
    assert gk.roles(erased.tombstone) == []
    assert gk.trust.level(erased.tombstone) == 0
    points = leaderboards.standings(gk.session, REPUTATION, 50, None)
    assert erin.id not in {s.member_id for s in points}


def test_an_erased_member_is_a_former_member_and_the_host_id_can_join_again(gk: GuildKit, gk_clock: Clock) -> None:
    people(gk)
    gk.record("answer.upvoted", actor="bob", target=ERIN, subject="answer:1", key="up:1")
    erased = gk.privacy.erase(ERIN, confirm=ERIN)
    assert gk.member(erased.tombstone).display_name == FORMER_MEMBER
    # Stored in the source language, read in the reader's (wherever a name is read).
    gk.session.expire_all()
    with force_locale("de"):
        assert gk.member(erased.tombstone).display_name == "Ein ehemaliges Mitglied"
        named = sa.select(Member.display_name).where(Member.user_id == erased.tombstone)
        assert gk.session.scalar(named) == "Ein ehemaliges Mitglied"
    with gk.store.engine.connect() as conn:
        raw = sa.text("SELECT display_name FROM guildkit_members WHERE user_id = :u")
        assert conn.scalar(raw, {"u": erased.tombstone}) == FORMER_MEMBER

    again = gk.join(ERIN, name="Someone new")
    assert again.id != erased.member_id
    assert gk.balances(ERIN) == {}
    assert gk.balances(erased.tombstone) == {"reputation": 10}
    gk.record("answer.upvoted", actor="bob", target=ERIN, subject="answer:2", key="up:2")
    assert gk.balances(ERIN) == {"reputation": 10}
    ledgers_add_up(gk)


def test_erasing_needs_confirmation_and_happens_once(gk: GuildKit) -> None:
    people(gk)
    for confirm in (False, "bob", "yes", 1):
        with pytest.raises(ValidationError) as caught:
            gk.privacy.erase(ERIN, confirm=confirm)  # type: ignore[arg-type]
        assert caught.value.field == "confirm"
    assert gk.member(ERIN).display_name == NAME
    with pytest.raises(UnknownMember):
        gk.privacy.erase("nobody", confirm=True)
    erased = gk.privacy.erase(ERIN, confirm=True)
    with pytest.raises(UnknownMember):
        gk.privacy.erase(ERIN, confirm=True)
    with pytest.raises(Conflict):
        gk.privacy.erase(erased.tombstone, confirm=True)


def test_only_admins_erase_as_staff(gk: GuildKit) -> None:
    people(gk)
    with pytest.raises(PermissionError):
        gk.privacy.erase(ERIN, confirm=True, by="bob")
    erased = gk.privacy.erase(ERIN, confirm=True, by="adm")
    assert gk.audit_log(area="privacy")[0].actor == "adm"
    assert erased.member_id == gk.member(erased.tombstone).id


class Failing:
    """A third-party plugin whose erase fails half way."""

    @hookimpl
    def guildkit_member_erase(self, gk: GuildKit, erasure: Erasure) -> None:
        erasure.conn.execute(sa.update(Member).where(Member.id == erasure.member_id).values(display_name="half"))
        raise RuntimeError("the outbox is down")


def test_a_failing_plugin_aborts_the_whole_erasure_and_is_named(gk: GuildKit, gk_clock: Clock) -> None:
    history(gk, gk_clock)
    before = traces(gk.store.engine, NEEDLES)
    gk.register(Failing(), name="outbox")
    with pytest.raises(PrivacyHookFailed) as caught:
        gk.privacy.erase(ERIN, confirm=True)
    assert caught.value.plugin == "outbox" and caught.value.hook == "guildkit_member_erase"
    assert "the outbox is down" in str(caught.value)
    gk.session.expire_all()
    assert gk.member(ERIN).display_name == NAME and gk.member(ERIN).status == "active"
    assert traces(gk.store.engine, NEEDLES) == before  # not one row changed
    assert gk.audit_log(area="privacy") == []
    failure = gk.session.scalars(sa.select(HookFailure).order_by(HookFailure.id.desc())).first()
    assert failure is not None and (failure.plugin, failure.hook) == ("outbox", "guildkit_member_erase")


class Outbox:
    """A third-party plugin holding a member's data: it exports and erases its part."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}

    @hookimpl
    def guildkit_member_export(self, gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any] | None:
        found = self.rows.get(member.user_id)
        return None if found is None else {"outbox": {"queued": [found], "when": date(2026, 1, 5)}}

    @hookimpl
    def guildkit_member_erase(self, gk: GuildKit, erasure: Erasure) -> None:
        if erasure.user_id in self.rows:
            self.rows[erasure.tombstone] = erasure.scrub(self.rows.pop(erasure.user_id))


def test_plugins_export_and_erase_their_part(gk: GuildKit) -> None:
    people(gk)
    outbox = Outbox()
    outbox.rows[ERIN] = f"hello {NAME} ({ERIN})"
    gk.register(outbox, name="outbox")
    document = gk.privacy.export(ERIN)
    assert document["plugins"]["outbox"] == {"queued": [f"hello {NAME} ({ERIN})"], "when": "2026-01-05"}
    assert "outbox" not in gk.privacy.export("bob")["plugins"]
    erased = gk.privacy.erase(ERIN, confirm=True)
    assert outbox.rows == {erased.tombstone: f"hello {FORMER_MEMBER} ({erased.tombstone})"}
    assert "outbox" in erased.plugins


class BadExport:
    @hookimpl
    def guildkit_member_export(self, gk: GuildKit, member: Member, conn: sa.Connection) -> Any:
        return ["not", "a", "mapping"]


class RaisingExport:
    @hookimpl
    def guildkit_member_export(self, gk: GuildKit, member: Member, conn: sa.Connection) -> Any:
        raise LookupError("no such mailbox")


@pytest.mark.parametrize("plugin", [BadExport(), RaisingExport()], ids=["bad-result", "raises"])
def test_a_failing_export_plugin_fails_the_export(gk: GuildKit, plugin: object) -> None:
    people(gk)
    gk.register(plugin, name="broken")
    with pytest.raises(PrivacyHookFailed) as caught:
        gk.privacy.export(ERIN)
    assert caught.value.plugin == "broken" and caught.value.hook == "guildkit_member_export"


def test_the_export_holds_every_section_and_round_trips(gk: GuildKit, gk_clock: Clock) -> None:
    history(gk, gk_clock)
    document = gk.privacy.export(ERIN)
    assert json.loads(json.dumps(document)) == document
    assert (document["format"], document["version"]) == (FORMAT, FORMAT_VERSION)
    assert document["exported_at"] == gk_clock.now.isoformat()
    assert set(document) == {
        "format",
        "version",
        "exported_at",
        "member",
        "roles",
        "balances",
        "ledger",
        "badges",
        "activities",
        "notifications",
        "staff_actions",
        "plugins",
    }
    assert document["member"] == {
        "user_id": ERIN,
        "display_name": NAME,
        "status": "active",
        "joined_at": gk.member(ERIN).joined_at.isoformat(),
        "leaderboard_opt_out": False,
    }
    assert {r["role"] for r in document["roles"]} == {"trusted"}
    assert sum(e["amount"] for e in document["ledger"] if e["point_type"] == "reputation") == gk.balance(
        ERIN, "reputation"
    )
    assert {b["badge"] for b in document["badges"]} >= {"first-answer"}
    roles = {(a["key"], a["as"]) for a in document["activities"]}
    assert (f"post:{ERIN}:1", "actor") in roles and ("up:bob:0", "target") in roles
    assert any(a["payload"].get("note", "").startswith(WROTE["payload"]) for a in document["activities"])
    assert document["notifications"] and all("text" in n for n in document["notifications"])
    assert {a["action"] for a in document["staff_actions"]} >= {"warn", "appeal"}
    assert all(set(a) == {"area", "action", "reason", "at"} for a in document["staff_actions"])

    plugins = document["plugins"]
    assert set(plugins) == {
        "trust", "mentorship", "events", "guidelines", "moderation", "analytics", "kudos", "groups", "nominations",
    }  # fmt: skip
    assert [k["message"] for k in plugins["kudos"]["given"]] == [WROTE["kudos"]]
    assert [n["reason"] for n in plugins["nominations"]["made"]] == [WROTE["nomination"]]
    assert plugins["trust"]["level"] == 2
    assert plugins["mentorship"]["profile"]["pitch"] == WROTE["pitch"]
    assert {m["role"] for m in plugins["mentorship"]["mentorships"]} == {"mentor", "mentee"}
    assert [c["notes"] for c in plugins["mentorship"]["check_ins"]] == [WROTE["notes"]]
    assert [f["comment"] for f in plugins["mentorship"]["feedback_given"]] == [WROTE["feedback"]]
    assert [r["status"] for r in plugins["events"]["rsvps"]] == ["going"]
    assert [a["version"] for a in plugins["guidelines"]["accepted"]] == [1]
    assert [r["comment"] for r in plugins["analytics"]["survey_responses"]] == [WROTE["survey"]]
    moderation = plugins["moderation"]
    # The report Erin made, not the ones about her, and no reporter's identity anywhere.
    assert [r["comment"] for r in moderation["reports_made"]] == [WROTE["report"]]
    assert f"{NAME} was rude" not in json.dumps(document)
    assert [a["statement"] for a in moderation["appeals"]] == [WROTE["appeal"]]
    assert [s["kind"] for s in moderation["sanctions"]] == ["warn"]
    assert [s["body"] for s in moderation["mediation_statements"]] == [WROTE["statement"]]
    assert all("reporter" not in json.dumps(r) for r in moderation["reports_made"])


def test_an_erased_members_export_holds_nothing_of_them(gk: GuildKit, gk_clock: Clock) -> None:
    history(gk, gk_clock)
    erased = gk.privacy.erase(ERIN, confirm=True)
    text = json.dumps(gk.privacy.export(erased.tombstone))
    assert not [needle for needle in NEEDLES if needle in text]


def test_opted_out_members_leave_every_board_and_rank_but_see_their_own(gk: GuildKit) -> None:
    for n, user in enumerate(("ann", "bob", "cy")):
        for vote in range(3 - n):
            gk.record("answer.upvoted", actor=f"v{vote}", target=user, subject="answer:1", key=f"up:{user}:{vote}")

    def board() -> list[tuple[str, int]]:
        return [(s.user_id, s.rank) for s in leaderboards.standings(gk.session, REPUTATION, 50, None)]

    assert board()[:3] == [("ann", 1), ("bob", 2), ("cy", 3)]
    assert gk.privacy.leaderboard_opt_out("ann") is False
    assert gk.privacy.set_leaderboard_opt_out("ann", True) is True
    assert gk.privacy.leaderboard_opt_out("ann") is True
    assert [pair for pair in board() if pair[0] in ("ann", "bob", "cy")] == [("bob", 1), ("cy", 2)]
    week = leaderboards.Board.of("reputation", "week", gk.clock(), gk.state.zone)
    assert "bob" in {s.user_id for s in leaderboards.standings(gk.session, week, 50, None)}
    assert "ann" not in {s.user_id for s in leaderboards.standings(gk.session, week, 50, None)}
    mine = leaderboards.standing_of(gk.session, REPUTATION, gk.member("ann"))
    assert (mine.rank, mine.points) == (1, 30)  # where she would be, among those shown
    assert leaderboards.standing_of(gk.session, REPUTATION, gk.member("cy")).rank == 2
    gk.privacy.set_leaderboard_opt_out("ann", False)
    assert board()[:3] == [("ann", 1), ("bob", 2), ("cy", 3)]


def test_opting_out_before_joining_makes_a_member_and_holds(gk: GuildKit) -> None:
    assert gk.privacy.leaderboard_opt_out("newbie") is False
    gk.privacy.set_leaderboard_opt_out("newbie", True)
    gk.record("answer.upvoted", actor="v", target="newbie", subject="answer:1", key="up:1")
    assert gk.member("newbie").leaderboard_opt_out is True
    assert leaderboards.standings(gk.session, REPUTATION, 50, None) == []
    with pytest.raises(ValidationError):
        gk.privacy.set_leaderboard_opt_out("newbie", "yes")  # type: ignore[arg-type]


def test_scrub_replaces_whole_ids_names_and_what_they_wrote(gk: GuildKit) -> None:
    def scrub(text: str, *written: str) -> str:
        return gk.transaction(
            lambda tx: Erasure(gk, tx, 1, "user-1", "erased:x", ("Ann Lee", "A")).scrub(text, *written)
        )

    assert scrub("guildkit.joined:user-1") == "guildkit.joined:erased:x"
    assert scrub("user-10 and xuser-1 and user-1.") == "user-10 and xuser-1 and erased:x."
    assert scrub("Ann Lee said hi to Ann Leeds") == f"{FORMER_MEMBER} said hi to Ann Leeds"
    assert scrub("A name that short is a word") == "A name that short is a word"
    assert scrub("Ann Lee declined: too busy, not now", "too busy") == f"{FORMER_MEMBER} declined: [removed], not now"
    assert scrub("nothing to see", "no") == "nothing to see"


def test_the_audit_row_of_an_erasure_is_the_only_privacy_row(gk: GuildKit) -> None:
    people(gk)
    gk.privacy.erase(ERIN, confirm=True, via="cli")
    rows = gk.session.scalars(sa.select(AuditRecord).where(AuditRecord.area == "privacy")).all()
    assert len(rows) == 1 and rows[0].details["plugins"]
