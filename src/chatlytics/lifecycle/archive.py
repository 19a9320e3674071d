"""Backups and restores, in two formats.

`sqlite`: a copy of a SQLite database made with SQLite's online backup API (SQLite only).
`jsonl`: portable, from and to any supported database: gzipped JSON Lines. Line 1 is a header (format,
version, schema revision, source dialect, each table's columns and row count); then, per table, a line
`{"table": name}` followed by one JSON array per row; a last line `{"end": ...}` marks a whole file.

Either restores into any database, in one transaction: it refuses a file of another schema revision and,
unless forced, a database that holds anything; a file that turns out short leaves the database as it was.
"""

from __future__ import annotations

import gzip
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import orjson
import sqlalchemy as sa

from chatlytics.store.backup import (
    TABLES,
    clear,
    insert_rows,
    is_empty,
    read_rows,
    reset_sequences,
    revision_of,
    row_counts,
    snapshot,
    sqlite_copy,
)
from chatlytics.store.database import Database
from chatlytics.store.dialect import refresh_statistics
from chatlytics.store.migrate import current
from chatlytics.store.schema import metadata
from chatlytics.store.timing import utcnow

Format = Literal["sqlite", "jsonl"]
FORMAT = "chatlytics-backup"
VERSION = 1
BATCH = 5_000
SQLITE_MAGIC = b"SQLite format 3\x00"
Rows = list[dict[str, Any]]


class Progress(Protocol):
    """Told what is being copied (`start`, with a total, 0 when unknown) and how far it got."""

    def start(self, label: str, total: int) -> None: ...
    def advance(self, done: int) -> None: ...


class Quiet:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, done: int) -> None:
        pass


class RestoreRefused(Exception):
    """The file cannot be restored into this database; nothing was changed."""


@dataclass(frozen=True)
class Summary:
    format: Format
    revision: str | None
    rows: dict[str, int]


def _partial(path: Path) -> Path:
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    return partial


def _write_sqlite(db: Database, path: Path, progress: Progress) -> Summary:
    if db.dialect != "sqlite":
        raise ValueError("the sqlite format copies a SQLite database; use --format jsonl")
    partial = _partial(path)
    copied = 0

    def step(done: int, total: int) -> None:
        nonlocal copied
        if not copied:
            progress.start("pages", total)
        progress.advance(done - copied)
        copied = done

    sqlite_copy(db, partial, step)
    with _sqlite_source(partial) as source:
        summary = Summary("sqlite", source.revision, source.counts)
    partial.replace(path)
    return summary


def _write_jsonl(db: Database, path: Path, progress: Progress) -> Summary:
    partial = _partial(path)
    with snapshot(db) as conn, gzip.open(partial, "wb", compresslevel=6) as out:
        revision, counts = revision_of(conn), row_counts(conn)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "schema_revision": revision,
            "created_at": utcnow(),
            "dialect": db.dialect,
            "tables": {
                str(t.name): {"columns": [str(c.name) for c in t.columns], "rows": counts[t.name]}
                for t in TABLES
            },
        }
        out.write(orjson.dumps(header) + b"\n")
        for table in TABLES:
            progress.start(table.name, counts[table.name])
            out.write(orjson.dumps({"table": str(table.name)}) + b"\n")
            for rows in read_rows(conn, table, BATCH):
                out.write(b"".join(orjson.dumps(row) + b"\n" for row in rows))
                progress.advance(len(rows))
        out.write(orjson.dumps({"end": FORMAT}) + b"\n")
    partial.replace(path)
    return Summary("jsonl", revision, counts)


def backup(
    db: Database, path: Path, *, fmt: Format | None = None, progress: Progress | None = None
) -> Summary:
    """Write a backup of `db` to `path` while it keeps serving (default format: `sqlite` for a
    SQLite database, `jsonl` otherwise)."""
    fmt = fmt or ("sqlite" if db.dialect == "sqlite" else "jsonl")
    write = _write_sqlite if fmt == "sqlite" else _write_jsonl
    return write(db, path, progress or Quiet())


class Source(Protocol):
    revision: str | None
    counts: dict[str, int]
    columns: dict[str, list[str]]

    def tables(self) -> Iterator[tuple[str, Iterator[Rows]]]: ...


class _SqliteSource:
    def __init__(self, engine: sa.Engine) -> None:
        self._conn = engine.connect()
        self.revision = revision_of(self._conn)
        self.counts = row_counts(self._conn)
        inspector = sa.inspect(self._conn)
        self.columns = {
            name: [c["name"] for c in inspector.get_columns(name)]
            for name in inspector.get_table_names()
            if name != "alembic_version"
        }

    def tables(self) -> Iterator[tuple[str, Iterator[Rows]]]:
        for table in TABLES:
            names = [c.name for c in table.columns]
            batches = read_rows(self._conn, table, BATCH)
            yield table.name, ([dict(zip(names, r, strict=True)) for r in b] for b in batches)

    def close(self) -> None:
        self._conn.close()


