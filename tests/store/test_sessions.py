"""What every connection is set up with, per database: the settings the speed and the durability
figures depend on."""

from __future__ import annotations

from chatlytics.store.database import MYSQL_TMP_TABLE_BYTES, SQLITE_BUSY_MS, Database


def test_connections_are_set_up_for_their_database(db: Database) -> None:
    with db.read() as conn:
        if db.dialect == "sqlite":
            found = [
                conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "busy_timeout")
            ]
            assert found == ["wal", 2, SQLITE_BUSY_MS]  # synchronous 2: FULL
        elif db.dialect == "postgresql":
            # No server-side prepared statements: their generic plans outlive small tables.
            driver = conn.connection.driver_connection
            assert driver is not None
            assert driver.prepare_threshold is None
            # No JIT: compiling a month's analytics query cost more than it saved.
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        else:
            sizes = conn.exec_driver_sql("SELECT @@tmp_table_size, @@max_heap_table_size").one()
            assert tuple(int(n) for n in sizes) == (MYSQL_TMP_TABLE_BYTES, MYSQL_TMP_TABLE_BYTES)
            isolation = conn.exec_driver_sql("SELECT @@session.tx_isolation").scalar()
            assert isolation == "READ-COMMITTED"
