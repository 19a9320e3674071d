"""Backup, wipe, restore: every figure comes back identical, on every database, in both formats, and
from SQLite into the servers; a restore refuses what it must and then changes nothing."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatlytics.app import create_app
from chatlytics.lifecycle import RestoreRefused, backup, register, restore
from chatlytics.store.database import Database
from chatlytics.store.migrate import current
from tests import backends
from tests.analytics.support import assert_matches, load
from tests.conftest import make_settings, tmp_sqlite
from tests.helpers import post_events
from tests.lifecycle.support import figures, refused
from tests.scenario import Scenario, build


@dataclass(frozen=True)
class Loaded:
    client: TestClient
    scenario: Scenario

    def figures(self) -> dict[str, Any]:
        return figures(self.client, self.scenario, {e.user_id for e in self.scenario.events})


def fill(client: TestClient) -> Loaded:
    scenario = build(seed=7)
    load(client, scenario)
    post_events(client, refused(scenario.now))
    return Loaded(client, scenario)


@pytest.fixture
def loaded(app_client: TestClient) -> Loaded:
    return fill(app_client)


def test_portable_round_trip(loaded: Loaded, db: Database, tmp_path: Path) -> None:
    before = loaded.figures()
    file = tmp_path / "backup.jsonl.gz"
    made = backup(db, file, fmt="jsonl")
    backends.wipe(db)
    assert loaded.figures() != before
    assert restore(db, file).rows == made.rows
    assert loaded.figures() == before
    # New rows get ids after the restored ones (PostgreSQL's sequences were moved on).
    answer = post_events(loaded.client, refused(loaded.scenario.now))
    assert len(answer["rejected"]) == 3


def test_sqlite_online_round_trip(
    loaded: Loaded, db: Database, tmp_path: Path, sqlite_only: None
) -> None:
    before = loaded.figures()
    file = tmp_path / "backup.sqlite"
    assert backup(db, file).format == "sqlite"  # the default on SQLite
    assert file.read_bytes()[:16] == b"SQLite format 3\x00"
    backends.wipe(db)
    restore(db, file)
    assert loaded.figures() == before


@pytest.mark.parametrize("fmt", ["jsonl", "sqlite"])
def test_from_sqlite_into_every_database(db: Database, tmp_path: Path, fmt: str) -> None:
    source_db = tmp_sqlite(tmp_path)
    with TestClient(create_app(make_settings(), db=source_db)) as source:
        filled = fill(source)
        want = filled.figures()
    file = tmp_path / f"backup.{fmt}"
    backup(source_db, file, fmt=fmt)  # type: ignore[arg-type]
    source_db.dispose()
    restore(db, file)
    with TestClient(create_app(make_settings(), db=db)) as target:
        got = Loaded(target, filled.scenario).figures()
    # Averages summed in another order by another database may differ in the last digit.
    assert got.keys() == want.keys()
    assert_matches(got, want)


def test_refuses_a_database_that_is_not_empty(loaded: Loaded, db: Database, tmp_path: Path) -> None:
    file = tmp_path / "backup.jsonl.gz"
    backup(db, file, fmt="jsonl")
    post_events(loaded.client, [{**refused(loaded.scenario.now)[0], "event_id": "later"}])
    before = loaded.figures()
    with pytest.raises(RestoreRefused, match="not empty"):
        restore(db, file)
    restore(db, file, force=True)
    assert loaded.figures() == before  # the failed event sent later is not in any figure


def rewrite(source: Path, target: Path, edit: Any) -> None:
    lines = gzip.decompress(source.read_bytes()).splitlines(keepends=True)
    target.write_bytes(gzip.compress(b"".join(edit(lines))))


def test_refuses_another_schema_revision(loaded: Loaded, db: Database, tmp_path: Path) -> None:
    file, other = tmp_path / "backup.jsonl.gz", tmp_path / "other.jsonl.gz"
    backup(db, file, fmt="jsonl")

    def older(lines: list[bytes]) -> list[bytes]:
        header = orjson.loads(lines[0])
        return [orjson.dumps({**header, "schema_revision": "0001"}) + b"\n", *lines[1:]]

    rewrite(file, other, older)
    backends.wipe(db)
    with pytest.raises(RestoreRefused, match="revision 0001"):
        restore(db, other)
    assert current(db) != "0001"


@pytest.mark.parametrize("cut", ["last line", "last rows", "gzip stream"])
def test_a_short_file_changes_nothing(
    loaded: Loaded, db: Database, tmp_path: Path, cut: str
) -> None:
    file, short = tmp_path / "backup.jsonl.gz", tmp_path / "short.jsonl.gz"
    backup(db, file, fmt="jsonl")
    if cut == "last line":
        rewrite(file, short, lambda lines: lines[:-1])
    elif cut == "last rows":
        rewrite(file, short, lambda lines: [*lines[:-3], lines[-1]])
    else:
        short.write_bytes(file.read_bytes()[:-40])
    before = loaded.figures()
    with pytest.raises(RestoreRefused):
        restore(db, short, force=True)
    assert loaded.figures() == before


def test_commands(
    loaded: Loaded, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = typer.Typer()
    register(app)
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    before = loaded.figures()
    file = tmp_path / "backup"
    result = CliRunner().invoke(app, ["backup", str(file)])
    assert result.exit_code == 0, result.output
    refused_ = CliRunner().invoke(app, ["restore", str(file)])
    assert (refused_.exit_code, "not empty" in refused_.output) == (1, True)
    backends.wipe(db)
    result = CliRunner().invoke(app, ["restore", str(file)])
    assert result.exit_code == 0, result.output
    assert loaded.figures() == before


def test_restore_into_a_new_database(
    loaded: Loaded, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_only: None
) -> None:
    app = typer.Typer()
    register(app)
    file = tmp_path / "backup.jsonl.gz"
    backup(db, file, fmt="jsonl")
    new = tmp_path / "new"
    new.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite+pysqlite:///{new / 'chatlytics.db'}")
    result = CliRunner().invoke(app, ["restore", str(file)])
    assert result.exit_code == 0, result.output
    restored = Database.connect(f"sqlite+pysqlite:///{new / 'chatlytics.db'}")
    with TestClient(create_app(make_settings(), db=restored)) as client:
        assert Loaded(client, loaded.scenario).figures() == loaded.figures()
    restored.dispose()
