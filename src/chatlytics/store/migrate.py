"""Run and inspect Alembic migrations for a Database."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from chatlytics.store.database import Database


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "chatlytics.store:migrations")
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest)."""
    config = _config()
    with db.writer.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade(db: Database, revision: str) -> None:
    """Take the schema back to `revision` (each migration can be undone)."""
    config = _config()
    with db.writer.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(db: Database) -> str | None:
    with db.reader.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(db: Database) -> bool:
    return current(db) == head()
