"""The history import's errors: a file refused, naming its lines and fields."""

from __future__ import annotations

from dataclasses import dataclass

from guildkit.errors import ValidationError


@dataclass(frozen=True)
class Problem:
    """Why one line of an import cannot be imported."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class ImportFileError(ValidationError):
    """An import file was refused, before anything was written: ``line`` and ``field`` name the
    first problem, ``problems`` the first :data:`~guildkit.history.reading.MAX_PROBLEMS` of
    them, ``count`` how many lines are bad in all."""

    code = "import_file_error"

    def __init__(self, problems: list[Problem], count: int) -> None:
        first = problems[0]
        more = f" (and {count - 1} more bad lines)" if count > 1 else ""
        super().__init__(f"{first}{more}", field=first.field, line=first.line)
        self.line = first.line
        self.problems = problems
        self.count = count
