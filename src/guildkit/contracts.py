"""What a deciding hook may return: checks attached to hook specs with :func:`returns`.

:class:`guildkit.plugins.PluginManager` runs the check on every non-``None`` result of an
implementation; a result the check refuses is recorded as that plugin's failure and counts as
"no opinion", exactly like an exception.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from guildkit.definitions import Flair, PageLink, Subject
from guildkit.rules.base import Veto

F = TypeVar("F", bound=Callable[..., Any])

#: Checks a (non-``None``) result of a hook implementation; raises ``TypeError`` when it breaks the contract.
Check = Callable[[Any, dict[str, Any]], None]


def returns(check: Check) -> Callable[[F], F]:
    """Attach ``check`` to a hook spec: a result it refuses is recorded as the plugin's failure."""

    def mark(spec: F) -> F:
        spec.guildkit_returns = check  # type: ignore[attr-defined]
        return spec

    return mark


def an_int(result: Any, kwargs: dict[str, Any]) -> None:
    if not isinstance(result, int) or isinstance(result, bool):
        raise TypeError(f"returned {result!r}, not an int")


def a_bool(result: Any, kwargs: dict[str, Any]) -> None:
    if not isinstance(result, bool):
        raise TypeError(f"returned {result!r}, not a bool or None")


def same_kind_of_outcome(result: Any, kwargs: dict[str, Any]) -> None:
    outcome = kwargs.get("outcome")
    if not isinstance(result, Veto) and type(result) is not type(outcome):
        raise TypeError(f"replaced {outcome!r} with {result!r}")


def page_links(result: Any, kwargs: dict[str, Any]) -> None:
    found = list(result)
    if not all(isinstance(link, PageLink) for link in found):
        raise TypeError(f"returned {found!r}, not PageLink objects")


def kind_names(result: Any, kwargs: dict[str, Any]) -> None:
    found = list(result)
    if not all(isinstance(kind, str) for kind in found):
        raise TypeError(f"returned {found!r}, not kind names")


def subjects(result: Any, kwargs: dict[str, Any]) -> None:
    if not isinstance(result, Mapping) or not all(
        isinstance(key, str) and isinstance(value, Subject) for key, value in result.items()
    ):
        raise TypeError(f"returned {result!r}, not a mapping of keys to Subject objects")


def flair(result: Any, kwargs: dict[str, Any]) -> None:
    if not isinstance(result, Mapping) or not all(
        isinstance(key, str) and isinstance(value, Flair) for key, value in result.items()
    ):
        raise TypeError(f"returned {result!r}, not a mapping of user ids to Flair objects")


def an_image(result: Any, kwargs: dict[str, Any]) -> None:
    if not (
        isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], bytes) and isinstance(result[1], str)
    ):
        raise TypeError(f"returned {result!r}, not (bytes, content type)")


def template_names(result: Any, kwargs: dict[str, Any]) -> None:
    found = list(result)
    if not all(isinstance(name, str) and name for name in found):
        raise TypeError(f"returned {found!r}, not template names")


def export_sections(result: Any, kwargs: dict[str, Any]) -> None:
    """A mapping of section names to JSON values (datetimes and dates allowed: they become ISO 8601)."""
    if not isinstance(result, Mapping) or not all(isinstance(name, str) and name for name in result):
        raise TypeError(f"returned {result!r}, not a mapping of section names to sections")
    try:
        json.dumps(result, default=_iso)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"returned a section JSON cannot hold: {exc}") from exc


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def a_finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
