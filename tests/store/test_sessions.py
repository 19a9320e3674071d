"""What every connection is set up with, per database."""

from __future__ import annotations

import pytest

from chatlytics.store.database import MYSQL_TMP_TABLE_BYTES, Database


def test_mariadb_groups_in_memory_up_to_the_configured_size(db: Database) -> None:
    if db.dialect != "mysql":
        pytest.skip("a MariaDB setting")
    with db.read() as conn:
        sizes = conn.exec_driver_sql("SELECT @@tmp_table_size, @@max_heap_table_size").one()
    assert tuple(int(n) for n in sizes) == (MYSQL_TMP_TABLE_BYTES, MYSQL_TMP_TABLE_BYTES)
