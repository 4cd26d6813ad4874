"""Text and JSON that can be stored: the one check every boundary uses (the Python API, the JSON
API, the pages' forms).

Both databases refuse some strings outright: PostgreSQL rejects a NUL character in ``text`` and
``jsonb``, and no driver can encode a lone UTF-16 surrogate (``"\\ud800"``) as UTF-8. Left to the
database, either is a 500 or a half-written request; checked here, it is a
:class:`~guildkit.errors.ValidationError` naming the field. Other control characters are refused
as well: they have no place in text a member reads, and they make logs and exports lie.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TypeGuard

from guildkit.errors import ValidationError
from guildkit.i18n import N_, ngettext
from guildkit.i18n import gettext as _

# C0 controls and DEL, except tab, line feed and carriage return (allowed in multi-line text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: The largest integer both databases store in a JSON document or a BIGINT column.
MAX_INT = 2**63 - 1


#: What makes text unstorable or unreadable, by kind: as the JSON API says it after a path, and
#: as a whole message naming the field (``%(field)s``), marked for translation (forms show it).
_PROBLEMS = {
    "nul": ("must not contain NUL characters", N_("%(field)s must not contain NUL characters")),
    "surrogate": (
        "must be valid Unicode (it holds a lone surrogate)",
        N_("%(field)s must be valid Unicode (it holds a lone surrogate)"),
    ),
    "control": ("must not contain control characters", N_("%(field)s must not contain control characters")),
    "line": ("must be one line of text", N_("%(field)s must be one line of text")),
}


def _problem_kind(text: str, one_line: bool) -> str | None:
    if "\x00" in text:
        return "nul"
    if _SURROGATE.search(text):
        return "surrogate"
    if _CONTROL.search(text):
        return "control"
    if one_line and _LINE_BREAK.search(text):
        return "line"
    return None


def problem(text: str, *, one_line: bool = False) -> str | None:
    """What makes ``text`` unstorable or unreadable, in words; ``None`` when it is fine."""
    kind = _problem_kind(text, one_line)
    return _PROBLEMS[kind][0] if kind else None


def check_text(value: object, field: str, *, max_length: int = 191, empty: bool = False, one_line: bool = False) -> str:
    """``value`` as checked text: a ``str`` of at most ``max_length`` characters, not blank unless
    ``empty``, with no NUL, lone surrogate or control character (nor a line break if ``one_line``).

    The messages name the field first in English; a form puts the field's label in its place,
    wherever a translation puts it (:class:`~guildkit.web.forms.Form`).
    """
    if not isinstance(value, str):
        raise ValidationError(
            _("%(field)s must be text, got %(type)s", field=field, type=type(value).__name__), field=field
        )
    if not empty and not value.strip():
        raise ValidationError(_("%(field)s must not be empty", field=field), field=field)
    if len(value) > max_length:
        raise ValidationError(
            ngettext(
                "%(field)s must be at most %(num)d character", "%(field)s must be at most %(num)d characters",
                max_length, field=field,
            ),
            field=field,
        )  # fmt: skip
    kind = _problem_kind(value, one_line)
    if kind:
        raise ValidationError(_(_PROBLEMS[kind][1], field=field), field=field)
    return value


def single_line(value: object, field: str, max_length: int, *, empty: bool = False) -> str:
    """A one-line form field, stripped (a title, a place): :func:`check_text` with ``one_line``."""
    return check_text(value.strip() if isinstance(value, str) else value, field, max_length=max_length,
                      empty=empty, one_line=True)  # fmt: skip


def multi_line(value: object, field: str, max_length: int) -> str:
    """A multi-line form field (a description, a reason), stripped, line endings made ``\\n``."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return check_text(value, field, max_length=max_length, empty=True)


def check_id(value: object, field: str) -> int | None:
    """``None`` or a row id: a positive integer that fits the database's integers."""
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_INT):
        raise ValidationError(_("%(field)s must be a row id (a positive integer)", field=field), field=field)
    return value


#: The largest id of a table with 32-bit ``INTEGER`` ids (most of guildkit's): PostgreSQL refuses
#: to compare a larger number with such a column, so a bigger "id" is refused before any query.
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: object) -> TypeGuard[int]:
    """Whether ``value`` can be the id of a row of a table with 32-bit ids."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def check_row_id(value: object, field: str) -> int | None:
    """``None`` or the id of a row of a table with 32-bit ids."""
    return None if value is None else require_row_id(value, field)


def require_row_id(value: object, field: str) -> int:
    """The id of a row of a table with 32-bit ids (``None`` is refused too)."""
    if not is_row_id(value):
        raise ValidationError(_("%(field)s must be a row id (a positive integer)", field=field), field=field)
    return value


def check_json(value: object, field: str) -> None:
    """Raise unless ``value`` is JSON both databases store as given: string keys, storable
    strings, finite floats and integers that fit in 64 bits, nested in dicts and lists.

    The error names the path, e.g. ``payload.tags[2]``.
    """
    path = _bad_json(value, field)
    if path is not None:
        where, why = path
        raise ValidationError(f"{where} {why}", field=where)


def find_bad_json(value: object, field: str = "") -> tuple[str, str] | None:
    """The first ``(path, problem)`` in a parsed JSON document (as the JSON API received it), or
    ``None``. Only strings and numbers can be wrong after parsing; keys are checked too."""
    return _bad_json(value, field)


def _bad_json(value: object, path: str) -> tuple[str, str] | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        found = problem(value)
        return (path or "body", found) if found else None
    if isinstance(value, int):
        return None if -MAX_INT <= value <= MAX_INT else (path or "body", "is too large a number")
    if isinstance(value, float):
        return None if math.isfinite(value) else (path or "body", "must be a finite number")
    if isinstance(value, Mapping):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                return (path or "body", "must have text keys")
            found = problem(key)
            if found:
                return (path or "body", f"has a key that {found}")
            bad = _bad_json(item, inner)
            if bad:
                return bad
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            bad = _bad_json(item, f"{path}[{index}]")
            if bad:
                return bad
        return None
    return (path or "body", f"must be JSON (text, numbers, lists, objects), not {type(value).__name__}")
