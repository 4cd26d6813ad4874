"""The kudos feature's errors, in guildkit's error tree (:mod:`guildkit.errors`).

The API answers each with its status (:data:`guildkit.web.errors.STATUS`): a bad field is 422
naming it, a spent budget or a reused key 409, a trust level too low 403, an unknown kudos 404.
Their messages are said in the reader's language where a member reads them (pages, the API).
"""

from __future__ import annotations

from datetime import datetime

from guildkit.errors import Conflict, NotAllowed, NotFound, ValidationError
from guildkit.i18n import N_, format_datetime, format_number, gettext
from guildkit.i18n import gettext as _

#: What a spent budget says, per period.
SPENT = {
    "day": N_("no kudos left: all %(budget)s of today are given; they refill at %(when)s"),
    "week": N_("no kudos left: all %(budget)s of this week are given; they refill at %(when)s"),
    "month": N_("no kudos left: all %(budget)s of this month are given; they refill at %(when)s"),
}


class UnknownKudos(NotFound):
    code = "unknown_kudos"

    def __init__(self, kudos_id: object) -> None:
        super().__init__(f"no kudos with id {kudos_id!r}", kudos_id=kudos_id)
        self.kudos_id = kudos_id


class KudosToSelf(ValidationError):
    """A member tried to give kudos to themself."""

    code = "kudos_to_self"

    def __init__(self) -> None:
        super().__init__(_("%(field)s must be another member: kudos to oneself are not allowed", field="receiver"),
                         field="receiver")  # fmt: skip


class UnknownReceiver(ValidationError, LookupError):
    """The receiver is no member of the community (or not an active one)."""

    code = "unknown_receiver"

    def __init__(self, user_id: str, *, inactive: bool = False) -> None:
        said = (
            _("%(field)s is not an active member of the community", field="receiver")
            if inactive
            else _("%(field)s is not a member of the community", field="receiver")
        )
        super().__init__(said, field="receiver", user_id=user_id)
        self.user_id = user_id


class OverBudget(Conflict):
    """The giver has no kudos left in this period; ``refills_at`` says when they come back."""

    code = "kudos_budget_spent"

    def __init__(self, budget: int, period: str, refills_at: datetime) -> None:
        super().__init__(
            gettext(SPENT[period], budget=format_number(budget), when=format_datetime(refills_at, "short")),
            budget=budget,
            period=period,
            refills_at=refills_at,
        )
        self.budget = budget
        self.period = period
        self.refills_at = refills_at


class TrustTooLow(NotAllowed):
    """The giver's trust level is below ``GUILDKIT_KUDOS_MIN_TRUST_LEVEL``."""

    code = "kudos_trust_too_low"

    def __init__(self, level: int, required: int) -> None:
        super().__init__(
            _("giving kudos needs trust level %(required)s (yours is %(level)s)", required=required, level=level),
            level=level,
            required=required,
        )
        self.level = level
        self.required = required


class KeyReused(Conflict):
    """The giver sent an idempotency key again with another receiver or message."""

    code = "idempotency_conflict"

    def __init__(self, key: str) -> None:
        super().__init__(_("this key was already used for other kudos"), key=key)
        self.key = key
