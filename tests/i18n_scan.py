"""Find words in guildkit's templates that are not marked for translation.

A template's text outside ``{% trans %}`` blocks, the human-read attributes of its tags (``alt``,
``title``, ``placeholder``, ``aria-label``, a button's ``value``) and prose-looking string literals
inside ``{{ }}`` and ``{% %}`` must carry no words: words belong in ``_()``, ``ngettext()`` or a
``trans`` block. Used by tests/test_i18n.py; run ``python tests/i18n_scan.py`` for the full list.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment
from jinja2.lexer import TOKEN_BLOCK_BEGIN, TOKEN_BLOCK_END, TOKEN_DATA, TOKEN_NAME, TOKEN_STRING

ROOT = Path(__file__).resolve().parent.parent / "src" / "guildkit"
#: Stands in for an expression in the text, so "{{ n }} members" still reads as words.
HOLE = "\x00"
WORD = re.compile(r"[^\W\d_]{2,}")
HUMAN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label", "summary"}
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext"}
#: Text that is not language: units and symbols every locale writes the same way.
NOT_WORDS = {"px", "svg", "ok"}


@dataclass(frozen=True)
class Unmarked:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def templates() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/templates/**/*") if p.suffix in {".html", ".txt"})


def _words(text: str) -> bool:
    return any(w.lower() not in NOT_WORDS for w in WORD.findall(text.replace(HOLE, " ")))


def _prose(literal: str) -> bool:
    """A string literal that reads as words to a person, not as a name, path, class or format."""
    if not _words(literal) or re.fullmatch(r"\$?[\w./:-]*", literal):
        return False  # an identifier, endpoint, path, CSS class or key
    if re.fullmatch(r"[\w-]+(\s+[\w-]+)*", literal) and not re.search(r"[A-Z]", literal):
        # "gk-button gk-small": several lower-case tokens with hyphens are classes, not prose
        return not all("-" in token or "_" in token for token in literal.split())
    return True


class _Page(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name, self.found, self.skip = name, list[Unmarked](), 0

    def _line(self) -> int:
        return self.getpos()[0]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "script"}:
            self.skip += 1
        types = dict(attrs).get("type") or ""
        for key, value in attrs:
            human = key in HUMAN_ATTRIBUTES or (key == "value" and tag == "input" and types in {"submit", "button"})
            if human and value and _words(value):
                self.found.append(Unmarked(self.name, self._line(), f'{key}="{value}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script"} and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and _words(data):
            self.found.append(Unmarked(self.name, self._line(), " ".join(data.replace(HOLE, "…").split())))


def scan(env: Environment, path: Path) -> Iterator[Unmarked]:
    """Every unmarked piece of text in one template."""
    name = str(path.relative_to(ROOT))
    source = path.read_text(encoding="utf-8")
    # The template's text with a HOLE for each tag, padded so its line numbers are the template's.
    text: list[str] = []
    lines = 1
    in_trans = 0
    block: list[tuple[str, str]] = []
    tokens = list(env.lex(source))
    for index, (line, kind, value) in enumerate(tokens):
        if kind == TOKEN_BLOCK_BEGIN:
            block = []
        elif kind == TOKEN_BLOCK_END:
            first = next((v for k, v in block if k == TOKEN_NAME), "")
            in_trans += first == "trans"
            in_trans -= first == "endtrans"
        else:
            block.append((kind, value))
        if kind == TOKEN_DATA and not in_trans:
            if path.suffix == ".txt":
                if _words(value):
                    yield Unmarked(name, line, " ".join(value.split()))
                continue
            if line > lines:
                text.append("\n" * (line - lines))
                lines = line
            text.append(value)
            lines += value.count("\n")
        elif kind == TOKEN_STRING and not in_trans:
            previous = [v for _, k, v in tokens[max(0, index - 6) : index] if k == TOKEN_NAME]
            literal = value[1:-1]  # lex() gives the literal as written, quotes and all
            if not any(v in GETTEXT for v in previous[-3:]) and _prose(literal):
                yield Unmarked(name, line, repr(literal))
        elif kind.endswith("_begin"):
            text.append(HOLE)
    page = _Page(name)
    page.feed("".join(text))
    page.close()
    yield from page.found


def unmarked(env: Environment) -> list[Unmarked]:
    return [found for path in templates() for found in scan(env, path)]


if __name__ == "__main__":
    environment = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"])
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    hits = [u for u in unmarked(environment) if u.template.startswith(only)]
    for hit in hits:
        print(hit)
    print(f"{len(hits)} unmarked", file=sys.stderr)
