"""Forms on guildkit's pages: every field's error at once, what the member typed kept, and never
their input quoted back in a message.

A view makes a :class:`Form` from what was posted, reads the fields that are not text
(:meth:`Form.whole_number`, :meth:`Form.day`, :meth:`Form.moment`), then calls :meth:`Form.submit`: the feature's
service saves, or refuses with one :class:`~guildkit.errors.ValidationError` naming every bad
field (:class:`~guildkit.errors.FieldErrors`). A field that could not even be read keeps its own
message, and the service is only asked to *check* the others (nothing is saved). The template
shows the result with the macros of ``guildkit/_forms.html``: a summary at the top linking to
each bad field, and each field with its label, what was typed and its message.

.. code-block:: python

    form = Form.posted(LABELS, limits={"title": 200})
    fields = {"title": form.text("title"), "capacity": form.whole_number("capacity", low=1)}
    saved = form.submit(lambda: gk.events.create(user_id, **fields), check=lambda: check_event(fields))
    if saved is None:
        return render_template("…/form.html", form=form), 422

Messages name the field and the rule ("Title must be at most 200 characters"), never the value:
a value is shown back only in its own field, and only up to the field's limit. Services word
their messages with the field's name (``"title must not be empty"``, or wherever a translation
puts it); the form puts the field's label in its place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar

from flask import request

from guildkit import i18n
from guildkit.definitions import Text
from guildkit.errors import FieldErrors, ValidationError
from guildkit.i18n import gettext as _

T = TypeVar("T")

#: The most characters of a typed value shown back in a field with no limit of its own.
DEFAULT_LIMIT = 1000
#: A typed value at least this long found in a message means the message quotes the input: it
#: is cut out (a backstop for checks that quote what they refuse; none of guildkit's should).
QUOTE_MIN = 16
#: Form-level messages (no field, or one the form does not show) are filed under this key.
WHOLE_FORM = ""


class Form:
    """One form as a page shows it: its fields' labels, what was typed, and every field's errors.

    ``labels`` names the fields in the order the page shows them (the summary follows it);
    ``limits`` caps how much of a typed value is shown back, and is the controls' ``maxlength``
    (:data:`DEFAULT_LIMIT` for a field not named: give every text field its service's limit);
    ``scope`` tells apart the ids of two forms on one page (``gk-{scope}{name}``); ``aliases``
    maps the service's names for fields to the form's (``{"closes_at": "days"}``).
    """

    def __init__(
        self,
        labels: Mapping[str, Text],
        values: Mapping[str, Any] | None = None,
        *,
        limits: Mapping[str, int] | None = None,
        scope: str = "",
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.labels = {name: str(label) for name, label in labels.items()}  # in the reader's language
        self.values: dict[str, Any] = dict.fromkeys(labels, "") | dict(values or {})
        self.limits = dict(limits or {})
        self.scope = scope
        self.aliases = dict(aliases or {})
        self.found = FieldErrors()

    @classmethod
    def posted(
        cls,
        labels: Mapping[str, Text],
        *,
        checkboxes: Iterable[str] = (),
        lists: Iterable[str] = (),
        limits: Mapping[str, int] | None = None,
        scope: str = "",
        aliases: Mapping[str, str] | None = None,
    ) -> Form:
        """The form as this request posted it: text as typed, ``checkboxes`` as booleans (sent with
        a value or not), ``lists`` (a group of checkboxes) as the values ticked."""
        data = request.form
        checkboxes, lists = set(checkboxes), set(lists)
        values: dict[str, Any] = {}
        for name in labels:
            if name in checkboxes:
                values[name] = bool(data.get(name))  # a ticked box sends its (non-empty) value
            elif name in lists:
                values[name] = data.getlist(name)
            else:
                values[name] = data.get(name, "")
        return cls(labels, values, limits=limits, scope=scope, aliases=aliases)

    # -- what the template reads -----------------------------------------------------------

    @property
    def errors(self) -> dict[str, list[str]]:
        return self.found.errors

    @property
    def invalid(self) -> bool:
        return bool(self.found)

    def id(self, name: str) -> str:
        return f"gk-{self.scope}{name}"

    def error_id(self, name: str) -> str:
        return f"gk-error-{self.scope}{name}"

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def limit(self, name: str) -> int:
        return self.limits.get(name, DEFAULT_LIMIT)

    def value(self, name: str) -> str:
        """What to show in the field: as typed, cut at the field's limit (a huge input is never
        sent back whole)."""
        value = self.values.get(name)
        if value is None or value is False:
            return ""
        return str(value)[: self.limit(name)]

    def chosen(self, name: str, option: object) -> bool:
        """Whether ``option`` is the choice made (or one of them) in a select, radios or checkboxes."""
        value = self.values.get(name)
        if isinstance(value, list | tuple | set | frozenset):
            return str(option) in {str(v) for v in value}
        return value is not None and str(value) == str(option)

    def messages(self, name: str) -> list[str]:
        return self.found.errors.get(name, [])

    def summary(self) -> list[tuple[str, str]]:
        """``(field, message)`` for the error summary: the form's own first, then the fields in
        the order the page shows them (``field`` is empty for the form's own)."""
        order = [WHOLE_FORM, *self.labels]
        return [(name, message) for name in order for message in self.messages(name)]

    # -- reading what was typed ------------------------------------------------------------

    def text(self, name: str) -> str:
        """The field exactly as typed (for the service to check; never cut)."""
        value = self.values.get(name)
        return value if isinstance(value, str) else ""

    def whole_number(
        self,
        name: str,
        *,
        low: int | None = None,
        high: int | None = None,
        required: bool = False,
        message: str | None = None,
    ) -> int | None:
        """The field as a whole number, ``None`` when empty or refused (the refusal is added; an
        empty field is refused when ``required``)."""
        text = self.text(name).strip()
        if not text and not required:
            return None
        digits = text.removeprefix("-")
        number = int(text) if digits.isascii() and digits.isdigit() and len(digits) <= 15 else None
        if number is None or (low is not None and number < low) or (high is not None and number > high):
            if message is None and low is not None and high is not None:
                message = _("%(field)s must be a whole number from %(low)d to %(high)d", field=name, low=low, high=high)
            self.add(name, message or _("%(field)s must be a whole number", field=name))
            return None
        return number

    def day(self, name: str) -> date | None:
        """A date field (``YYYY-MM-DD``, as a date control sends it); ``None`` when refused."""
        text = self.text(name).strip()
        try:
            if len(text) != len("2026-06-30"):
                raise ValueError(name)
            return date.fromisoformat(text)
        except ValueError:
            self.add(name, _("%(field)s must be a date", field=name))
            return None

    def moment(self, name: str, zone: tzinfo | None) -> datetime | None:
        """A date and time field (``YYYY-MM-DDTHH:MM``) in ``zone``; ``None`` when refused."""
        text = self.text(name).strip()
        try:
            if len(text) > 32:
                raise ValueError(name)
            value = datetime.fromisoformat(text)
        except ValueError:
            self.add(name, _("%(field)s must be a date and time", field=name))
            return None
        return value.replace(tzinfo=zone) if value.tzinfo is None and zone is not None else value

    # -- errors ----------------------------------------------------------------------------

    def add(self, name: str | None, message: str) -> None:
        """A message for field ``name`` (``None`` or a field the form does not show: the form's
        own), worded for the page: the field's label for its name, never the value typed."""
        field = name if name in self.labels else WHOLE_FORM
        self.found.add(field, self._worded(field, message))

    def add_error(self, exc: ValidationError) -> None:
        """Every field ``exc`` names. A field that already has a message keeps it alone: the first
        problem found (what was typed could not be read) is the one to fix."""
        reported = set(self.found.errors) - {WHOLE_FORM}
        for name, messages in (exc.errors or {exc.field or WHOLE_FORM: [exc.message]}).items():
            field = self.aliases.get(name, name)
            if field in reported:
                continue
            for message in messages:
                self.add(field, message)

    def run(self, check: Callable[[], T]) -> T | None:
        """``check()``'s result, or ``None`` with its :class:`ValidationError` added."""
        try:
            return check()
        except ValidationError as exc:
            self.add_error(exc)
            return None

    def submit(self, save: Callable[[], T], check: Callable[[], object] | None = None) -> T | None:
        """Save when every field could be read; otherwise only ``check`` the rest (the service's
        checks, which write nothing), so the page reports every field at once. Returns what
        ``save`` returned, or ``None`` when anything was refused."""
        if self.invalid:
            if check is not None:
                self.run(check)
            return None
        return self.run(save)

    def _worded(self, field: str, message: str) -> str:
        message = self._unquoted(message)
        if field and (message == field or message.startswith(field + " ")):
            message = self.label(field) + message[len(field) :]
        elif field and i18n.current_locale().language != i18n.SOURCE_LOCALE:
            # A translation may put the field's name elsewhere in the sentence.
            message = re.sub(rf"(?<![\w.]){re.escape(field)}(?![\w.])", lambda _: self.label(field), message, count=1)
        message = message.strip()
        return message[:1].upper() + message[1:]

    def _unquoted(self, message: str) -> str:
        """``message`` with any long typed value it quotes replaced by an ellipsis."""
        for value in self.values.values():
            if not isinstance(value, str) or len(value.strip()) < QUOTE_MIN:
                continue
            for quoted in (repr(value), repr(value.strip()), value, value.strip()):
                message = message.replace(quoted, "…")
        return message
