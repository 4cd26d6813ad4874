"""Satisfaction surveys: who may open and close them, answering once while open, the score range
(in code and in the database), a concurrent double submit, and CSAT/NPS results."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from guildkit import GuildKit
from guildkit.analytics.errors import AlreadyAnswered, UnknownSurvey
from guildkit.analytics.surveys import RESPONSES
from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.testing import Clock, Members

LATER = datetime(2026, 2, 1, tzinfo=UTC)


def test_managers_open_and_close(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    admin, ann = gk_members(roles=["admin"]), gk_members()
    surveys = gk.analytics.surveys
    with pytest.raises(NotAllowed):
        surveys.open(ann, kind="csat", question="Happy?", closes_at=LATER)
    for bad, field in (
        ({"kind": "stars"}, "kind"),
        ({"question": ""}, "question"),
        ({"closes_at": gk_clock.now}, "closes_at"),
        ({"closes_at": datetime(2026, 2, 1)}, "closes_at"),
    ):
        arguments = {"kind": "csat", "question": "Happy?", "closes_at": LATER, **bad}
        with pytest.raises(ValidationError) as caught:
            surveys.open(admin, **arguments)  # type: ignore[arg-type]
        assert caught.value.field == field
    survey = surveys.open(admin, kind="csat", question="Happy?", closes_at=LATER)
    assert (survey.state, survey.created_by, list(survey.scale)) == ("open", admin, [1, 2, 3, 4, 5])
    scheduled = surveys.open(None, kind="nps", question="Recommend?", opens_at=LATER, closes_at=LATER + timedelta(7))
    assert scheduled.state == "scheduled" and scheduled.created_by is None
    with pytest.raises(InvalidTransition):
        surveys.close(admin, scheduled.id)
    with pytest.raises(NotAllowed):
        surveys.close(ann, survey.id)
    with pytest.raises(UnknownSurvey):
        surveys.close(admin, 999)
    gk_clock.advance(hours=1)
    closed = surveys.close(admin, survey.id)
    assert (closed.state, closed.closes_at) == ("closed", gk_clock.now)
    with pytest.raises(InvalidTransition):
        surveys.close(admin, survey.id)


def test_answer_once_while_open_within_the_scale(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    ann, bob = gk_members(), gk_members()
    surveys = gk.analytics.surveys
    csat = surveys.open(None, kind="csat", question="Happy?", closes_at=gk_clock.now + timedelta(days=1))
    assert [s.id for s in surveys.open_for(ann)] == [csat.id]
    for score in (0, 6, True):
        with pytest.raises(ValidationError) as caught:
            surveys.respond(ann, csat.id, score)  # type: ignore[arg-type]
        assert caught.value.field == "score"
    answer = surveys.respond(ann, csat.id, 4, "nice")
    assert (answer.score, answer.comment) == (4, "nice")
    with pytest.raises(AlreadyAnswered):
        surveys.respond(ann, csat.id, 5)
    assert surveys.open_for(ann) == [] and surveys.answer(csat.id, ann) is not None
    with pytest.raises(UnknownSurvey):
        surveys.respond(ann, 999, 3)
    gk_clock.advance(days=1)
    with pytest.raises(InvalidTransition):
        surveys.respond(bob, csat.id, 3)  # closed
    later = surveys.open(
        None, kind="nps", question="Recommend?", opens_at=gk_clock.now + timedelta(hours=1), closes_at=LATER
    )
    with pytest.raises(InvalidTransition):
        surveys.respond(bob, later.id, 9)  # not open yet
    assert surveys.open_for(bob) == []


def test_the_database_refuses_a_score_outside_the_scale_and_a_second_row(
    gk: GuildKit, gk_members: Members, gk_backend: str
) -> None:
    ann, bob = gk_members(), gk_members()
    survey = gk.analytics.surveys.open(None, kind="csat", question="Happy?", closes_at=LATER)
    gk.analytics.surveys.respond(ann, survey.id, 5)
    bob_id = gk.member(bob).id
    member_id = gk.member(ann).id
    row = {"survey_id": survey.id, "kind": "csat", "member_id": member_id, "comment": "", "created_at": LATER}
    with pytest.raises(sa.exc.IntegrityError):  # 9 is an NPS score, not a CSAT one
        gk.store.run_write(lambda conn: conn.execute(sa.insert(RESPONSES), {**row, "score": 9, "member_id": bob_id}))
    if gk_backend != "sqlite-host":  # a host's SQLite may leave foreign keys off
        nps_row = {**row, "kind": "nps", "score": 9, "member_id": bob_id}
        with pytest.raises(sa.exc.IntegrityError):  # the kind must be the survey's (composite foreign key)
            gk.store.run_write(lambda conn: conn.execute(sa.insert(RESPONSES), nps_row))
    gk.store.run_write(lambda conn: conn.execute(sa.insert(RESPONSES), {**row, "score": 3, "member_id": bob_id}))
    with pytest.raises(sa.exc.IntegrityError):  # one response per member
        gk.store.run_write(lambda conn: conn.execute(sa.insert(RESPONSES), {**row, "score": 3}))
    assert gk.analytics.surveys.results(survey.id).counts == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}


def test_a_concurrent_double_submit_stores_one_row(gk: GuildKit, gk_members: Members, gk_app: object) -> None:
    ann = gk_members()
    survey = gk.analytics.surveys.open(None, kind="nps", question="Recommend?", closes_at=LATER)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def submit(score: int) -> None:
        with gk_app.app_context():  # type: ignore[attr-defined]
            barrier.wait()
            try:
                gk.analytics.surveys.respond(ann, survey.id, score)
                outcomes.append("stored")
            except AlreadyAnswered:
                outcomes.append("refused")

    threads = [threading.Thread(target=submit, args=(score,)) for score in (7, 8, 9, 10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "stored"]
    assert gk.analytics.surveys.results(survey.id).responses == 1


def test_csat_and_nps_results_over_time(gk: GuildKit, gk_members: Members, gk_clock: Clock) -> None:
    people = [gk_members() for _ in range(10)]
    surveys = gk.analytics.surveys
    csat = surveys.open(None, kind="csat", question="Happy?", closes_at=LATER)
    for person, score in zip(people, (5, 4, 4, 3, 1), strict=False):
        surveys.respond(person, csat.id, score)
    nps = surveys.open(None, kind="nps", question="Recommend?", closes_at=LATER)
    for person, score in zip(people, (10, 9, 9, 8, 7, 6, 0, 10), strict=False):
        surveys.respond(person, nps.id, score)
    result = surveys.results(csat.id)
    assert (result.responses, result.csat, result.nps, result.mean) == (5, 60.0, None, 3.4)
    assert result.counts == {1: 1, 2: 0, 3: 1, 4: 2, 5: 1}
    result = surveys.results(nps.id)
    # 4 promoters, 2 passives, 2 detractors of 8: (4 - 2) / 8 = 25.
    assert (result.promoters, result.passives, result.detractors, result.nps, result.csat) == (4, 2, 2, 25.0, None)
    assert result.mean == 7.38 and result.counts[0] == 1 and len(result.counts) == 11
    empty = surveys.open(None, kind="nps", question="Again?", closes_at=LATER)
    assert [(r.survey.id, r.nps) for r in surveys.history("nps")] == [(nps.id, 25.0), (empty.id, None)]
    assert [r.survey.id for r in surveys.history()] == [csat.id, nps.id, empty.id]
    with pytest.raises(ValidationError):
        surveys.history("stars")
