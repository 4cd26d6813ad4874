"""The report form: a member reports what they are looking at, picked by the host's link.

The host links its "Report" button to ``/report?subject=<key>&user=<author's user id>``; the form
carries both on as hidden fields and asks the member only for a reason and, if they like, a
comment. :func:`read` checks every field at once and files each problem in words on the form
(:class:`~guildkit.web.forms.Form`): what the member typed is kept (a comment longer than the
limit is shown cut to it), and nothing they sent is ever repeated in a message. A link without a
usable subject or author is named as a broken link, never echoed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from guildkit import errors
from guildkit.extension import GuildKit
from guildkit.i18n import format_number, lazy_gettext
from guildkit.i18n import gettext as _
from guildkit.moderation.common import SUBJECT_MAX, TEXT_MAX
from guildkit.moderation.models import REPORT_CATEGORIES
from guildkit.text import problem
from guildkit.web.forms import Form

#: The form's fields, in the order the page shows them.
LABELS = {
    "subject": lazy_gettext("What you report"),
    "user": lazy_gettext("Who wrote it"),
    "category": lazy_gettext("Reason"),
    "comment": lazy_gettext("Comment"),
}
LIMITS = {"subject": SUBJECT_MAX, "user": 191, "comment": TEXT_MAX}
BROKEN_LINK = lazy_gettext(
    "This report link is incomplete: go back and use the Report link next to what you want to report."
)
NO_AUTHOR = lazy_gettext("This report link does not say who wrote it: go back and use the Report link next to it.")


@dataclass
class ReportForm:
    """The form as the page shows it, and the link's parts and the reason when they are usable."""

    form: Form
    subject: str | None
    user: str | None
    category: str | None


def _key(value: str, max_length: int) -> str | None:
    """A link part that can be a key or a user id: one line, not blank, not too long."""
    if not value.strip() or len(value) > max_length or problem(value, one_line=True):
        return None
    return value


def read(gk: GuildKit, reporter: str, source: Mapping[str, str], *, sent: bool) -> ReportForm:
    """The form from the link (``sent=False``) or as posted (``sent=True``), every field checked."""
    typed = {name: source.get(name, "") for name in LABELS}
    form = Form(LABELS, typed, limits=LIMITS)
    category = typed["category"]
    report = ReportForm(
        form,
        _key(typed["subject"], SUBJECT_MAX),
        _key(typed["user"], 191),
        category if category in REPORT_CATEGORIES else None,
    )
    if report.subject is None:
        form.add("subject", str(BROKEN_LINK))
    if report.user is None:
        form.add("user", str(NO_AUTHOR))
    elif report.user == reporter:
        form.add("user", _yours())
    else:
        try:
            gk.member(report.user)
        except errors.UnknownMember:
            report.user = None
            form.add("user", _gone())
    if not sent:
        return report
    if report.category is None:
        form.add("category", str(_("Pick the reason that fits best.")))
    comment = typed["comment"]
    if len(comment) > TEXT_MAX:
        form.add(
            "comment",
            str(
                _(
                    "The comment can be at most %(max)s characters; it has %(length)s.",
                    max=format_number(TEXT_MAX),
                    length=format_number(len(comment)),
                )
            ),
        )
    elif problem(comment):
        form.add("comment", str(_("The comment holds characters that cannot be stored (control characters).")))
    return report


def refused(exc: errors.GuildKitError) -> tuple[str, str]:
    """The field and the words for what the service refused after the form's own checks passed."""
    if isinstance(exc, errors.UnknownMember):
        return "user", _gone()
    if isinstance(exc, errors.MemberInactive):
        return "subject", str(_("Your account cannot send reports while it is suspended or banned."))
    field = getattr(exc, "field", None)
    if field == "subject":
        return "subject", str(_("You already reported this. The moderators have your report."))
    if field == "user_id":
        return "user", _yours()
    name = field if field in LABELS else "comment"
    return name, str(_("%(field)s could not be accepted; please check it.", field=LABELS[name]))


def _yours() -> str:
    return str(_("This is yours: you cannot report yourself."))


def _gone() -> str:
    return str(_("The member who wrote this is not in the community (any more)."))
