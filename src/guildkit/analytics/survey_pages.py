"""Survey pages, on the same ``pages`` blueprint as the community pages (``docs/analytics.md``).

=================================  ==============================================================
``/analytics/surveys``             survey results over time; open and close surveys
``/analytics/surveys.csv``         every survey's results as CSV
``/surveys/<id>``                  a member answers a survey (POST ``/surveys/<id>/respond``)
=================================  ==============================================================

The results need ``analytics.view`` (``admin`` has it); opening and closing surveys needs
``surveys.manage``; answering, a signed-in active member.

Every page also gets ``gk_open_surveys()``: the surveys open to the signed-in person that they
have not answered. ``base.html`` shows the first as a one-line notice with a small form.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

from flask import redirect, render_template, request, url_for

from guildkit import errors
from guildkit.analytics.errors import AlreadyAnswered, UnknownSurvey
from guildkit.analytics.models import SURVEY_KINDS
from guildkit.analytics.pages import viewer
from guildkit.analytics.surveys import COMMENT_MAX, MANAGE, QUESTION_MAX, SurveyView
from guildkit.analytics.tables import Table
from guildkit.i18n import format_date
from guildkit.i18n import gettext as _
from guildkit.routes import Routes
from guildkit.web import charts, csrf
from guildkit.web.endpoint import gk_instance
from guildkit.web.forms import Form
from guildkit.web.pages import PageError, caller, error_page, page

pages = Routes("pages", template_folder=Path(__file__).parent / "templates")

_OPEN_SURVEYS = "guildkit.open_surveys"
OPEN_LIMITS = {"question": QUESTION_MAX, "days": 3}


def open_labels() -> dict[str, str]:
    return {"kind": _("Kind"), "question": _("Question"), "days": _("Open for (days)")}


def answer_labels() -> dict[str, str]:
    return {"score": _("Score"), "comment": _("Comment")}


def open_surveys() -> list[SurveyView]:
    """Surveys open to the signed-in person and not answered yet (one query, cached per request)."""
    environ = request.environ
    if _OPEN_SURVEYS not in environ:
        who = caller()
        found: list[SurveyView] = []
        if who.is_person and who.active and who.user_id is not None:
            found = gk_instance().analytics.surveys.open_for(who.user_id)
        environ[_OPEN_SURVEYS] = found
    result: list[SurveyView] = environ[_OPEN_SURVEYS]
    return result


@pages.context_processor
def _context() -> dict[str, Any]:
    return {"gk_open_surveys": open_surveys, "gk_survey_answer_form": answer_form}


def _survey_page(form: Form, status: int = 200) -> Any:
    who = caller()
    surveys = gk_instance().analytics.surveys
    history = surveys.history()
    trend = []
    percent = {"percent": "%"}  # as a value: a bare % in a message would read as a format
    for kind, title, desc, label in (
        (
            "csat",
            _("CSAT over time"),
            _(
                "The CSAT (%(percent)s satisfied) of each CSAT survey with responses, in the order they opened.",
                **percent,
            ),
            _("CSAT (%(percent)s satisfied)", **percent),
        ),
        (
            "nps",
            _("NPS over time"),
            _("The NPS of each NPS survey with responses, in the order they opened."),
            _("NPS"),
        ),
    ):
        shown = [r for r in history if r.survey.kind == kind and r.responses]
        if shown:
            trend.append(
                charts.line_chart(
                    f"gk-chart-{kind}",
                    title,
                    desc,
                    [format_date(r.survey.opens_at) for r in shown],
                    [(label, [r.csat if kind == "csat" else r.nps for r in shown])],
                    y_label=label,
                    x_label=_("Survey (opening date)"),
                )
            )
    bars = {
        r.survey.id: charts.bar_chart(
            f"gk-chart-survey-{r.survey.id}",
            _("Scores of survey %(number)s", number=r.survey.id),
            _("How many members gave each score to “%(question)s”.", question=r.survey.question),
            [str(s) for s in r.counts],
            list(r.counts.values()),
            value_label=_("Responses"),
        )
        for r in history
        if r.responses
    }
    html = render_template(
        "guildkit/analytics/surveys.html",
        history=list(reversed(history)),
        trend=trend,
        bars=bars,
        kinds=SURVEY_KINDS,
        can_manage=who.active and who.can(MANAGE),
        form=form,
        done=request.args.get("done"),
        csv_url=url_for(".analytics_surveys_csv"),
    )
    return (html, status) if status != 200 else html


@pages.get("/analytics/surveys")
@page
def analytics_surveys() -> Any:
    viewer()
    question = _("How satisfied are you with the community?")
    return _survey_page(Form(open_labels(), {"kind": "csat", "question": question, "days": "14"}, limits=OPEN_LIMITS))


@pages.get("/analytics/surveys.csv")
@page
def analytics_surveys_csv() -> Any:
    viewer()
    history = gk_instance().analytics.surveys.history()
    table = Table(
        ("survey_id", "kind", "question", "opens_at", "closes_at", "responses", "mean", "csat", "nps"),
        [
            [
                r.survey.id,
                r.survey.kind,
                r.survey.question,
                r.survey.opens_at.isoformat(),
                r.survey.closes_at.isoformat(),
                r.responses,
                r.mean,
                r.csat,
                r.nps,
            ]
            for r in history
        ],
    )
    return (
        table.csv(),
        200,
        {"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="surveys.csv"'},
    )


@pages.post("/analytics/surveys")
@page
def open_survey_page() -> Any:
    viewer()
    csrf.check()
    who = caller()
    if not who.can(MANAGE):
        raise PageError(403, _("Not allowed"), _("Only community managers may open surveys."))
    form = Form.posted(open_labels(), limits=OPEN_LIMITS, aliases={"closes_at": "days"})
    days = form.whole_number(
        "days", low=1, high=366, required=True, message=_("give a whole number of days from 1 to 366")
    )
    closes_at: Any = None
    if days is not None:
        # The survey closes at the end of its last local day.
        zone = gk_instance().state.zone
        last_day = (gk_instance().clock().astimezone(zone) + timedelta(days=days - 1)).date()
        closes_at = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    surveys = gk_instance().analytics.surveys
    fields = {"kind": form.text("kind"), "question": form.text("question"), "closes_at": closes_at}
    if form.submit(lambda: surveys.open(who.user_id, **fields), check=lambda: surveys.check_open(**fields)) is None:
        return _survey_page(form, 422)
    return redirect(url_for(".analytics_surveys", done="opened"), code=303)


@pages.post("/analytics/surveys/<guildkit_id:survey_id>/close")
@page
def close_survey_page(survey_id: int) -> Any:
    viewer()
    csrf.check()
    who = caller()
    if not who.can(MANAGE):
        raise PageError(403, _("Not allowed"), _("Only community managers may close surveys."))
    try:
        gk_instance().analytics.surveys.close(who.user_id, survey_id)
    except UnknownSurvey:
        return error_page(404, _("No such survey"), _("There is no survey with that number."))
    except errors.InvalidTransition as exc:
        return error_page(409, _("That survey is not open"), exc.message)
    return redirect(url_for(".analytics_surveys", done="closed"), code=303)


# -- members answer ---------------------------------------------------------------------------


def _answer_page(survey: SurveyView, form: Form, status: int = 200) -> Any:
    who = caller()
    answer = gk_instance().analytics.surveys.answer(survey.id, who.user_id) if who.user_id else None
    html = render_template(
        "guildkit/analytics/survey.html",
        survey=survey,
        answer=answer,
        answer_form=form,
        done=request.args.get("done"),
    )
    return (html, status) if status != 200 else html


def answer_form(posted: bool = False) -> Form:
    """A survey's answer form: blank, or as this request posted it."""
    make = Form.posted if posted else Form
    return make(answer_labels(), limits={"comment": COMMENT_MAX}, scope="survey-")