@contextmanager
def _sqlite_source(path: Path) -> Iterator[_SqliteSource]:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    engine = sa.create_engine(
        "sqlite+pysqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=sa.NullPool
    )
    source = _SqliteSource(engine)
    try:
        yield source
    finally:
        source.close()
        engine.dispose()


def _parser(table: sa.Table, columns: list[str]) -> Callable[[list[Any]], dict[str, Any]]:
    """JSON values -> a row: the times, written as ISO 8601, parsed back."""
    times = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, sa.DateTime)]

    def parse(values: list[Any]) -> dict[str, Any]:
        for i in times:
            if values[i] is not None:
                values[i] = datetime.fromisoformat(values[i])
        return dict(zip(columns, values, strict=True))

    return parse


class _JsonlSource:
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._lines = iter(stream)
        header = self._next()
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise RestoreRefused(f"not a {FORMAT} file of version {VERSION}")
        self.revision: str | None = header["schema_revision"]
        tables = header["tables"]
        self.counts = {name: t["rows"] for name, t in tables.items()}
        self.columns = {name: t["columns"] for name, t in tables.items()}

    def _next(self) -> Any:
        try:
            return orjson.loads(next(self._lines))
        except (StopIteration, EOFError, OSError, zlib.error) as exc:
            raise RestoreRefused("the file ends early (truncated?)") from exc

    def tables(self) -> Iterator[tuple[str, Iterator[Rows]]]:
        """Each table's rows in batches; read every batch of a table before asking for the next."""
        line = self._next()
        while "table" in line:
            name = line["table"]
            yield name, self._batches(_parser(metadata.tables[name], self.columns[name]))
            line = self._after
        if line.get("end") != FORMAT:
            raise RestoreRefused("the file has no end marker (truncated?)")

    def _batches(self, parse: Callable[[list[Any]], dict[str, Any]]) -> Iterator[Rows]:
        batch: Rows = []
        while isinstance(line := self._next(), list):
            batch.append(parse(line))
            if len(batch) == BATCH:
                yield batch
                batch = []
        self._after: dict[str, Any] = line
        if batch:
            yield batch


@contextmanager
def _jsonl_source(path: Path) -> Iterator[_JsonlSource]:
    with gzip.open(path, "rb") as stream:
        yield _JsonlSource(stream)


def open_source(path: Path) -> AbstractContextManager[Source]:
    """The backup at `path`, whichever its format."""
    with path.open("rb") as head:
        magic = head.read(len(SQLITE_MAGIC))
    if magic == SQLITE_MAGIC:
        return _sqlite_source(path)
    if magic[:2] == b"\x1f\x8b":
        return _jsonl_source(path)
    raise RestoreRefused(f"{path} is neither a SQLite database nor a gzipped {FORMAT} file")


def _check(source: Source, db: Database) -> None:
    target = current(db)
    if source.revision != target:
        raise RestoreRefused(
            f"the backup is of schema revision {source.revision}, this database is at {target}: "
            "restore it with the chatlytics version that made it"
        )
    if set(source.columns) != {t.name for t in TABLES}:
        raise RestoreRefused("the backup's tables differ from this schema's")
    for table in TABLES:
        want = [c.name for c in table.columns]
        if sorted(source.columns.get(table.name, [])) != sorted(want):
            raise RestoreRefused(
                f"table {table.name}: the backup's columns differ from this schema"
            )


def restore(
    db: Database, path: Path, *, force: bool = False, progress: Progress | None = None
) -> Summary:
    """Replace the content of `db` (empty unless `force`) by the backup at `path`, all or nothing."""
    progress = progress or Quiet()
    with open_source(path) as source:
        fmt: Format = "sqlite" if isinstance(source, _SqliteSource) else "jsonl"
        _check(source, db)
        with db.write() as conn:
            if not is_empty(conn):
                if not force:
                    raise RestoreRefused("the database is not empty (--force replaces its content)")
                clear(conn)
            seen = set()
            for name, batches in source.tables():
                seen.add(name)
                table = metadata.tables[name]
                progress.start(name, source.counts[name])
                restored = 0
                for rows in batches:
                    insert_rows(conn, table, rows)
                    restored += len(rows)
                    progress.advance(len(rows))
                if restored != source.counts[name]:
                    raise RestoreRefused(
                        f"table {name}: {restored} rows in the file, its header says "
                        f"{source.counts[name]}"
                    )
            if seen != set(source.counts):
                raise RestoreRefused(f"tables missing from the file: {set(source.counts) - seen}")
            reset_sequences(conn)
        # Outside the restore's transaction: MariaDB's ANALYZE TABLE would commit it half done.
        with db.write() as conn:
            refresh_statistics(conn, sorted(metadata.tables))
        return Summary(fmt, source.revision, dict(source.counts))
