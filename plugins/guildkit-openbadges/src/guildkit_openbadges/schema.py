"""The files shipped in ``data/`` (see its README): the 1EdTech JSON Schema and the JSON-LD contexts.

They are read from the package, never fetched: :func:`validate` checks a credential against the
schema (draft 2019-09) and returns readable error strings; :data:`CONTEXTS` maps each context URL
this plugin uses to its local copy, for anyone who wants to expand a credential offline.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker

SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
SCHEMA_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = {VC_V2_CONTEXT: "credentials-v2.jsonld", OB_CONTEXT: "ob-context-3.0.3.json"}

formats = FormatChecker(formats=())


@formats.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    # RFC 3339 needs a date, a time and an offset; fromisoformat alone accepts too much.
    if not isinstance(value, str):
        return True
    if "T" not in value.upper() or not (value.endswith(("Z", "z")) or value[-6] in "+-"):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time with an offset")
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@formats.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    if isinstance(value, str):
        datetime.strptime(value, "%Y-%m-%d")
    return True


def load(name: str) -> Any:
    return json.loads(files(__package__).joinpath("data", name).read_text("utf-8"))


@cache
def validator() -> Draft201909Validator:
    schema = load(SCHEMA_FILE)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=formats)


def validate(credential: Any) -> list[str]:
    """Every way ``credential`` breaks the shipped schema, as ``"path: message"`` strings."""
    found = sorted(validator().iter_errors(credential), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in found]


def context(url: str) -> Any:
    """The shipped JSON-LD context document for ``url`` (KeyError if this plugin ships none)."""
    return load(CONTEXTS[url])
