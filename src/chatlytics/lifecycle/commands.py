"""The lifecycle commands of `chatlytics`: retention run, erase, export-user, backup, restore."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chatlytics.lifecycle.archive import Format, RestoreRefused, Summary, backup, restore
from chatlytics.lifecycle.erase import erase_user
from chatlytics.lifecycle.export import export_user
from chatlytics.lifecycle.retention import run_configured
from chatlytics.settings import Settings
from chatlytics.store.database import Database
from chatlytics.store.migrate import current, head, upgrade

console = Console(stderr=True)


@contextmanager
def _database(*, migrated: bool = True) -> Iterator[tuple[Settings, Database]]:
    settings = Settings()
    db = Database.connect(settings.sqlalchemy_url())
    try:
        if migrated and current(db) != head():
            console.print("[red]the database schema is not current: run `chatlytics migrate`[/]")
            raise typer.Exit(1)
        yield settings, db
    finally:
        db.dispose()


def _print_json(value: Any, output: Path | None = None) -> None:
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"
    if output is None:
        sys.stdout.buffer.write(text)
        sys.stdout.flush()
    else:
        output.write_bytes(text)


class _Bar:
    """A rich progress bar per table (or per page, for a SQLite copy)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def start(self, label: str, total: int) -> None:
        self._task = self._progress.add_task(label, total=total or None)
        if not total:
            self._progress.update(self._task, total=0, completed=0)

    def advance(self, done: int) -> None:
        self._progress.advance(self._task, done)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _summary(title: str, summary: Summary) -> None:
    console.print(
        f"{title}: format {summary.format}, schema revision {summary.revision}, "
        f"{sum(summary.rows.values())} rows"
    )


def retention_run() -> None:
    """Delete everything older than EVENT_RETENTION_DAYS now (`serve` also does it daily)."""
    with _database() as (settings, db):
        report = run_configured(db, settings)
    if not report.removed:
        console.print(f"nothing is older than {report.cutoff:%Y-%m-%d %H:%M:%S} UTC")
        return
    table = Table("table", "rows removed", title=f"before {report.cutoff:%Y-%m-%d %H:%M:%S} UTC")
    for name, count in sorted(report.removed.items()):
        table.add_row(name, str(count))
    console.print(table)
    console.print(f"{report.batches} batch(es)")


def erase(
    user_id: Annotated[str, typer.Argument(help="The user id, as sent by the SDKs.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase everything held about a user (GDPR); prints what was removed per table."""
    if not yes:
        typer.confirm(f"Erase everything held about {user_id!r}? This cannot be undone", abort=True)
    with _database() as (settings, db):
        done = erase_user(db, user_id, settings=settings, actor="cli")
    if done is None:
        console.print(f"[red]nothing is held under {user_id!r}[/]")
        raise typer.Exit(1)
    _print_json({"user_id": done.user_id, "removed": done.removed})


def export_user_command(
    user_id: Annotated[str, typer.Argument(help="The user id, as sent by the SDKs.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
    ] = None,
) -> None:
    """Export everything held about a user as JSON (GDPR)."""
    with _database() as (settings, db):
        found = export_user(db, user_id, settings=settings)
    if found is None:
        console.print(f"[red]nothing is held under {user_id!r}[/]")
        raise typer.Exit(1)
    _print_json(found, output)


def backup_command(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.", dir_okay=False)],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="`sqlite` (SQLite's online backup, SQLite only) or `jsonl` (portable, gzipped "
            "JSON Lines). Default: sqlite on SQLite, jsonl otherwise.",
        ),
    ] = None,
) -> None:
    """Back up the database while it serves."""
    if fmt not in (None, "sqlite", "jsonl"):
        raise typer.BadParameter("--format must be sqlite or jsonl")
    chosen: Format | None = fmt  # type: ignore[assignment]
    with _database() as (_, db), _progress() as progress:
        try:
            summary = backup(db, file, fmt=chosen, progress=_Bar(progress))
        except ValueError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from None
    _summary(f"backed up to {file}", summary)


def restore_command(
    file: Annotated[
        Path, typer.Argument(help="A backup made by `chatlytics backup`.", exists=True)
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace what the database holds.")
    ] = False,
) -> None:
    """Restore a backup (either format) into an empty database; stop the servers first."""
    with _database(migrated=False) as (_, db):
        if current(db) is None:  # a new database: give it the schema first
            upgrade(db)
        try:
            with _progress() as progress:
                summary = restore(db, file, force=force, progress=_Bar(progress))
        except RestoreRefused as exc:
            console.print(f"[red]not restored: {exc}[/]")
            raise typer.Exit(1) from None
    _summary(f"restored {file}", summary)


def register(app: typer.Typer) -> None:
    """Add the lifecycle commands to the `chatlytics` Typer app."""
    retention = typer.Typer(
        help="Delete data older than EVENT_RETENTION_DAYS.", no_args_is_help=True
    )
    retention.command("run")(retention_run)
    app.add_typer(retention, name="retention")
    app.command("erase")(erase)
    app.command("export-user")(export_user_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
