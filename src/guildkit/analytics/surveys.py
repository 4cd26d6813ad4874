"""Satisfaction surveys: ``gk.analytics.surveys``.

A manager (``surveys.manage``) opens a survey for a period: a CSAT survey asks for a score from 1
to 5, an NPS survey from 0 to 10. Members answer while it is open (``opens_at`` ≤ now <
``closes_at``), once each: the unique constraint on (survey, member) turns a double submit into
one row and :class:`~guildkit.AlreadyAnswered`, and a CHECK keeps scores in the scale.
A manager may close an open survey early.

Results of a survey:

* **CSAT**: responses scoring 4 or 5 ÷ all responses, as a percentage;
* **NPS**: % promoters (9-10) - % detractors (0-6), from -100 to 100 (passives score 7-8);
* the **mean** score and the **count per score** (every score of the scale, zeros included).

Percentages are rounded to one decimal, the mean to two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.analytics.errors import AlreadyAnswered, UnknownSurvey
from guildkit.analytics.models import SCORE_RANGES, SURVEY_KINDS, Survey, SurveyResponse
from guildkit.errors import FieldErrors, InvalidTransition, NotAllowed, ValidationError, check_fields
from guildkit.i18n import gettext as _
from guildkit.models import Member, table_of
from guildkit.store import upsert
from guildkit.text import check_text

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

SURVEYS = table_of(Survey)
RESPONSES = table_of(SurveyResponse)
MEMBERS = table_of(Member)
QUESTION_MAX = 500
COMMENT_MAX = 2000
#: The permission to open and close surveys (``admin`` has it too).
MANAGE = "surveys.manage"


@dataclass(frozen=True)
class SurveyView:
    id: int
    kind: str
    question: str
    opens_at: datetime
    closes_at: datetime
    #: The host user id of the manager who opened it (``None``: host code or an API token).
    created_by: str | None
    created_at: datetime
    #: ``scheduled``, ``open`` or ``closed``, at the time it was read.
    state: str

    @property
    def scale(self) -> range:
        low, high = SCORE_RANGES[self.kind]
        return range(low, high + 1)


@dataclass(frozen=True)
class Answer:
    survey_id: int
    user_id: str
    score: int
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class Results:
    survey: SurveyView
    responses: int
    counts: dict[int, int]
    mean: float | None
    #: CSAT surveys: % of 4-5 scores; ``None`` for NPS surveys or without responses.
    csat: float | None
    #: NPS surveys: % promoters - % detractors; ``None`` for CSAT surveys or without responses.
    nps: float | None
    promoters: int
    passives: int
    detractors: int

    def out(self) -> dict[str, Any]:
        return {
            "survey_id": self.survey.id,
            "kind": self.survey.kind,
            "question": self.survey.question,
            "opens_at": self.survey.opens_at,
            "closes_at": self.survey.closes_at,
            "state": self.survey.state,
            "responses": self.responses,
            "counts": [{"score": s, "responses": n} for s, n in self.counts.items()],
            "mean": self.mean,
            "csat": self.csat,
            "nps": self.nps,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
        }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def compute_results(survey: SurveyView, counts: dict[int, int]) -> Results:
    full = {score: counts.get(score, 0) for score in survey.scale}
    n = sum(full.values())
    mean = round(sum(s * c for s, c in full.items()) / n, 2) if n else None
    if survey.kind == "csat":
        happy = full.get(4, 0) + full.get(5, 0)
        return Results(survey, n, full, mean, _percent(happy, n), None, 0, 0, 0)
    promoters = full[9] + full[10]
    passives = full[7] + full[8]
    detractors = n - promoters - passives
    nps = round(100 * (promoters - detractors) / n, 1) if n else None
    return Results(survey, n, full, mean, None, nps, promoters, passives, detractors)


class Surveys:
    """Surveys of one :class:`~guildkit.GuildKit`; methods take host user ids."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    # -- reading ---------------------------------------------------------------------------

    def _view(self, row: Any) -> SurveyView:
        now = self.gk.clock()
        state = "scheduled" if now < row.opens_at else "open" if now < row.closes_at else "closed"
        return SurveyView(
            row.id, row.kind, row.question, row.opens_at, row.closes_at, row.creator, row.created_at, state
        )

    def get(self, survey_id: int) -> SurveyView:
        """One survey; :class:`~guildkit.UnknownSurvey` if there is none."""
        row = self.gk.session.execute(_SELECT.where(SURVEYS.c.id == survey_id)).first()
        if row is None:
            raise UnknownSurvey(survey_id)
        return self._view(row)

    def all(self) -> list[SurveyView]:
        """Every survey, newest opening first."""
        rows = self.gk.session.execute(_SELECT.order_by(SURVEYS.c.opens_at.desc(), SURVEYS.c.id.desc()))
        return [self._view(r) for r in rows]

    def open_for(self, user_id: str | int) -> list[SurveyView]:
        """Surveys open now that the member has not answered yet, closing soonest first."""
        now = self.gk.clock()
        member = sa.select(MEMBERS.c.id).where(MEMBERS.c.user_id == str(user_id)).scalar_subquery()
        answered = sa.exists().where(RESPONSES.c.survey_id == SURVEYS.c.id, RESPONSES.c.member_id == member)
        rows = self.gk.session.execute(
            _SELECT.where(SURVEYS.c.opens_at <= now, SURVEYS.c.closes_at > now, ~answered).order_by(
                SURVEYS.c.closes_at, SURVEYS.c.id
            )
        )
        return [self._view(r) for r in rows]

    def answer(self, survey_id: int, user_id: str | int) -> Answer | None:
        """The member's answer to a survey, or ``None``."""
        row = self.gk.session.execute(
            sa.select(RESPONSES.c.score, RESPONSES.c.comment, RESPONSES.c.created_at)
            .join(MEMBERS, MEMBERS.c.id == RESPONSES.c.member_id)
            .where(RESPONSES.c.survey_id == survey_id, MEMBERS.c.user_id == str(user_id))
        ).first()
        return Answer(survey_id, str(user_id), row.score, row.comment, row.created_at) if row else None

    def results(self, survey_id: int) -> Results:
        """CSAT or NPS, mean and counts per score of one survey."""
        survey = self.get(survey_id)
        rows = self.gk.session.execute(
            sa.select(RESPONSES.c.score, sa.func.count())
            .where(RESPONSES.c.survey_id == survey_id)
            .group_by(RESPONSES.c.score)
        )
        return compute_results(survey, {int(score): int(n) for score, n in rows})

    def history(self, kind: str | None = None) -> list[Results]:
        """Results of every survey (of ``kind``), oldest first: satisfaction over time."""
        if kind is not None and kind not in SURVEY_KINDS:
            raise ValidationError(_("kind must be one of %(kinds)s", kinds=", ".join(SURVEY_KINDS)), field="kind")
        query = _SELECT.order_by(SURVEYS.c.opens_at, SURVEYS.c.id)
        if kind is not None:
            query = query.where(SURVEYS.c.kind == kind)
        surveys = [self._view(r) for r in self.gk.session.execute(query)]
        counts: dict[int, dict[int, int]] = {}
        for survey_id, score, n in self.gk.session.execute(
            sa.select(RESPONSES.c.survey_id, RESPONSES.c.score, sa.func.count()).group_by(
                RESPONSES.c.survey_id, RESPONSES.c.score
            )
        ):
            counts.setdefault(int(survey_id), {})[int(score)] = int(n)
        return [compute_results(s, counts.get(s.id, {})) for s in surveys]

    # -- writing ---------------------------------------------------------------------------

    def _check_manager(self, by: str | int | None, what: str) -> None:
        if by is not None and not self.gk.has_permission(by, MANAGE):
            raise NotAllowed(f"only community managers may {what} surveys, and {str(by)!r} is not one", user_id=str(by))

    def open(
        self,
        by: str | int | None,
        *,
        kind: str,
        question: str,
        closes_at: datetime,
        opens_at: datetime | None = None,
    ) -> SurveyView:
        """Open a survey (``by``: a manager; ``None`` for host code) from ``opens_at`` (default:
        now) until ``closes_at``. Bad input raises :class:`~guildkit.errors.ValidationError`
        naming the field."""
        self._check_manager(by, "open")
        opens_at = self.check_open(kind=kind, question=question, closes_at=closes_at, opens_at=opens_at)
        creator = None if by is None else str(by)

        def write(tx: Transaction) -> int:
            by_id = tx.members(creator)[creator] if creator is not None else None
            values = {
                "kind": kind,
                "question": question,
                "opens_at": opens_at,
                "closes_at": closes_at,
                "created_by": by_id,
                "created_at": tx.now,
            }
            return int(tx.conn.execute(sa.insert(SURVEYS).values(**values).returning(SURVEYS.c.id)).scalar_one())

        return self.get(self.gk.transaction(write))

    def check_open(
        self, *, kind: str, question: str, closes_at: datetime, opens_at: datetime | None = None
    ) -> datetime:
        """The fields of :meth:`open`, checked but not saved: every bad field at once. Returns
        when the survey opens (now, unless ``opens_at``)."""
        now = self.gk.clock()
        found = FieldErrors()
        checked = found.check_all(
            {
                "kind": lambda: _kind(kind),
                "question": lambda: check_text(question, "question", max_length=QUESTION_MAX),
                "opens_at": lambda: _aware(now if opens_at is None else opens_at, "opens_at"),
                "closes_at": lambda: _aware(closes_at, "closes_at"),
            }
        )
        if "closes_at" in checked:
            if "opens_at" in checked and checked["closes_at"] <= checked["opens_at"]:
                found.add("closes_at", _("closes_at must be after opens_at"))
            elif checked["closes_at"] <= now:
                found.add("closes_at", _("closes_at must be in the future"))
        found.raise_if_any()
        opened: datetime = checked["opens_at"]
        return opened

    def close(self, by: str | int | None, survey_id: int) -> SurveyView:
        """Close an open survey now. Closing one that is scheduled or closed raises
        :class:`~guildkit.errors.InvalidTransition`."""
        self._check_manager(by, "close")

        def write(tx: Transaction) -> None:
            tx.lock(SURVEYS, survey_id)
            row = tx.conn.execute(
                sa.select(SURVEYS.c.opens_at, SURVEYS.c.closes_at).where(SURVEYS.c.id == survey_id)
            ).first()
            if row is None:
                raise UnknownSurvey(survey_id)
            if tx.now >= row.closes_at:
                raise InvalidTransition("survey", "closed", "close")
            if tx.now <= row.opens_at:
                raise InvalidTransition("survey", "scheduled", "close")
            tx.conn.execute(sa.update(SURVEYS).where(SURVEYS.c.id == survey_id).values(closes_at=tx.now))

        self.gk.transaction(write)
        return self.get(survey_id)

    def check_answer(self, score: object, comment: object = "") -> None:
        """An answer's score and comment, checked but not saved: both at once (the score's scale
        is the survey's, checked when answering)."""
        check_fields(
            {
                "score": lambda: _whole(score, "score"),
                "comment": lambda: check_text(comment, "comment", max_length=COMMENT_MAX, empty=True),
            }
        )

    def respond(self, user_id: str | int, survey_id: int, score: int, comment: str = "") -> Answer:
        """Answer an open survey, once. A score outside the scale raises
        :class:`~guildkit.errors.ValidationError` (``field="score"``); a survey that is not open
        :class:`~guildkit.errors.InvalidTransition`; a second answer
        :class:`~guildkit.AlreadyAnswered`."""
        self.check_answer(score, comment)
        user = str(user_id)

        def write(tx: Transaction) -> Answer:
            row = tx.conn.execute(
                sa.select(SURVEYS.c.kind, SURVEYS.c.opens_at, SURVEYS.c.closes_at).where(SURVEYS.c.id == survey_id)
            ).first()
            if row is None:
                raise UnknownSurvey(survey_id)
            low, high = SCORE_RANGES[row.kind]
            if not low <= score <= high:
                raise ValidationError(_("score must be from %(low)s to %(high)s", low=low, high=high), field="score")
            if tx.now < row.opens_at:
                raise InvalidTransition("survey", "not open yet", "answer")
            if tx.now >= row.closes_at:
                raise InvalidTransition("survey", "closed", "answer")
            member_id = tx.members(user)[user]
            values = {
                "survey_id": survey_id,
                "kind": row.kind,
                "member_id": member_id,
                "score": score,
                "comment": comment,
                "created_at": tx.now,
            }
            stored = tx.conn.execute(_INSERT[tx.dialect], values).first()
            if stored is None:
                raise AlreadyAnswered(survey_id, user)
            return Answer(survey_id, user, score, comment, tx.now)

        return self.gk.transaction(write)


def _kind(value: object) -> str:
    if not isinstance(value, str) or value not in SURVEY_KINDS:
        raise ValidationError(_("kind must be one of %(kinds)s", kinds=", ".join(SURVEY_KINDS)), field="kind")
    return value


def _aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(f"{field} must be an aware datetime", field=field)
    return value


def _whole(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(_("%(field)s must be a whole number", field=field), field=field)
    return value


_SELECT = sa.select(SURVEYS, MEMBERS.c.user_id.label("creator")).outerjoin(
    MEMBERS, MEMBERS.c.id == SURVEYS.c.created_by
)
#: One response per member: a concurrent second insert does nothing (and returns no row).
_INSERT = {
    dialect: upsert(dialect, RESPONSES, ("survey_id", "member_id"), returning=("id",))
    for dialect in ("sqlite", "postgresql")
}
