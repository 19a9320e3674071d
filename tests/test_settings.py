"""Settings: the seed's variables work as named, and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatlytics.settings import Settings, mysql_driver

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", DOCS.read_text(), flags=re.MULTILINE))
    names = {field.alias for field in Settings.model_fields.values()}
    assert names - documented == set(), "settings missing from docs/configuration.md"
    assert documented - names == set(), "docs/configuration.md names settings that do not exist"


def test_nothing_set_means_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "DB_HOST"):
        monkeypatch.delenv(name, raising=False)
    url = Settings(_env_file=None).sqlalchemy_url()
    assert (url.get_backend_name(), url.database) == ("sqlite", "./chatlytics.db")


def test_db_variables_build_a_mysql_url_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DB_HOST", "db.internal")
    monkeypatch.setenv("DB_USER", "bot")
    monkeypatch.setenv("DB_PASSWORD", "s3cret")
    monkeypatch.setenv("DB_NAME", "analytics")
    url = Settings(_env_file=None).sqlalchemy_url()
    assert url.drivername == mysql_driver()
    assert (url.host, url.port, url.username, url.password, url.database) == (
        "db.internal",
        3306,
        "bot",
        "s3cret",
        "analytics",
    )
    monkeypatch.setenv("DB_ENGINE", "postgresql")
    monkeypatch.setenv("DB_PORT", "6543")
    url = Settings(_env_file=None).sqlalchemy_url()
    assert (url.drivername, url.port) == ("postgresql+psycopg", 6543)


def test_database_url_overrides_db_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_HOST", "ignored")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://a@b/c")
    url = Settings(_env_file=None).sqlalchemy_url()
    assert (url.host, url.database) == ("b", "c")


def test_key_lists_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATLYTICS_WRITE_KEY", "k1, k2")
    monkeypatch.delenv("ANALYTICS_ENABLED", raising=False)
    settings = Settings(_env_file=None)
    assert settings.write_keys == ["k1", "k2"]
    assert settings.analytics_enabled is True
    assert (
        settings.event_retention_days,
        settings.batch_processing_size,
        settings.batch_flush_ms,
        settings.session_timeout_minutes,
    ) == (90, 1000, 50, 30)
    assert settings.cors_origins == ["*"]
    assert settings.legacy_routes is False


def test_the_c_driver_is_taken_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import chatlytics.settings as module

    monkeypatch.setattr(module, "find_spec", lambda name: object() if name == "MySQLdb" else None)
    assert mysql_driver() == "mysql+mysqldb"
    monkeypatch.setattr(module, "find_spec", lambda name: None)
    assert mysql_driver() == "mysql+pymysql"
