"""``flask guildkit import FILE``: the history import with progress bars and a summary."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from click._termui_impl import ProgressBar
from flask.cli import with_appcontext

from guildkit.current import current_guildkit
from guildkit.history import DEFAULT_CHUNK, MAX_CHUNK, ImportFileError, ImportSummary
from guildkit.history.reading import Progress

#: Bad lines listed when a file is refused.
SHOWN = 10


class Bars:
    """Terminal progress bars (checking, then importing), each with its rate and ETA."""

    def __init__(self) -> None:
        self.bar: ProgressBar[int] | None = None
        self.phase = ""
        self.done = 0
        self.started = 0.0

    def __call__(self, progress: Progress) -> None:
        if progress.total is None:  # the CLI reads a file: its size is known
            return
        if progress.phase != self.phase:
            self.close()
            self.phase, self.done, self.started = progress.phase, 0, time.monotonic()
            self.bar = click.progressbar(
                length=progress.total,
                show_eta=True,
                show_pos=progress.unit != "bytes",
                file=sys.stderr,
            )
            self.bar.__enter__()
        assert self.bar is not None
        per_second = progress.done / max(time.monotonic() - self.started, 1e-9)
        if progress.phase == "check":
            self.bar.label = f"Checking   {per_second / 1e6:,.1f} MB/s"
        else:
            self.bar.label = f"Importing  {per_second:,.0f} activities/s"
        self.bar.update(progress.done - self.done)
        self.done = progress.done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _report(summary: ImportSummary) -> str:
    rejected = f", {summary.rejected} rejected" + (f" (see {summary.rejects})" if summary.rejects else "")
    return (
        f"Imported {summary.imported:,} activities from {summary.lines:,} lines "
        f"({summary.duplicates:,} duplicates{rejected}).\n"
        f"Members created: {summary.members_created:,}; points: {summary.points:,}; "
        f"badges: {summary.badges:,}; {summary.seconds:.1f} s ({summary.rate:,.0f} lines/s)."
    )


@click.command("import", help="Import history from a JSON Lines FILE of activities and totals (docs/import.md).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Import the good lines; write the bad ones to the rejects file.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path), help="Default: FILE.rejects.jsonl.")
@click.option("--chunk", type=click.IntRange(1, MAX_CHUNK), default=DEFAULT_CHUNK, show_default=True,
              help="Activities per transaction.")  # fmt: skip
@click.option("--type", "types", multiple=True, help="Accept this activity type though no rule counts it (repeat).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def import_command(
    file: Path, skip_bad: bool, rejects: Path | None, chunk: int, types: tuple[str, ...], as_json: bool
) -> None:
    if skip_bad and rejects is None:
        rejects = file.with_name(file.name + ".rejects.jsonl")
    bars = Bars()
    try:
        summary = current_guildkit().import_history(
            file, skip_bad=skip_bad, rejects=rejects, progress=bars, chunk=chunk, types=types, via="cli"
        )
    except ImportFileError as exc:
        bars.close()
        shown = "\n".join(f"  {p}" for p in exc.problems[:SHOWN])
        more = f"\n  … {exc.count - SHOWN} more" if exc.count > SHOWN else ""
        raise click.ClickException(
            f"{file} was not imported: {exc.count} bad lines (nothing was written; --skip-bad imports the rest)\n"
            f"{shown}{more}"
        ) from exc
    bars.close()
    click.echo(json.dumps(summary.as_json()) if as_json else _report(summary))


COMMANDS = (import_command,)