def _signed_in() -> str:
    who = caller()
    if not who.is_person or who.user_id is None:
        raise PageError(401, _("Sign in to answer"), _("Answering a survey asks you to sign in first."))
    if not who.active:
        raise PageError(403, _("Not allowed"), _("Only active members may answer surveys."))
    return who.user_id


@pages.get("/surveys/<guildkit_id:survey_id>")
@page
def survey(survey_id: int) -> Any:
    _signed_in()
    try:
        shown = gk_instance().analytics.surveys.get(survey_id)
    except UnknownSurvey:
        return error_page(404, _("No such survey"), _("There is no survey with that number."))
    return _answer_page(shown, answer_form())


@pages.post("/surveys/<guildkit_id:survey_id>/respond")
@page
def respond_survey(survey_id: int) -> Any:
    user_id = _signed_in()
    csrf.check()
    surveys = gk_instance().analytics.surveys
    try:
        shown = surveys.get(survey_id)
    except UnknownSurvey:
        return error_page(404, _("No such survey"), _("There is no survey with that number."))
    form = answer_form(posted=True)
    score, comment = form.whole_number("score", required=True, message=_("choose a score")), form.text("comment")
    try:
        # submit saves only when every field was read: the score is then a number.
        answered = form.submit(
            lambda: surveys.respond(user_id, survey_id, cast(int, score), comment),
            check=lambda: surveys.check_answer(score, comment),
        )
    except AlreadyAnswered:
        form.add(None, _("You already answered this survey."))
        return _answer_page(shown, form, 409)
    except errors.InvalidTransition:
        form.add(None, _("This survey is not open."))
        return _answer_page(shown, form, 409)
    if answered is None:
        return _answer_page(shown, form, 422)
    return redirect(url_for(".survey", survey_id=survey_id, done="answered"), code=303)
